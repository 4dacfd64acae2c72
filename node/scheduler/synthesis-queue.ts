import { ApiError } from '../../shared/errors.ts';
import type { NodeMetrics } from '../metrics.ts';

export interface SynthesisQueueOptions {
  /** Jobs that run at once. */
  concurrency: number;
  /** Jobs that may wait; more are refused with 503 `node_overloaded`. */
  maxQueue: number;
  metrics?: NodeMetrics;
  now?: () => number;
}

export interface QueueLoad {
  queueDepth: number;
  inFlight: number;
  concurrency: number;
  /** Expected wait before a job admitted now starts, from the measured service time. */
  estimatedWaitMs: number;
  /** Smoothed service time of one job. */
  serviceMs: number;
}

export interface RunOptions {
  /** Milliseconds the caller will wait in total; refused at once when the estimate exceeds it. */
  deadlineMs?: number;
}

export interface SynthesisQueue {
  run<T>(job: () => Promise<T>, options?: RunOptions): Promise<{ value: T; queueMs: number }>;
  load(): QueueLoad;
}

/**
 * FIFO admission in front of the ONNX sessions. It measures the service time (EWMA) so it can
 * estimate the wait of a new job and refuse, before doing any work, one that would miss its
 * deadline. The estimate is what `/readyz` publishes for routing.
 */
export function createSynthesisQueue(options: SynthesisQueueOptions): SynthesisQueue {
  const now = options.now ?? (() => performance.now());
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let serviceMs = 50;

  function estimatedWaitMs(): number {
    const ahead = waiting.length + inFlight - options.concurrency + 1;
    return ahead <= 0 ? 0 : (ahead / options.concurrency) * serviceMs;
  }

  function publish() {
    const m = options.metrics;
    if (!m) return;
    m.queueDepth.set(waiting.length);
    m.inFlight.set(inFlight);
    m.estimatedWait.set(estimatedWaitMs() / 1000);
  }

  function overloaded(reason: string, message: string): ApiError {
    options.metrics?.rejections.inc({ reason });
    return new ApiError('node_overloaded', message, {
      retryAfterSeconds: Math.max(1, Math.ceil((estimatedWaitMs() + serviceMs) / 1000)),
    });
  }

  return {
    async run(job, runOptions = {}) {
      const wait = estimatedWaitMs();
      if (inFlight >= options.concurrency && waiting.length >= options.maxQueue) {
        throw overloaded('queue_full', `node queue is full (${waiting.length} waiting)`);
      }
      if (runOptions.deadlineMs !== undefined && wait + serviceMs > runOptions.deadlineMs) {
        throw overloaded(
          'deadline',
          `estimated wait ${Math.round(wait)} ms + service ${Math.round(serviceMs)} ms exceeds the ${runOptions.deadlineMs} ms deadline`,
        );
      }
      const enqueued = now();
      if (inFlight >= options.concurrency) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          publish();
        });
      } else {
        inFlight++;
      }
      const started = now();
      const queueMs = started - enqueued;
      options.metrics?.queueWait.observe(queueMs / 1000);
      publish();
      try {
        const value = await job();
        serviceMs = 0.8 * serviceMs + 0.2 * (now() - started);
        return { value, queueMs };
      } finally {
        const next = waiting.shift();
        // The slot passes straight to the next job, so inFlight only drops when none waits.
        if (next) next();
        else inFlight--;
        publish();
      }
    },
    load() {
      return {
        queueDepth: waiting.length,
        inFlight,
        concurrency: options.concurrency,
        estimatedWaitMs: estimatedWaitMs(),
        serviceMs,
      };
    },
  };
}
