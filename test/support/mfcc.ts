/**
 * Speech comparison for tests: MFCCs and dynamic time warping, dependency-free.
 *
 * Two renders of the same sentence by different voices differ in timing and pitch but share
 * their sequence of spectral envelopes. MFCCs keep the envelope and drop the pitch; DTW lines the
 * two sequences up in time; the mean distance along the best path is small for the same words
 * and large for different ones.
 */

export interface Wav {
  samples: Float32Array;
  sampleRate: number;
}

/** Reads a mono or multi-channel 16-bit PCM WAV (first channel), as espeak-ng writes it. */
export function readWav(buf: Buffer): Wav {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let sampleRate = 0;
  let channels = 1;
  let bits = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    // espeak-ng writes a placeholder size for a streamed data chunk: trust the file's end instead.
    const declared = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (buf.readUInt16LE(body) !== 1) throw new Error('WAV is not PCM');
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16 || sampleRate === 0) throw new Error('WAV is not 16-bit PCM');
      const end = Math.min(
        buf.length,
        declared > 0 && body + declared <= buf.length ? body + declared : buf.length,
      );
      const frames = Math.floor((end - body) / (2 * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * channels) / 32768;
      return { samples, sampleRate };
    }
    offset = body + declared + (declared % 2);
  }
  throw new Error('WAV has no data chunk');
}

export function pcm16ToFloat(pcm: Int16Array): Float32Array {
  return Float32Array.from(pcm, (v) => v / 32768);
}

export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/**
 * Drops leading and trailing silence: frames (10 ms) quieter than `relative` × the loudest
 * frame's RMS. Different voices pad differently; DTW would otherwise have to align the padding.
 */
export function trimSilence(samples: Float32Array, sampleRate: number, relative = 0.02): Float32Array {
  const frame = Math.max(1, Math.round(sampleRate / 100));
  const levels: number[] = [];
  for (let start = 0; start < samples.length; start += frame) {
    levels.push(rms(samples.subarray(start, Math.min(samples.length, start + frame))));
  }
  const threshold = Math.max(...levels, 0) * relative;
  const first = levels.findIndex((l) => l > threshold);
  if (first < 0) return samples.subarray(0, 0);
  const last = levels.findLastIndex((l) => l > threshold);
  return samples.subarray(first * frame, Math.min(samples.length, (last + 1) * frame));
}

/** In-place iterative radix-2 FFT; `re.length` must be a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/** Triangular filters on the mel scale, as rows over the FFT's `fftSize / 2 + 1` bins. */
function melFilterbank(
  bands: number,
  fftSize: number,
  sampleRate: number,
  lowHz: number,
  highHz: number,
): Float64Array[] {
  const bins = fftSize / 2 + 1;
  const low = hzToMel(lowHz);
  const high = hzToMel(Math.min(highHz, sampleRate / 2));
  const edges = Array.from({ length: bands + 2 }, (_, i) => melToHz(low + ((high - low) * i) / (bands + 1)));
  return Array.from({ length: bands }, (_, b) => {
    const [left, centre, right] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const row = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      const hz = (k * sampleRate) / fftSize;
      row[k] = Math.max(0, Math.min((hz - left) / (centre - left), (right - hz) / (right - centre)));
    }
    return row;
  });
}

export interface MfccOptions {
  windowMs?: number;
  hopMs?: number;
  melBands?: number;
  /** Cepstral coefficients kept, c1…cN (c0, the loudness, is left out). */
  coefficients?: number;
  lowHz?: number;
  /** Upper edge of the filterbank; 8 kHz keeps 16 kHz and 22.05 kHz renders comparable. */
  highHz?: number;
}

/** MFCC frames (one array of `coefficients` per hop) of mono samples at their own rate. */
export function mfcc(samples: Float32Array, sampleRate: number, options: MfccOptions = {}): Float64Array[] {
  const { windowMs = 25, hopMs = 10, melBands = 26, coefficients = 13, lowHz = 20, highHz = 8000 } = options;
  const win = Math.round((sampleRate * windowMs) / 1000);
  const hop = Math.round((sampleRate * hopMs) / 1000);
  let fftSize = 1;
  while (fftSize < win) fftSize <<= 1;
  const window = Float64Array.from(
    { length: win },
    (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (win - 1)),
  );
  const filters = melFilterbank(melBands, fftSize, sampleRate, lowHz, highHz);
  const dct = Array.from({ length: coefficients }, (_, c) =>
    Float64Array.from({ length: melBands }, (_, m) => Math.cos((Math.PI / melBands) * (m + 0.5) * (c + 1))),
  );
  const frames: Float64Array[] = [];
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const logMel = new Float64Array(melBands);
  for (let start = 0; start + win <= samples.length; start += hop) {
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < win; i++) re[i] = samples[start + i]! * window[i]!;
    fft(re, im);
    for (let b = 0; b < melBands; b++) {
      const row = filters[b]!;
      let energy = 0;
      for (let k = 0; k < row.length; k++) {
        const w = row[k]!;
        if (w > 0) energy += w * (re[k]! * re[k]! + im[k]! * im[k]!);
      }
      logMel[b] = Math.log(energy + 1e-10);
    }
    frames.push(
      Float64Array.from(dct, (basis) => {
        let sum = 0;
        for (let m = 0; m < melBands; m++) sum += basis[m]! * logMel[m]!;
        return sum;
      }),
    );
  }
  return frames;
}

/** Per-coefficient mean and variance normalisation over the utterance (removes channel and voice tilt). */
export function normalise(frames: readonly Float64Array[]): Float64Array[] {
  if (frames.length === 0) return [];
  const dims = frames[0]!.length;
  const mean = new Float64Array(dims);
  const std = new Float64Array(dims);
  for (const f of frames) for (let d = 0; d < dims; d++) mean[d] = mean[d]! + f[d]! / frames.length;
  for (const f of frames)
    for (let d = 0; d < dims; d++) std[d] = std[d]! + (f[d]! - mean[d]!) ** 2 / frames.length;
  for (let d = 0; d < dims; d++) std[d] = Math.sqrt(std[d]!) || 1;
  return frames.map((f) => Float64Array.from(f, (v, d) => (v - mean[d]!) / std[d]!));
}

/**
 * Dynamic time warping with Euclidean frame distance and steps (1,0), (0,1), (1,1); returns the
 * total cost of the best path divided by its length, so long and short utterances compare.
 */
export function dtw(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Number.POSITIVE_INFINITY;
  let prevCost = new Float64Array(m + 1).fill(Number.POSITIVE_INFINITY);
  let prevLen = new Float64Array(m + 1);
  let cost = new Float64Array(m + 1);
  let len = new Float64Array(m + 1);
  prevCost[0] = 0;
  for (let i = 1; i <= n; i++) {
    cost.fill(Number.POSITIVE_INFINITY);
    len.fill(0);
    const ai = a[i - 1]!;
    for (let j = 1; j <= m; j++) {
      const bj = b[j - 1]!;
      let d = 0;
      for (let k = 0; k < ai.length; k++) d += (ai[k]! - bj[k]!) ** 2;
      // Ties prefer the diagonal, then a shorter path: deterministic and symmetric enough.
      let best = prevCost[j - 1]!;
      let bestLen = prevLen[j - 1]!;
      if (prevCost[j]! < best) {
        best = prevCost[j]!;
        bestLen = prevLen[j]!;
      }
      if (cost[j - 1]! < best) {
        best = cost[j - 1]!;
        bestLen = len[j - 1]!;
      }
      cost[j] = best + Math.sqrt(d);
      len[j] = bestLen + 1;
    }
    [prevCost, cost] = [cost, prevCost];
    [prevLen, len] = [len, prevLen];
  }
  return prevCost[m]! / prevLen[m]!;
}

/** Trim, MFCC and normalise in one step: what the speech tests compare. */
export function speechFeatures(
  samples: Float32Array,
  sampleRate: number,
  options?: MfccOptions,
): Float64Array[] {
  return normalise(mfcc(trimSilence(samples, sampleRate), sampleRate, options));
}
