import { readWav } from '../../shared/audio/wav.ts';
import { ApiError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { nodeHeaders } from '../../shared/node-contract.ts';
import type { TenantLimiter } from '../ratelimit/tenant-limiter.ts';
import type { RegionRouter } from '../regions/router.ts';
import type { JobMetrics } from './job-metrics.ts';
import type { JobStore } from './job-store.ts';
import { PermanentTaskError, type TaskProcessor } from './task-outcome.ts';

export interface SegmentTaskOptions {
  store: JobStore;
  router: Pick<RegionRouter, 'synthesize'>;
  /** The tenant's realtime limits; jobs spend the same quota at batch priority. Default: none. */
  limiter?: Pick<TenantLimiter, 'acquire'> | undefined;
  /** Deadline for one segment's synthesis, all routing attempts together. */
  timeoutMs: number;
  metrics: JobMetrics;
  logger: Logger;
}

/**
 * Synthesises one segment through the regional router at batch priority and records its PCM.
 * A segment whose result is already recorded (a redelivery after a crash) is not synthesised
 * again, and a race between two deliveries records one result: the store writes it once.
 */
export function createSegmentProcessor(options: SegmentTaskOptions): TaskProcessor {
  const { store, router, metrics, logger } = options;
  return {
    async run(task, signal) {
      const work = await store.segmentWork(task.job, task.n);
      if (!work || (work.job.status !== 'queued' && work.job.status !== 'running'))
        return { outcome: 'inactive' };
      if (work.done) return { outcome: 'duplicate' };
      const { job, text } = work;
      const characters = [...text].length;
      const quota = options.limiter ? await options.limiter.acquire(job.tenant, characters) : undefined;
      if (quota && !quota.allowed)
        return { outcome: 'later', delayMs: quota.retryAfterSeconds * 1000, reason: 'throttled' };
      const started = performance.now();
      try {
        const audio = await router.synthesize(
          {
            voice: job.voice,
            text,
            format: 'wav',
            speed: job.speed,
            ...(job.speaker === undefined ? {} : { speaker: job.speaker }),
          },
          {
            requestId: `${job.id}.${task.n}`,
            tenant: job.tenant,
            deadlineAt: Date.now() + options.timeoutMs,
            signal,
            priority: 'batch',
          },
        );
        const taskMs = Math.round(performance.now() - started);
        const { sampleRate, data } = readWav(audio.body);
        const outcome = await store.recordSegment(
          work,
          {
            samples: data.length / 2,
            sampleRate,
            synthesisMs: Number(audio.headers[nodeHeaders.synthesisMs] ?? 0),
            taskMs,
            region: audio.region,
            cache: audio.headers[nodeHeaders.cache] ?? 'unknown',
          },
          data,
          Date.now(),
        );
        if (outcome === 'duplicate') return { outcome: 'duplicate' };
        if (outcome === 'inactive') return { outcome: 'inactive' };
        metrics.segments.inc();
        if (outcome === 'chapter')
          logger.debug({ job: job.id, segment: task.n }, 'chapter ready to assemble');
        return { outcome: 'done' };
      } catch (err) {
        // A node's 4xx (unknown voice, text it refuses) fails the same way every time.
        if (err instanceof ApiError && err.status < 500 && err.status !== 429) {
          throw new PermanentTaskError(err.code, err.message, { cause: err });
        }
        throw err;
      } finally {
        await quota?.release();
      }
    },

    async giveUp(task, error, attempts) {
      const code =
        error instanceof PermanentTaskError || error instanceof ApiError ? error.code : 'synthesis_failed';
      const message = error instanceof Error ? error.message : String(error);
      const failed = await store.fail(task.job, { code, message, segment: task.n }, Date.now());
      if (failed) metrics.finished.inc({ status: 'failed' });
      if (failed)
        logger.warn(
          { job: task.job, segment: task.n, attempts, code, err: error },
          'job failed: segment gave up',
        );
    },
  };
}
