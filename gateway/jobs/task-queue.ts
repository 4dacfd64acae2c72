import type { Task } from './job-types.ts';

/** A task handed to one worker. It stays that worker's until acknowledged, retried or released. */
export interface Delivery {
  id: string;
  task: Task;
  /** How many times the queue has handed this entry out (1 for a first delivery). */
  deliveries: number;
  /** Claimed from a worker that stopped answering (crashed, killed, partitioned). */
  redelivered: boolean;
}

export interface QueueDepth {
  /** Waiting for a worker. */
  ready: number;
  /** Handed to a worker, not yet acknowledged. */
  inProgress: number;
  /** Waiting out a retry backoff. */
  delayed: number;
  deadLetters: number;
}

/**
 * An at-least-once work queue with consumer groups: a delivered task that is neither
 * acknowledged nor kept alive by `heartbeat` is handed to another worker after `minIdleMs`.
 * Work done for a task must therefore be idempotent (the job store makes it so).
 */
export interface TaskQueue {
  ensureGroup(): Promise<void>;
  /** New tasks for `consumer`, waiting up to `blockMs` for the first. */
  fetch(consumer: string, count: number, blockMs: number): Promise<Delivery[]>;
  /** Tasks other consumers have held for at least `minIdleMs` without a heartbeat. */
  claimStale(consumer: string, count: number, minIdleMs: number): Promise<Delivery[]>;
  /** Keeps deliveries `consumer` is still working on from being claimed. */
  heartbeat(consumer: string, ids: readonly string[]): Promise<void>;
  ack(delivery: Delivery): Promise<void>;
  /** Acknowledges and schedules `next` at `dueAt` (epoch ms), atomically. */
  retry(delivery: Delivery, next: Task, dueAt: number): Promise<void>;
  /** Acknowledges and files the task in the dead-letter list with why it failed, atomically. */
  deadLetter(delivery: Delivery, reason: string): Promise<void>;
  /** Puts an unfinished task back for any worker now (a worker shutting down). */
  release(delivery: Delivery): Promise<void>;
  /** Moves retries whose backoff has passed back to the ready queue; returns how many. */
  promoteDue(now: number): Promise<number>;
  depth(): Promise<QueueDepth>;
}
