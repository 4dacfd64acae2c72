/**
 * A seeded pseudo-random generator (mulberry32) returning floats in [0, 1). Faults drawn from it
 * repeat exactly for the same seed and the same sequence of draws, so a flaky-looking test run
 * can be replayed.
 *
 * @example
 * const random = createPrng(42);
 * if (random() < 0.05) stall();
 */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
