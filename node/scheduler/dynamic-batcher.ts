import { compareTags, type WorkTag } from './fair-clock.ts';
import { createPriorityQueue, type PriorityQueue } from './priority-queue.ts';

export interface DynamicBatcherOptions<I, R> {
  /** Largest batch for any key (Triton's `max_batch_size`). */
  maxBatch: number;
  /** Longest an item waits for company when more work is on its way (`max_queue_delay`). */
  maxDelayMs: number;
  /** Batches that run at once: one per inference session slot. */
  concurrency: number;
  /**
   * Padded size ÷ real size a batch may reach (padding is computed, so it costs). Items that
   * would push a batch past it wait for a batch of their own length. Default 1.5.
   */
  maxPadding?: number;
  /**
   * Most padded size (items × longest) in one batch. A batch cannot be interrupted, so this
   * bounds how long a newly arrived item of another tenant waits for the running batch; long
   * items gain little from batching anyway. Default unlimited.
   */
  maxTokens?: number;
  /**
   * With several slots, keep one free of any single tenant: batches headed by one tenant take
   * at most `concurrency - 1` slots, so another tenant's sentence starts at once instead of
   * waiting for a running batch to end. Default true.
   */
  reserveForOthers?: boolean;
  /** Largest batch for a key, at most `maxBatch`; 1 runs the key unbatched. Default `maxBatch`. */
  limit?(key: string): number;
  /** Items known to be on their way for a key. Waiting for company only pays when some are. */
  pending?(key: string): number;
  /** Runs one batch; returns one result per input, in order. */
  run(key: string, inputs: I[]): Promise<R[]>;
  /** Called when a batch is dispatched (for metrics and the fair clock). */
  onBatch?(key: string, items: readonly { tag: WorkTag; size: number; waitedMs: number }[]): void;
  now?: () => number;
}

export interface SubmitOptions {
  /** Fair order of the item (from the request's tag). */
  tag: WorkTag;
  /** Length the item would be padded from (phoneme ids). */
  size: number;
}

export interface DynamicBatcher<I, R> {
  /** Resolves with the item's result and how long it waited for its batch to start. */
  submit(key: string, input: I, options: SubmitOptions): Promise<{ value: R; waitedMs: number }>;
  /** Re-examines the queues, e.g. after `pending` dropped because expected work failed. */
  poke(): void;
  load(): { queued: number; running: number };
}

interface Item<I, R> {
  key: string;
  input: I;
  tag: WorkTag;
  size: number;
  enqueuedAt: number;
  /** Arrival order among equal tags (the parts of one chunk share a tag). */
  arrival: number;
  waitedMs: number;
  resolve(value: { value: R; waitedMs: number }): void;
  reject(err: unknown): void;
}

/**
 * Triton-style dynamic batching in fair order: per key (a voice and its batch-compatible
 * parameters) items queue by tag; when a session slot is free the key whose head sorts first is
 * dispatched with up to `limit(key)` items that fit the padding budget. A partial batch waits up
 * to `maxDelayMs` from its oldest item, but only while `pending(key)` says more items are coming:
 * an idle node never delays a lone request.
 */
export function createDynamicBatcher<I, R>(options: DynamicBatcherOptions<I, R>): DynamicBatcher<I, R> {
  const now = options.now ?? (() => performance.now());
  const maxPadding = options.maxPadding ?? 1.5;
  const maxTokens = options.maxTokens ?? Number.POSITIVE_INFINITY;
  const queues = new Map<string, PriorityQueue<Item<I, R>>>();
  const perTenant =
    options.concurrency > 1 && (options.reserveForOthers ?? true)
      ? options.concurrency - 1
      : options.concurrency;
  /** Running batches per tenant of their first item. */
  const holding = new Map<string, number>();
  let running = 0;
  let queued = 0;
  let arrivals = 0;
  const order = (a: Item<I, R>, b: Item<I, R>) => compareTags(a.tag, b.tag) || a.arrival - b.arrival;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;

  const limitOf = (key: string) =>
    Math.max(1, Math.min(options.maxBatch, options.limit?.(key) ?? options.maxBatch));

  /** When the key may dispatch a partial batch: now, or once its oldest item has waited long enough. */
  function readyAt(key: string, queue: PriorityQueue<Item<I, R>>): number {
    const limit = limitOf(key);
    if (limit === 1 || queue.size >= limit || options.maxDelayMs <= 0) return 0;
    if ((options.pending?.(key) ?? 0) === 0) return 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const item of queue.values()) oldest = Math.min(oldest, item.enqueuedAt);
    return oldest + options.maxDelayMs;
  }

  /** The first item in fair order whose tenant may start another batch. */
  function eligibleHead(queue: PriorityQueue<Item<I, R>>): Item<I, R> | undefined {
    const top = queue.peek();
    if (!top || (holding.get(top.tag.tenant) ?? 0) < perTenant) return top;
    let best: Item<I, R> | undefined;
    for (const item of queue.values()) {
      if ((holding.get(item.tag.tenant) ?? 0) >= perTenant) continue;
      if (!best || order(item, best) < 0) best = item;
    }
    return best;
  }

  function take(key: string, queue: PriorityQueue<Item<I, R>>, head: Item<I, R>): Item<I, R>[] {
    const limit = limitOf(key);
    const batch = queue.peek() === head ? [queue.pop()!] : queue.drain((item) => item === head);
    let total = batch[0]!.size;
    let longest = total;
    const skipped: Item<I, R>[] = [];
    // Look a little past the batch size for items that fit the padding budget.
    for (let scanned = 0; batch.length < limit && queue.size > 0 && scanned < 4 * limit; scanned++) {
      const item = queue.pop()!;
      const padded = (batch.length + 1) * Math.max(longest, item.size);
      if (padded <= maxPadding * (total + item.size) && padded <= maxTokens) {
        batch.push(item);
        total += item.size;
        longest = Math.max(longest, item.size);
      } else skipped.push(item);
    }
    for (const item of skipped) queue.push(item);
    if (queue.size === 0) queues.delete(key);
    return batch;
  }

  function dispatch(key: string, batch: Item<I, R>[]) {
    running++;
    const owner = batch[0]!.tag.tenant;
    holding.set(owner, (holding.get(owner) ?? 0) + 1);
    queued -= batch.length;
    const t = now();
    for (const item of batch) item.waitedMs = t - item.enqueuedAt;
    options.onBatch?.(key, batch);
    let results: Promise<R[]>;
    try {
      results = options.run(
        key,
        batch.map((item) => item.input),
      );
    } catch (err) {
      results = Promise.reject(err);
    }
    // The slot is free before anyone hears of the result, so load() is right when they look.
    const settle = (deliver: () => void) => {
      running--;
      const held = (holding.get(owner) ?? 1) - 1;
      if (held > 0) holding.set(owner, held);
      else holding.delete(owner);
      deliver();
      pump();
    };
    const fail = (err: unknown) => {
      for (const item of batch) item.reject(err);
    };
    results.then(
      (values) =>
        settle(() => {
          if (values.length !== batch.length)
            fail(new Error(`batch of ${batch.length} returned ${values.length} results`));
          else
            for (const [i, item] of batch.entries())
              item.resolve({ value: values[i]!, waitedMs: item.waitedMs });
        }),
      (err: unknown) => settle(() => fail(err)),
    );
  }

  function pump() {
    while (running < options.concurrency && queues.size > 0) {
      const t = now();
      const heads = [...queues.entries()]
        .map(([key, queue]) => ({ key, queue, head: eligibleHead(queue) }))
        .filter((entry) => entry.head !== undefined)
        .sort((a, b) => order(a.head!, b.head!));
      let next: (typeof heads)[number] | undefined;
      let wakeAt = Number.POSITIVE_INFINITY;
      for (const entry of heads) {
        const at = readyAt(entry.key, entry.queue);
        if (at <= t) {
          next = entry;
          break;
        }
        wakeAt = Math.min(wakeAt, at);
      }
      if (!next) {
        // Nothing eligible: a finishing batch pumps again; a waiting partial batch needs a timer.
        if (wakeAt < Number.POSITIVE_INFINITY) arm(wakeAt);
        return;
      }
      dispatch(next.key, take(next.key, next.queue, next.head!));
    }
  }

  function arm(at: number) {
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        pump();
      },
      Math.max(0, at - now()),
    );
  }

  return {
    submit(key, input, { tag, size }) {
      return new Promise((resolve, reject) => {
        let queue = queues.get(key);
        if (!queue) {
          queue = createPriorityQueue<Item<I, R>>(order);
          queues.set(key, queue);
        }
        queue.push({
          key,
          input,
          tag,
          size,
          enqueuedAt: now(),
          arrival: ++arrivals,
          waitedMs: 0,
          resolve,
          reject,
        });
        queued++;
        pump();
      });
    },
    poke: pump,
    load: () => ({ queued, running }),
  };
}
