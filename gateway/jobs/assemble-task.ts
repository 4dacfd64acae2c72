import { createHash } from 'node:crypto';
import type { Logger } from '../../shared/logger.ts';
import type { AudioStore } from '../audio-store/audio-store.ts';
import { assembleChapter } from './assemble-chapter.ts';
import type { JobMetrics } from './job-metrics.ts';
import type { JobStore } from './job-store.ts';
import type { SegmentResult } from './job-types.ts';
import type { TaskProcessor } from './task-outcome.ts';

export interface AssembleTaskOptions {
  store: JobStore;
  audioStore: AudioStore;
  metrics: JobMetrics;
  logger: Logger;
}

/**
 * Joins a chapter's recorded segments into one file in the audio store and records it with its
 * manifest. The audio key derives from the job and chapter, so a repeated assembly writes the
 * same bytes under the same key, and the store records the chapter once.
 */
export function createAssembleProcessor(options: AssembleTaskOptions): TaskProcessor {
  const { store, audioStore, metrics, logger } = options;
  return {
    async run(task) {
      const job = await store.get(task.job);
      if (!job || (job.status !== 'queued' && job.status !== 'running')) return { outcome: 'inactive' };
      if (job.audio.has(task.n)) return { outcome: 'duplicate' };
      const plan = job.chapters[task.n];
      if (!plan) throw new Error(`job ${job.id} has no chapter ${task.n}`);
      const inputs = await store.chapterInputs(job.id, task.n);
      const missing = inputs.results.findIndex((r, i) => !r || !inputs.pcm[i]);
      // Only the last segment's write enqueues assembly, so a gap is a store fault; retry it.
      if (missing >= 0)
        throw new Error(`job ${job.id} chapter ${task.n} lacks segment ${plan.first + missing}`);
      const assembled = await assembleChapter(
        {
          first: plan.first,
          texts: inputs.texts,
          paragraphs: inputs.paragraphs,
          results: inputs.results as SegmentResult[],
          pcm: inputs.pcm as Buffer[],
        },
        job.format,
      );
      const key = `${createHash('sha256').update(`job:${job.id}:chapter:${task.n}:${job.format}`).digest('hex')}.${job.format}`;
      const { body, ...audio } = assembled;
      await audioStore.put(key, {
        body,
        meta: {
          contentType: audio.contentType,
          durationMs: audio.durationMs,
          region: inputs.results[0]?.region ?? 'unknown',
          createdAt: new Date().toISOString(),
        },
      });
      const outcome = await store.finishChapter(job.id, task.n, { key, ...audio }, Date.now());
      if (outcome === 'duplicate' || outcome === 'inactive') return { outcome };
      await store.discardChapterPcm(job.id, task.n);
      logger.info(
        {
          job: job.id,
          tenant: job.tenant,
          chapter: task.n,
          segments: plan.count,
          durationMs: audio.durationMs,
          key,
        },
        'job chapter stored',
      );
      if (outcome === 'completed') {
        metrics.finished.inc({ status: 'completed' });
        logger.info({ job: job.id, tenant: job.tenant, chapters: job.chapters.length }, 'job completed');
      }
      return { outcome: 'done' };
    },

    async giveUp(task, error, attempts) {
      const message = error instanceof Error ? error.message : String(error);
      const failed = await store.fail(task.job, { code: 'assembly_failed', message }, Date.now());
      if (failed) metrics.finished.inc({ status: 'failed' });
      if (failed)
        logger.warn(
          { job: task.job, chapter: task.n, attempts, err: error },
          'job failed: chapter assembly gave up',
        );
    },
  };
}
