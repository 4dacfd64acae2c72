export interface ThroughputMeterOptions {
  /** Rate assumed until the first measurement, in units per ms. */
  initialRate: number;
  /** Busy time a measurement spans at least; shorter windows are too noisy. Default 50 ms. */
  windowMs?: number;
  /** Weight of a new window in the moving average. Default 0.3. */
  alpha?: number;
  now?: () => number;
}

export interface ThroughputMeter {
  /** Tell the meter how many jobs run now; time with none running is not counted. */
  busy(running: number): void;
  completed(units: number): void;
  /** Units per ms. */
  rate(): number;
  msFor(units: number): number;
}

/**
 * Measures throughput as work finished per *busy* millisecond, so idle time between requests
 * does not make the node look slow and concurrent jobs count once. A window of at least
 * `windowMs` busy time feeds an exponential moving average; the first replaces the prior.
 */
export function createThroughputMeter(options: ThroughputMeterOptions): ThroughputMeter {
  const now = options.now ?? (() => performance.now());
  const windowMs = options.windowMs ?? 50;
  const alpha = options.alpha ?? 0.3;
  let rate = options.initialRate;
  let measured = false;
  let running = 0;
  let since = now();
  let windowBusy = 0;
  let windowUnits = 0;

  function accrue() {
    const t = now();
    if (running > 0) windowBusy += t - since;
    since = t;
  }

  return {
    busy(count) {
      accrue();
      running = count;
    },
    completed(units) {
      accrue();
      windowUnits += units;
      if (windowBusy < windowMs || windowUnits <= 0) return;
      const sample = windowUnits / windowBusy;
      rate = measured ? alpha * sample + (1 - alpha) * rate : sample;
      measured = true;
      windowBusy = 0;
      windowUnits = 0;
    },
    rate: () => rate,
    msFor: (units) => (units <= 0 ? 0 : units / rate),
  };
}
