import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueDepth } from './task-queue.ts';

/**
 * `gateway_jobs_*` metrics. Queue depth is read from Redis when scraped, so every gateway
 * reports the same shared queue; a scrape during a Redis outage keeps the last values.
 */
export function createJobMetrics(registry: Registry, readDepth: () => Promise<QueueDepth>) {
  return {
    queueDepth: new Gauge({
      name: 'gateway_jobs_queue_depth',
      help: 'Job tasks by state: ready (waiting), in_progress (held by a worker), delayed (backing off), dead_letter.',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        try {
          const depth = await readDepth();
          this.set({ state: 'ready' }, depth.ready);
          this.set({ state: 'in_progress' }, depth.inProgress);
          this.set({ state: 'delayed' }, depth.delayed);
          this.set({ state: 'dead_letter' }, depth.deadLetters);
        } catch {
          // Redis is down: the last values stay, and the workers log the outage.
        }
      },
    }),
    taskDuration: new Histogram({
      name: 'gateway_jobs_task_duration_seconds',
      help: 'Time to run one job task, by kind and outcome (done, duplicate, retry, dead_letter, throttled).',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'gateway_jobs_task_retries_total',
      help: 'Failed task attempts scheduled again with backoff.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    redelivered: new Counter({
      name: 'gateway_jobs_tasks_redelivered_total',
      help: 'Tasks taken over from a worker that stopped answering.',
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'gateway_jobs_tasks_duplicate_total',
      help: 'Tasks whose result was already recorded, so nothing was written again.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'gateway_jobs_dead_letters_total',
      help: 'Tasks that used up their attempts (or could never succeed) and were filed as dead letters.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'gateway_jobs_tasks_throttled_total',
      help: "Segment tasks postponed by the tenant's rate limits.",
      registers: [registry],
    }),
    segments: new Counter({
      name: 'gateway_jobs_segments_synthesized_total',
      help: 'Segments synthesised by this process and recorded for the first time.',
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'gateway_jobs_submissions_total',
      help: 'Job submissions by outcome: created, replayed, conflict, limited, too_large.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    finished: new Counter({
      name: 'gateway_jobs_finished_total',
      help: 'Jobs that reached a final state in this process, by status.',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'gateway_jobs_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, failed (will retry), gave_up, refused (target not allowed).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type JobMetrics = ReturnType<typeof createJobMetrics>;
