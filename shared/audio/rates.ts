/**
 * The smallest rate in `supported` (ascending) at or above `inputRate`, else the largest: a codec
 * rate that keeps the input's whole band, so an input the codec accepts is never resampled.
 */
export function codecRate(supported: readonly number[], inputRate: number): number {
  return supported.find((rate) => rate >= inputRate) ?? supported[supported.length - 1]!;
}

export function assertSampleRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 192_000) {
    throw new RangeError(`inputSampleRate must be an integer from 1000 to 192000 Hz, got ${rate}`);
  }
}

export function assertBitrate(kbps: number, min: number, max: number): void {
  if (!Number.isFinite(kbps) || kbps < min || kbps > max) {
    throw new RangeError(`bitrateKbps must be from ${min} to ${max}, got ${kbps}`);
  }
}
