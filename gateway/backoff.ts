/**
 * Exponential backoff with jitter over the upper half, for the `attempt`-th failure (1-based):
 * retries of many tasks that failed together spread out instead of returning in step.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
