import type { Task } from './job-types.ts';

/**
 * What running a task came to. `later` puts it back after `delayMs` without spending an attempt
 * (the tenant's rate limit said wait); failures are thrown instead.
 */
export type TaskOutcome =
  | { outcome: 'done' | 'duplicate' | 'inactive' }
  | { outcome: 'later'; delayMs: number; reason: 'throttled' };

/** A failure that another attempt cannot fix (a 4xx from the node, a refused webhook target). */
export class PermanentTaskError extends Error {
  override readonly name = 'PermanentTaskError';
  readonly code: string;
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
  }
}

/** Runs one kind of task; `giveUp` records the failure once attempts are spent. */
export interface TaskProcessor {
  run(task: Task, signal: AbortSignal): Promise<TaskOutcome>;
  giveUp(task: Task, error: unknown, attempts: number): Promise<void>;
}
