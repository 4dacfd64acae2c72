/**
 * Latency estimate in the shape of Finagle/Linkerd's peak EWMA: a failure (observed with
 * `peak`) replaces the estimate at once, so an endpoint that fails looks slow immediately and
 * earns its way back; ordinary samples are averaged with a time constant of `decayMs`, so one
 * slow response on a busy machine does not move traffic.
 */
export function createPeakEwma(options: { decayMs: number; now?: () => number }) {
  const now = options.now ?? (() => performance.now());
  let value: number | undefined;
  let at = 0;
  return {
    observe(sample: number, mode: { peak?: boolean } = {}) {
      const t = now();
      if (value === undefined || (mode.peak && sample > value)) value = sample;
      else {
        const w = Math.exp(-Math.max(0, t - at) / options.decayMs);
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
