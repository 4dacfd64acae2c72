import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '../../shared/logger.ts';
import type { AudioStore } from '../audio-store/audio-store.ts';
import type { AudioUrlSigner } from '../audio-urls/url-signer.ts';
import type { GatewayConfig } from '../config.ts';
import type { TenantLimiter } from '../ratelimit/tenant-limiter.ts';
import type { RegionRouter } from '../regions/router.ts';
import { createAssembleProcessor } from './assemble-task.ts';
import { createJobMetrics, type JobMetrics } from './job-metrics.ts';
import type { JobLimits, JobStore } from './job-store.ts';
import { createJobWorker, type JobWorker } from './job-worker.ts';
import { createRedisJobStore } from './redis-job-store.ts';
import { createJobKeys } from './redis-keys.ts';
import { createRedisTaskQueue } from './redis-task-queue.ts';
import { createSegmentProcessor } from './segment-task.ts';
import type { TaskQueue } from './task-queue.ts';
import { createWebhookProcessor } from './webhook-task.ts';

/** The settings the jobs feature reads from the gateway config. */
export type JobsConfig = Pick<GatewayConfig, Extract<keyof GatewayConfig, `JOBS_${string}`> | 'REDIS_URL'>;

/** What the job routes need besides the store. */
export interface JobSettings {
  maxBodyBytes: number;
  maxDocumentCharacters: number;
  maxSegmentCharacters: number;
  maxChapterCharacters: number;
  limitsFor(tenant: string): JobLimits;
  webhookAllowPrivate: boolean;
  webhookSecretFor(tenant: string): string | undefined;
}

export interface JobServices {
  store: JobStore;
  queue: TaskQueue;
  /** Absent when this process only accepts jobs (`JOBS_WORKER=false`). */
  worker: JobWorker | undefined;
  metrics: JobMetrics;
  settings: JobSettings;
  close(): Promise<void>;
}

export interface JobServiceDeps {
  router: Pick<RegionRouter, 'synthesize'>;
  limiter: Pick<TenantLimiter, 'acquire'>;
  audioStore: AudioStore;
  urlSigner: AudioUrlSigner;
  logger: Logger;
  registry: Registry;
}

/**
 * Builds the jobs feature on Redis: the job store, the task queue, and (unless disabled) a
 * worker, not yet started — `gateway/main.ts` starts it once the server listens. Jobs need
 * Redis: without REDIS_URL the gateway has no job services and `/v1/jobs` answers 503.
 */
export async function createJobServices(config: JobsConfig, deps: JobServiceDeps): Promise<JobServices> {
  if (!config.REDIS_URL) throw new TypeError('jobs need REDIS_URL');
  const { logger } = deps;
  const log = logger.child({ component: 'jobs' });
  // Own connections: job scripts must not share the limiter's 500 ms command timeout, and the
  // blocking read must not hold up other commands. No offline queue: a command sent while Redis
  // is away fails now (a 503, or a worker retry) instead of running later behind our back.
  const connection = (name: string, commandTimeout?: number) =>
    new Redis(config.REDIS_URL!, {
      connectionName: `speechgate-jobs-${name}`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      ...(commandTimeout ? { commandTimeout } : {}),
    }).on('error', (err) => log.debug({ err, connection: name }, 'jobs redis connection error'));
  const redis = connection('commands', 5_000);
  const blocking = config.JOBS_WORKER ? connection('blocking') : undefined;
  // Give the connections a moment, so the first requests and the worker's first read do not
  // fail on a socket still opening; a Redis that is down is waited out by the worker later.
  await Promise.race([
    Promise.all(
      [redis, blocking].map((r) =>
        r && r.status !== 'ready' ? once(r, 'ready').catch(() => {}) : undefined,
      ),
    ),
    sleep(2_000),
  ]);
  const keys = createJobKeys();
  const store = createRedisJobStore({ redis, keys, retentionSeconds: config.JOBS_RETENTION_SECONDS });
  const queue = createRedisTaskQueue({ redis, blocking: blocking ?? redis, keys });
  const metrics = createJobMetrics(deps.registry, () => queue.depth());
  const secrets = config.JOBS_WEBHOOK_SECRETS ?? {};
  const overrides = config.JOBS_LIMIT_OVERRIDES ?? {};
  const settings: JobSettings = {
    maxBodyBytes: config.JOBS_MAX_BODY_BYTES,
    maxDocumentCharacters: config.JOBS_MAX_DOCUMENT_CHARACTERS,
    maxSegmentCharacters: config.JOBS_SEGMENT_MAX_CHARACTERS,
    maxChapterCharacters: config.JOBS_MAX_CHAPTER_CHARACTERS,
    limitsFor(tenant) {
      const override = Object.hasOwn(overrides, tenant) ? overrides[tenant] : undefined;
      return {
        jobsInFlight: override?.jobs_in_flight ?? config.JOBS_MAX_IN_FLIGHT,
        charactersPerDay: override?.characters_per_day ?? config.JOBS_CHARACTERS_PER_DAY,
      };
    },
    webhookAllowPrivate: config.JOBS_WEBHOOK_ALLOW_PRIVATE,
    webhookSecretFor: (tenant) =>
      Object.hasOwn(secrets, tenant) ? secrets[tenant] : config.JOBS_WEBHOOK_SECRET,
  };

  const worker = config.JOBS_WORKER
    ? createJobWorker({
        queue,
        concurrency: config.JOBS_WORKERS,
        claimIdleMs: config.JOBS_CLAIM_IDLE_MS,
        maxAttempts: {
          segment: config.JOBS_TASK_ATTEMPTS,
          assemble: config.JOBS_TASK_ATTEMPTS,
          webhook: config.JOBS_WEBHOOK_ATTEMPTS,
        },
        retry: { baseMs: config.JOBS_RETRY_BASE_MS, maxMs: config.JOBS_RETRY_MAX_MS },
        metrics,
        logger: log,
        processors: {
          segment: createSegmentProcessor({
            store,
            router: deps.router,
            ...(config.JOBS_TENANT_LIMITS ? { limiter: deps.limiter } : {}),
            timeoutMs: config.JOBS_TASK_TIMEOUT_MS,
            metrics,
            logger: log,
          }),
          assemble: createAssembleProcessor({ store, audioStore: deps.audioStore, metrics, logger: log }),
          webhook: createWebhookProcessor({
            store,
            urlSigner: deps.urlSigner,
            secretFor: settings.webhookSecretFor,
            allowPrivate: config.JOBS_WEBHOOK_ALLOW_PRIVATE,
            timeoutMs: config.JOBS_WEBHOOK_TIMEOUT_MS,
            metrics,
            logger: log,
          }),
        },
      })
    : undefined;

  return {
    store,
    queue,
    worker,
    metrics,
    settings,
    async close() {
      redis.disconnect();
      blocking?.disconnect();
    },
  };
}
