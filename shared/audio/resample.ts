import libsamplerate from '@alexanderolsen/libsamplerate-js';

type Src = Awaited<ReturnType<typeof libsamplerate.create>>;

/** A resampler for one stream: libsamplerate's `full` API keeps the filter state between chunks. */
export interface StreamResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Resamples the next chunk. The output lags the input by the filter's delay until `flush()`. */
  push(pcm: Int16Array): Int16Array;
  /**
   * Emits the held-back tail, so that everything pushed comes out as exactly
   * `round(totalIn × outputRate / inputRate)` samples, the same samples a one-shot resample of
   * the concatenated input gives. Releases the converter; the resampler cannot be used again.
   */
  flush(): Int16Array;
  /** Releases the converter without emitting the tail (an aborted stream). Idempotent. */
  close(): void;
}

// libsamplerate's fastest sinc converter (97 dB SNR, 80 % bandwidth), as node/audio/resample.ts uses.
const CONVERTER = libsamplerate.ConverterType.SRC_SINC_FASTEST;
const MAX_IDLE_PER_PAIR = 4;
const idle = new Map<string, Src[]>();

/**
 * Each converter is its own WASM instance (about 16 ms to create, 70 ms for the first), so
 * released ones are kept, reset, for the next stream at the same rate pair.
 */
async function acquire(inRate: number, outRate: number): Promise<Src> {
  const pooled = idle.get(`${inRate}:${outRate}`)?.pop();
  if (pooled) return pooled;
  return libsamplerate.create(1, inRate, outRate, { converterType: CONVERTER });
}

function release(src: Src): void {
  const key = `${src.inputSampleRate}:${src.outputSampleRate}`;
  const list = idle.get(key) ?? [];
  if (list.length >= MAX_IDLE_PER_PAIR) {
    src.destroy();
    return;
  }
  // Re-assigning the converter type re-creates the C state, which drops the previous stream's history.
  src.converterType = CONVERTER;
  list.push(src);
  idle.set(key, list);
}

function toFloat(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = pcm[i]! / 32768;
  return out;
}

function toInt16(samples: Float32Array, count = samples.length): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const v = Math.round(samples[i]! * 32768);
    out[i] = v > 32767 ? 32767 : Math.max(v, -32768);
  }
  return out;
}

function passthrough(rate: number): StreamResampler {
  return {
    inputRate: rate,
    outputRate: rate,
    push: (pcm) => pcm,
    flush: () => new Int16Array(0),
    close: () => {},
  };
}

/**
 * Creates a band-limited streaming resampler for mono 16-bit PCM.
 *
 * @example
 * const rs = await createStreamResampler(22_050, 24_000);
 * const head = rs.push(sentence1);
 * const body = rs.push(sentence2);
 * const tail = rs.flush();
 */
export async function createStreamResampler(inputRate: number, outputRate: number): Promise<StreamResampler> {
  for (const rate of [inputRate, outputRate]) {
    if (!Number.isInteger(rate) || rate < 1 || rate > 192_000)
      throw new RangeError(`bad sample rate ${rate}`);
  }
  if (inputRate === outputRate) return passthrough(inputRate);
  let src: Src | undefined = await acquire(inputRate, outputRate);
  let totalIn = 0;
  let totalOut = 0;
  const live = (): Src => {
    if (!src) throw new Error('resampler already flushed or closed');
    return src;
  };
  const close = (): void => {
    if (src) release(src);
    src = undefined;
  };
  return {
    inputRate,
    outputRate,
    push(pcm) {
      const converter = live();
      if (pcm.length === 0) return new Int16Array(0);
      totalIn += pcm.length;
      const out = toInt16(converter.full(toFloat(pcm)));
      totalOut += out.length;
      return out;
    },
    flush() {
      const converter = live();
      const expected = Math.round((totalIn * outputRate) / inputRate);
      const parts: Int16Array[] = [];
      // The C wrapper never sets end_of_input, so the tail is pushed out with silence and cut.
      const zeros = new Float32Array(Math.ceil(inputRate / 50));
      for (let guard = 0; totalOut < expected && guard < 100; guard++) {
        const out = converter.full(zeros);
        const take = Math.min(out.length, expected - totalOut);
        parts.push(toInt16(out, take));
        totalOut += take;
      }
      close();
      if (totalOut !== expected) throw new Error(`resampler tail short: ${totalOut} of ${expected} samples`);
      return concatInt16(parts);
    },
    close,
  };
}

/** One-shot band-limited resampling of 16-bit PCM; same output as a single `simple()` call. */
export async function resamplePcm16(pcm: Int16Array, inRate: number, outRate: number): Promise<Int16Array> {
  if (inRate === outRate) return pcm;
  const rs = await createStreamResampler(inRate, outRate);
  const head = rs.push(pcm);
  return concatInt16([head, rs.flush()]);
}

export function concatInt16(parts: readonly Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
