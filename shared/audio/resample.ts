import type { SpeexModule } from '@echogarden/speex-resampler-wasm/simd';

/** A resampler for one stream: the filter state carries over between chunks. */
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

/**
 * SpeexDSP's resampler at quality 5 ("desktop"): a Kaiser-windowed sinc with an 89 % passband
 * and about 100 dB of stopband, where libsamplerate's fastest converter, used here before, has
 * 80 % and 97 dB. Through its WASM SIMD build it runs about 4× faster on 22.05 → 24 kHz
 * speech (docs/architecture.md, "Encoding cost").
 */
const RESAMPLER_QUALITY = 5;
const RESAMPLER_ERRORS = ['success', 'out of memory', 'bad state', 'invalid argument', 'overflow'];

let loading: Promise<SpeexModule> | undefined;

/** One WASM instance per thread hosts every stream's state; its heap grows as streams need. */
function speex(): Promise<SpeexModule> {
  loading ??= (async () => {
    try {
      return await (await import('@echogarden/speex-resampler-wasm/simd')).default();
    } catch {
      // A runtime without WebAssembly SIMD: the portable build gives the same samples, slower.
      return (await import('@echogarden/speex-resampler-wasm')).default();
    }
  })();
  return loading;
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
 * Creates a band-limited streaming resampler for mono 16-bit PCM. The first output sample lines up
 * with the first input sample (the filter's start-up delay is skipped), so a clip keeps its timing.
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
  const wasm = await speex();
  // Two u32 lengths (in, out) that process_int reads and writes back.
  const lengths = wasm._malloc(8);
  const state = wasm._speex_resampler_init(1, inputRate, outputRate, RESAMPLER_QUALITY, lengths);
  if (!state) {
    const code = wasm.HEAPU32[lengths >> 2]!;
    wasm._free(lengths);
    throw new Error(`speex resampler init failed: ${RESAMPLER_ERRORS[code] ?? code}`);
  }
  wasm._speex_resampler_skip_zeros(state);
  const latency = wasm._speex_resampler_get_input_latency(state);
  let buffer = 0;
  let capacity = 0; // samples, for input and output alike
  let open = true;
  let totalIn = 0;
  let totalOut = 0;

  const reserve = (samples: number): void => {
    if (samples <= capacity) return;
    if (buffer) wasm._free(buffer);
    capacity = Math.max(samples, 4096);
    // Input first, output after it.
    buffer = wasm._malloc(capacity * 4);
    if (!buffer) throw new Error('speex resampler: out of WASM memory');
  };
  const close = (): void => {
    if (!open) return;
    open = false;
    wasm._speex_resampler_destroy(state);
    if (buffer) wasm._free(buffer);
    wasm._free(lengths);
  };
  const run = (pcm: Int16Array, limit = Number.POSITIVE_INFINITY): Int16Array => {
    if (!open) throw new Error('resampler already flushed or closed');
    const room = Math.ceil(((pcm.length + 1) * outputRate) / inputRate) + 16;
    reserve(Math.max(pcm.length, room));
    const input = buffer;
    const output = buffer + capacity * 2;
    // The heap may have grown (and its views been replaced) in _malloc, so views are read here.
    wasm.HEAP16.set(pcm, input >> 1);
    const u32 = wasm.HEAPU32;
    u32[lengths >> 2] = pcm.length;
    u32[(lengths >> 2) + 1] = capacity;
    const code = wasm._speex_resampler_process_int(state, 0, input, lengths, output, lengths + 4);
    if (code !== 0) throw new Error(`speex resampler: ${RESAMPLER_ERRORS[code] ?? code}`);
    const consumed = wasm.HEAPU32[lengths >> 2]!;
    if (consumed !== pcm.length) throw new Error(`speex resampler took ${consumed} of ${pcm.length} samples`);
    const produced = Math.min(wasm.HEAPU32[(lengths >> 2) + 1]!, limit);
    return wasm.HEAP16.slice(output >> 1, (output >> 1) + produced);
  };

  return {
    inputRate,
    outputRate,
    push(pcm) {
      if (pcm.length === 0) {
        if (!open) throw new Error('resampler already flushed or closed');
        return new Int16Array(0);
      }
      const out = run(pcm);
      totalIn += pcm.length;
      totalOut += out.length;
      return out;
    },
    flush() {
      if (!open) throw new Error('resampler already flushed or closed');
      const expected = Math.round((totalIn * outputRate) / inputRate);
      const parts: Int16Array[] = [];
      // The filter holds `latency` input samples back; silence pushes them through, and the
      // output is cut at the exact length.
      const zeros = new Int16Array(Math.max(latency, Math.ceil(inputRate / 100)));
      try {
        for (let guard = 0; totalOut < expected && guard < 100; guard++) {
          const out = run(zeros, expected - totalOut);
          parts.push(out);
          totalOut += out.length;
        }
      } finally {
        close();
      }
      if (totalOut !== expected) throw new Error(`resampler tail short: ${totalOut} of ${expected} samples`);
      return concatInt16(parts);
    },
    close,
  };
}

/** One-shot band-limited resampling of 16-bit PCM; the same samples as streaming it in any chunks. */
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
