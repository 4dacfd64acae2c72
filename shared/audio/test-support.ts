import type { StreamEncoder } from './types.ts';

/** 2.5 s test signal: a 200 Hz → 1.7 kHz chirp over a 700 Hz tone, peak about −3 dBFS. */
export function chirp(rate: number, seconds = 2.5): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    out[i] = Math.round(
      16_000 * Math.sin(2 * Math.PI * (200 * t + 300 * t * t)) + 6000 * Math.sin(2 * Math.PI * 700 * t),
    );
  }
  return out;
}

/** Voiced-speech-like audio: a 100–160 Hz glottal pulse train through two moving formants, with pauses. */
export function speechLike(rate: number, seconds: number): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  let phase = 0;
  let y1 = 0;
  let y2 = 0;
  let z1 = 0;
  let z2 = 0;
  const resonator = (f: number, bw: number) => {
    const r = Math.exp((-Math.PI * bw) / rate);
    return { a1: 2 * r * Math.cos((2 * Math.PI * f) / rate), a2: -r * r };
  };
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f0 = 130 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += f0 / rate;
    const pulse = phase >= 1 ? 1 : 0;
    if (phase >= 1) phase -= 1;
    const gate = Math.sin(2 * Math.PI * 0.4 * t) > -0.6 ? 1 : 0; // a pause about every 2.5 s
    const f1 = resonator(500 + 250 * Math.sin(2 * Math.PI * 2.1 * t), 80);
    const f2 = resonator(1500 + 600 * Math.sin(2 * Math.PI * 1.3 * t), 120);
    const y = pulse * gate + f1.a1 * y1 + f1.a2 * y2;
    y2 = y1;
    y1 = y;
    const z = y + f2.a1 * z1 + f2.a2 * z2;
    z2 = z1;
    z1 = z;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(z * 400)));
  }
  return out;
}

/** start() + write() per slice between `cuts` + finish(), concatenated. */
export async function encodeInChunks(
  encoder: StreamEncoder,
  pcm: Int16Array,
  cuts: readonly number[],
): Promise<Buffer> {
  const parts = [encoder.start()];
  const bounds = [0, ...cuts, pcm.length];
  for (let i = 0; i + 1 < bounds.length; i++)
    parts.push(await encoder.write(pcm.subarray(bounds[i], bounds[i + 1])));
  parts.push(await encoder.finish());
  return Buffer.concat(parts);
}

export function toFloat(pcm: Int16Array): Float32Array {
  return Float32Array.from(pcm, (s) => s / 32768);
}

export function rms(x: ArrayLike<number>, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += x[i]! ** 2;
  return Math.sqrt(sum / Math.max(1, end - start));
}

/** Normalised correlation of `ref[i]` with `test[i + lag]` over the overlap. */
export function correlation(ref: ArrayLike<number>, test: ArrayLike<number>, lag = 0): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = Math.max(0, -lag); i < ref.length && i + lag < test.length; i++) {
    const a = ref[i]!;
    const b = test[i + lag]!;
    xy += a * b;
    xx += a * a;
    yy += b * b;
  }
  return xy / Math.sqrt(xx * yy || 1);
}

/** The lag in [minLag, maxLag] where `test` best matches `ref`, and the correlation there. */
export function bestLag(
  ref: ArrayLike<number>,
  test: ArrayLike<number>,
  maxLag: number,
  minLag = 0,
): { lag: number; r: number } {
  let best = { lag: minLag, r: -1 };
  for (let lag = minLag; lag <= maxLag; lag++) {
    const r = correlation(ref, test, lag);
    if (r > best.r) best = { lag, r };
  }
  return best;
}
