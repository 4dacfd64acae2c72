import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../shared/logger.ts';
import { retryDelayMs } from '../backoff.ts';
import type { JobMetrics } from './job-metrics.ts';
import type { TaskKind } from './job-types.ts';
import { PermanentTaskError, type TaskProcessor } from './task-outcome.ts';
import type { Delivery, TaskQueue } from './task-queue.ts';

export interface JobWorkerOptions {
  queue: TaskQueue;
  processors: Record<TaskKind, TaskProcessor>;
  /** Tasks this process runs at once. */
  concurrency: number;
  /** A task held this long without a heartbeat is taken over by another worker. */
  claimIdleMs: number;
  /** Attempts per task before it is dead-lettered, by kind. */
  maxAttempts: Record<TaskKind, number>;
  retry: { baseMs: number; maxMs: number };
  metrics: JobMetrics;
  logger: Logger;
  /** Consumer name in the group. Default: host, pid and a random suffix. */
  consumer?: string;
}

export interface JobWorker {
  readonly consumer: string;
  start(): void;
  /** Stops taking tasks, lets running ones finish for `graceMs`, then hands the rest back. */
  stop(graceMs: number): Promise<void>;
}

interface Running {
  delivery: Delivery;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs queued job tasks: reads new ones, takes over those a dead worker held, keeps its own
 * alive with heartbeats, promotes due retries, and turns each outcome into ack, retry with
 * backoff, or dead letter. Redis outages are waited out with backoff and logged once per 10 s.
 */
export function createJobWorker(options: JobWorkerOptions): JobWorker {
  const { queue, metrics, logger } = options;
  const consumer =
    options.consumer ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const sweepMs = Math.max(50, Math.min(1_000, Math.floor(options.claimIdleMs / 4)));
  const active = new Map<string, Running>();
  const handedBack = new Set<string>();
  let running = false;
  let stopping: AbortController | undefined;
  let slotFreed: (() => void) | undefined;
  let loops: Promise<void>[] = [];
  let lastOutageLog = Number.NEGATIVE_INFINITY;

  function outage(err: unknown, where: string): void {
    const now = Date.now();
    if (now - lastOutageLog < 10_000) return;
    lastOutageLog = now;
    logger.warn({ err, where, consumer }, 'job queue unavailable; retrying');
  }

  function launch(delivery: Delivery): void {
    if (delivery.redelivered) metrics.redelivered.inc();
    const controller = new AbortController();
    const done = handle(delivery, controller.signal).finally(() => {
      active.delete(delivery.id);
      slotFreed?.();
      slotFreed = undefined;
    });
    active.set(delivery.id, { delivery, controller, done });
  }

  async function handle(delivery: Delivery, signal: AbortSignal): Promise<void> {
    const { task } = delivery;
    const processor = options.processors[task.kind];
    const max = options.maxAttempts[task.kind];
    // Deliveries beyond the first mean a worker died holding the task: those count as attempts,
    // so a task that crashes every worker that runs it still ends in the dead-letter list.
    const attempts = task.attempt + delivery.deliveries - 1;
    const started = performance.now();
    let outcome: string;
    try {
      if (attempts > max) throw new PermanentTaskError('too_many_deliveries', `delivered ${attempts} times`);
      const result = await processor.run(task, signal);
      if (result.outcome === 'later') {
        await queue.retry(delivery, task, Date.now() + result.delayMs);
        metrics.throttled.inc();
        outcome = 'throttled';
      } else {
        await queue.ack(delivery);
        if (result.outcome === 'duplicate') metrics.duplicates.inc({ kind: task.kind });
        outcome = result.outcome;
      }
    } catch (err) {
      if (handedBack.has(delivery.id)) return;
      try {
        outcome = await fail(delivery, err, attempts, max, processor);
      } catch (queueErr) {
        // Left pending, the task is claimed again after claimIdleMs and its outcome decided then.
        outage(queueErr, 'settle');
        return;
      }
    }
    metrics.taskDuration.observe({ kind: task.kind, outcome }, (performance.now() - started) / 1000);
  }

  async function fail(
    delivery: Delivery,
    err: unknown,
    attempts: number,
    max: number,
    processor: TaskProcessor,
  ): Promise<string> {
    const { task } = delivery;
    const fields = { job: task.job, kind: task.kind, n: task.n, attempt: attempts, err };
    if (!(err instanceof PermanentTaskError) && attempts < max) {
      const delayMs = retryDelayMs(attempts, options.retry);
      await queue.retry(delivery, { ...task, attempt: attempts + 1 }, Date.now() + delayMs);
      metrics.retries.inc({ kind: task.kind });
      logger.warn({ ...fields, delayMs }, 'job task failed; retrying');
      return 'retry';
    }
    await processor.giveUp(task, err, attempts);
    await queue.deadLetter(delivery, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    metrics.deadLetters.inc({ kind: task.kind });
    logger.error(fields, 'job task dead-lettered');
    return 'dead_letter';
  }

  async function fetchLoop(): Promise<void> {
    let failures = 0;
    while (running) {
      if (active.size >= options.concurrency) {
        await new Promise<void>((resolve) => {
          slotFreed = resolve;
        });
        continue;
      }
      try {
        const deliveries = await queue.fetch(consumer, options.concurrency - active.size, 1_000);
        failures = 0;
        for (const delivery of deliveries) {
          if (running) launch(delivery);
          else await queue.release(delivery);
        }
      } catch (err) {
        failures++;
        // A Redis that restarted without its data has no consumer group; make it again.
        if (err instanceof Error && err.message.includes('NOGROUP'))
          await queue.ensureGroup().catch(() => {});
        outage(err, 'fetch');
        await sleep(Math.min(5_000, 100 * 2 ** failures), undefined, { signal: stopping?.signal }).catch(
          () => {},
        );
      }
    }
  }

  async function sweepLoop(): Promise<void> {
    while (running) {
      await sleep(sweepMs, undefined, { signal: stopping?.signal }).catch(() => {});
      if (!running) break;
      try {
        await queue.promoteDue(Date.now());
        if (active.size > 0) await queue.heartbeat(consumer, [...active.keys()]);
        const free = options.concurrency - active.size;
        if (free > 0)
          for (const delivery of await queue.claimStale(consumer, free, options.claimIdleMs))
            launch(delivery);
      } catch (err) {
        outage(err, 'sweep');
      }
    }
  }

  return {
    consumer,
    start() {
      if (running) return;
      running = true;
      stopping = new AbortController();
      loops = [
        queue
          .ensureGroup()
          .catch((err: unknown) => outage(err, 'ensureGroup'))
          .then(fetchLoop),
        sweepLoop(),
      ];
      logger.info({ consumer, concurrency: options.concurrency }, 'job worker started');
    },

    async stop(graceMs) {
      if (!running) return;
      running = false;
      stopping?.abort();
      slotFreed?.();
      const drained = Promise.all([...active.values()].map((r) => r.done));
      await Promise.race([drained, sleep(graceMs)]);
      // What is still running goes back to the queue now rather than after claimIdleMs.
      for (const { delivery, controller } of active.values()) {
        handedBack.add(delivery.id);
        controller.abort();
        await queue.release(delivery).catch((err: unknown) => outage(err, 'release'));
      }
      await Promise.all(loops);
      logger.info({ consumer, handedBack: handedBack.size }, 'job worker stopped');
    },
  };
}
