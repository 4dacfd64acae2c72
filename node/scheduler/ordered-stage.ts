import { compareTags, type WorkTag } from './fair-clock.ts';
import { createPriorityQueue } from './priority-queue.ts';

export interface OrderedStageOptions {
  /** Jobs that run at once. */
  concurrency: number;
  /**
   * With several slots, keep one free of any single tenant: a tenant runs at most
   * `concurrency - 1` jobs, so another tenant's job starts at once instead of waiting for one
   * of the flood's jobs to end (a job cannot be interrupted). Default true.
   */
  reserveForOthers?: boolean;
}

export interface OrderedStage {
  /**
   * Runs `job` when a slot is free and no waiting job sorts before `tag`, telling it which slot
   * (0 … concurrency − 1): a tenant with more jobs waiting gets the lowest free slot, one with
   * none the highest, so slots can be given different priorities (espeak-ng's nice values).
   */
  run<T>(tag: WorkTag, job: (slot: number) => Promise<T>): Promise<T>;
  load(): { waiting: number; running: number };
}

interface Entry {
  tag: WorkTag;
  /** Arrival order among equal tags. */
  arrival: number;
  start(slot: number): void;
}

/**
 * A pipeline stage with `concurrency` slots whose waiting jobs start in fair-tag order (the
 * phonemizer: a short request of another tenant overtakes a long backlog here too).
 */
export function createOrderedStage(options: OrderedStageOptions): OrderedStage {
  const { concurrency } = options;
  const perTenant = concurrency > 1 && (options.reserveForOthers ?? true) ? concurrency - 1 : concurrency;
  const waiting = createPriorityQueue<Entry>((a, b) => compareTags(a.tag, b.tag) || a.arrival - b.arrival);
  const holding = new Map<string, number>();
  /** Waiting jobs per tenant: a tenant with a backlog takes the low (bulk) slots. */
  const backlog = new Map<string, number>();
  const busy = Array.from({ length: concurrency }, () => false);
  let running = 0;
  let arrivals = 0;

  function slotFor(tenant: string): number {
    const bulk = (backlog.get(tenant) ?? 0) > 0;
    if (bulk) return busy.indexOf(false);
    return busy.lastIndexOf(false);
  }

  function next() {
    const skipped: Entry[] = [];
    while (running < concurrency && waiting.size > 0) {
      const entry = waiting.pop()!;
      const tenant = entry.tag.tenant;
      if ((holding.get(tenant) ?? 0) >= perTenant) {
        skipped.push(entry);
        continue;
      }
      running++;
      holding.set(tenant, (holding.get(tenant) ?? 0) + 1);
      const left = (backlog.get(tenant) ?? 1) - 1;
      if (left > 0) backlog.set(tenant, left);
      else backlog.delete(tenant);
      const slot = slotFor(tenant);
      busy[slot] = true;
      entry.start(slot);
    }
    for (const entry of skipped) waiting.push(entry);
  }

  function release(tenant: string, slot: number) {
    running--;
    busy[slot] = false;
    const held = (holding.get(tenant) ?? 1) - 1;
    if (held > 0) holding.set(tenant, held);
    else holding.delete(tenant);
    next();
  }

  return {
    run(tag, job) {
      return new Promise((resolve, reject) => {
        backlog.set(tag.tenant, (backlog.get(tag.tenant) ?? 0) + 1);
        waiting.push({
          tag,
          arrival: ++arrivals,
          start: (slot) => {
            let result: ReturnType<typeof job>;
            try {
              result = job(slot);
            } catch (err) {
              result = Promise.reject(err);
            }
            result.then(
              (value) => {
                release(tag.tenant, slot);
                resolve(value);
              },
              (err: unknown) => {
                release(tag.tenant, slot);
                reject(err);
              },
            );
          },
        });
        next();
      });
    },
    load: () => ({ waiting: waiting.size, running }),
  };
}
