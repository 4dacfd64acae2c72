/**
 * Linkerd's retry budget: retries (and hedges) may add at most `ratio` of the requests seen in
 * the last `windowMs`, plus `minPerSecond` so low traffic can still retry. A budget, not a
 * per-request count, is what stops retries from multiplying load while a region is down.
 */
export interface RetryBudget {
  /** Counts a request (deposits budget). */
  request(): void;
  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean;
}

export function createRetryBudget(options: {
  ratio: number;
  minPerSecond: number;
  windowMs?: number;
  now?: () => number;
}): RetryBudget {
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = 10;
  const bucketMs = windowMs / buckets;
  const requests = new Array<number>(buckets).fill(0);
  const retries = new Array<number>(buckets).fill(0);
  let current = Math.floor(now() / bucketMs);

  function roll() {
    const bucket = Math.floor(now() / bucketMs);
    for (let b = current + 1; b <= Math.min(bucket, current + buckets); b++) {
      requests[b % buckets] = 0;
      retries[b % buckets] = 0;
    }
    current = Math.max(current, bucket);
    return current % buckets;
  }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

  return {
    request() {
      requests[roll()]! += 1;
    },
    tryRetry() {
      const i = roll();
      const allowed = options.ratio * sum(requests) + options.minPerSecond * (windowMs / 1000);
      if (sum(retries) + 1 > allowed) return false;
      retries[i]! += 1;
      return true;
    },
  };
}
