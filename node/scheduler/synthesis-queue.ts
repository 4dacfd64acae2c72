import { ApiError } from '../../shared/errors.ts';
import type { NodeMetrics } from '../metrics.ts';
import {
  compareTags,
  createFairClock,
  type FairClock,
  type Priority,
  priorities,
  type WorkTag,
} from './fair-clock.ts';
import { createPriorityQueue } from './priority-queue.ts';
import { createThroughputMeter } from './throughput-meter.ts';

export interface SynthesisQueueOptions {
  /** Requests that run at once (they then share the phonemizer and the batcher). */
  concurrency: number;
  /** Requests that may wait for a slot; more are refused with 503 `node_overloaded`. */
  maxQueue: number;
  /** The fair clock shared with the engine's stages. Default: one of its own. */
  clock?: FairClock;
  /** Throughput assumed until one is measured, in cost units per ms. Default 1/50 (50 ms a unit). */
  initialRate?: number;
  metrics?: NodeMetrics;
  now?: () => number;
}

export interface QueueLoad {
  queueDepth: number;
  inFlight: number;
  concurrency: number;
  /** Queued and running work of interactive requests ÷ measured throughput: what `/readyz` publishes. */
  estimatedWaitMs: number;
  /** The same for a batch request, which waits for interactive work too. */
  estimatedWaitBatchMs: number;
  /** Cost (characters) admitted and not finished, per class. */
  queuedCost: Record<Priority, number>;
  /** Measured throughput in cost units per second. */
  throughputPerSecond: number;
  /** Time one cost unit takes at the measured throughput. */
  serviceMs: number;
}

export interface RunOptions {
  /** Milliseconds the caller will wait in total; refused at once when the estimate exceeds it. */
  deadlineMs?: number;
  /** Default `default`. */
  tenant?: string;
  /** Default `interactive`. */
  priority?: Priority;
  /** Work units, characters for synthesis. Default 1. */
  cost?: number;
}

export interface SynthesisQueue {
  run<T>(
    job: (tag: WorkTag) => Promise<T>,
    options?: RunOptions,
  ): Promise<{ value: T; queueMs: number; tag: WorkTag }>;
  load(): QueueLoad;
  /** Expected wait before a request with these options would start. */
  estimate(options?: RunOptions): { waitMs: number; serviceMs: number };
}

interface Waiting {
  tag: WorkTag;
  resolve: () => void;
}

/**
 * Admission in front of the synthesis pipeline (the caller observes `tts_queue_wait_seconds`,
 * adding the waits inside the pipeline to `queueMs`). Requests wait for one of `concurrency` slots in
 * weighted-fair order (per tenant, by characters; interactive before batch). It measures
 * throughput (cost per busy millisecond) so it can estimate the wait of a new request as the
 * work ahead of it ÷ throughput and refuse, before doing any work, one that would miss its
 * deadline. The estimate is what `/readyz` publishes for routing.
 */
export function createSynthesisQueue(options: SynthesisQueueOptions): SynthesisQueue {
  const now = options.now ?? (() => performance.now());
  const clock = options.clock ?? createFairClock();
  const waiting = createPriorityQueue<Waiting>((a, b) => compareTags(a.tag, b.tag));
  const meter = createThroughputMeter({ initialRate: options.initialRate ?? 1 / 50, now });
  const queued: Record<Priority, number> = { interactive: 0, batch: 0 };
  /** Unfinished cost per class and tenant, for the fair share of the wait. */
  const perTenant = new Map<string, number>();
  let inFlight = 0;

  const tenantKey = (priority: Priority, tenant: string) => `${priority}\u0000${tenant}`;

  function aheadOfClass(priority: Priority): number {
    let ahead = 0;
    for (const p of priorities) {
      ahead += queued[p];
      if (p === priority) break;
    }
    return ahead;
  }

  /**
   * Work served before a new request: everything of higher classes, all of its own tenant's,
   * and of every other tenant only what fair queuing serves before the new request finishes.
   */
  function fairAhead(tenant: string, priority: Priority, cost: number): number {
    let ahead = aheadOfClass(priority) - queued[priority];
    const start = clock.startFor(tenant, priority);
    const span = Math.max(0, start - clock.now(priority)) + cost / clock.weight(tenant);
    for (const [key, backlog] of perTenant) {
      const [p, other] = key.split('\u0000') as [Priority, string];
      if (p !== priority) continue;
      ahead += other === tenant ? backlog : Math.min(backlog, span * clock.weight(other));
    }
    return ahead;
  }

  function estimate(runOptions: RunOptions = {}) {
    const cost = runOptions.cost ?? 1;
    const ahead = fairAhead(runOptions.tenant ?? 'default', runOptions.priority ?? 'interactive', cost);
    return { waitMs: meter.msFor(ahead), serviceMs: meter.msFor(cost) };
  }

  function publish() {
    const m = options.metrics;
    if (!m) return;
    m.queueDepth.set(waiting.size);
    m.inFlight.set(inFlight);
    m.estimatedWait.set(meter.msFor(queued.interactive) / 1000);
    m.throughput.set(meter.rate() * 1000);
  }

  function overloaded(reason: string, message: string, waitMs: number): ApiError {
    options.metrics?.rejections.inc({ reason });
    return new ApiError('node_overloaded', message, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }

  function account(tag: WorkTag, cost: number) {
    queued[tag.priority] += cost;
    const key = tenantKey(tag.priority, tag.tenant);
    const left = (perTenant.get(key) ?? 0) + cost;
    if (left > 1e-9) perTenant.set(key, left);
    else perTenant.delete(key);
  }

  return {
    async run(job, runOptions = {}) {
      const tenant = runOptions.tenant ?? 'default';
      const priority = runOptions.priority ?? 'interactive';
      const cost = Math.max(0, runOptions.cost ?? 1);
      if (inFlight >= options.concurrency && waiting.size >= options.maxQueue) {
        throw overloaded(
          'queue_full',
          `node queue is full (${waiting.size} waiting)`,
          meter.msFor(aheadOfClass(priority) + cost),
        );
      }
      const { waitMs, serviceMs } = estimate({ tenant, priority, cost });
      if (runOptions.deadlineMs !== undefined && waitMs + serviceMs > runOptions.deadlineMs) {
        throw overloaded(
          'deadline',
          `estimated wait ${Math.round(waitMs)} ms + service ${Math.round(serviceMs)} ms exceeds the ${runOptions.deadlineMs} ms deadline`,
          waitMs + serviceMs,
        );
      }
      const tag = clock.tag(tenant, priority, cost);
      account(tag, cost);
      const enqueued = now();
      if (inFlight >= options.concurrency) {
        await new Promise<void>((resolve) => {
          waiting.push({ tag, resolve });
          publish();
        });
      } else {
        inFlight++;
        meter.busy(inFlight);
      }
      const queueMs = now() - enqueued;
      publish();
      let completed = false;
      try {
        const value = await job(tag);
        completed = true;
        return { value, queueMs, tag };
      } finally {
        account(tag, -cost);
        clock.done(tag);
        // A failed job says nothing about throughput; a finished one is a measurement.
        if (completed) meter.completed(cost);
        const next = waiting.pop();
        // The slot passes straight to the next job, so inFlight only drops when none waits.
        if (next) next.resolve();
        else {
          inFlight--;
          meter.busy(inFlight);
        }
        publish();
      }
    },
    load() {
      return {
        queueDepth: waiting.size,
        inFlight,
        concurrency: options.concurrency,
        estimatedWaitMs: meter.msFor(queued.interactive),
        estimatedWaitBatchMs: meter.msFor(queued.interactive + queued.batch),
        queuedCost: { ...queued },
        throughputPerSecond: meter.rate() * 1000,
        serviceMs: meter.msFor(1),
      };
    },
    estimate,
  };
}
