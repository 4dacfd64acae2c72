/**
 * Peak-sensitive EWMA (Finagle/Linkerd's "peak EWMA"): a sample above the estimate replaces it
 * at once, a lower one pulls it down gradually, so one slow or failed attempt makes an endpoint
 * look slow immediately and it earns its way back.
 */
export function createPeakEwma(options: { decayMs: number; now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  let value: number | undefined;
  let at = 0;
  return {
    observe(sample: number) {
      const t = now();
      if (value === undefined || sample > value) value = sample;
      else {
        const w = Math.exp(-(t - at) / options.decayMs);
        value = value * w + sample * (1 - w);
      }
      at = t;
    },
    get(): number | undefined {
      return value;
    },
  };
}

/** The last `size` samples, for percentiles such as the hedge delay (recent p95). */
export function createSampleWindow(size: number) {
  const samples: number[] = [];
  let next = 0;
  return {
    add(sample: number) {
      if (samples.length < size) samples.push(sample);
      else samples[next] = sample;
      next = (next + 1) % size;
    },
    count: () => samples.length,
    percentile(p: number): number | undefined {
      if (samples.length === 0) return undefined;
      const sorted = [...samples].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    },
  };
}
