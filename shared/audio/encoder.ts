import { ApiError } from '../errors.ts';
import { createFlacEncoder } from './flac.ts';
import { createMp3Encoder } from './mp3.ts';
import { createOpusEncoder } from './opus.ts';
import { createPcmEncoder } from './pcm.ts';
import { assertSampleRate } from './rates.ts';
import {
  type EncoderOptions,
  isOutputFormat,
  type OutputFormat,
  outputFormats,
  type StreamEncoder,
} from './types.ts';
import { createWavEncoder } from './wav.ts';

export type { EncoderOptions, OutputFormat, StreamEncoder } from './types.ts';
export { contentTypes, isOutputFormat, outputFormats } from './types.ts';
export { finalizeWav } from './wav.ts';

/**
 * Enforces start → write… → finish, and frees native state when a call fails, so a caller's
 * mistake surfaces as an error rather than a corrupt file or a leaked WASM encoder.
 */
function guarded(inner: StreamEncoder): StreamEncoder {
  let state: 'new' | 'started' | 'busy' | 'done' = 'new';
  const expect = (wanted: 'new' | 'started', call: string): void => {
    if (state !== wanted) throw new Error(`StreamEncoder.${call}() called while ${state}`);
  };
  const run = async (
    call: string,
    work: () => Promise<Buffer>,
    next: 'started' | 'done',
  ): Promise<Buffer> => {
    expect('started', call);
    state = 'busy';
    try {
      const bytes = await work();
      state = next;
      if (next === 'done') inner.abort();
      return bytes;
    } catch (err) {
      state = 'done';
      inner.abort();
      throw err;
    }
  };
  return {
    format: inner.format,
    contentType: inner.contentType,
    outputSampleRate: inner.outputSampleRate,
    start() {
      expect('new', 'start');
      state = 'started';
      return inner.start();
    },
    write: (pcm) => run('write', () => inner.write(pcm), 'started'),
    finish: () => run('finish', () => inner.finish(), 'done'),
    abort() {
      state = 'done';
      inner.abort();
    },
  };
}

/**
 * Creates a streaming encoder from mono s16le PCM at `inputSampleRate` to `format`.
 *
 * - `wav`: input rate, 16-bit mono, header sizes 0xFFFFFFFF (patch a stored clip with `finalizeWav`).
 * - `pcm`: raw 24 kHz s16le mono (OpenAI's definition), resampled.
 * - `mp3`: input rate if MPEG supports it, mono CBR, `bitrateKbps` default 64.
 * - `opus`: Ogg Opus, 20 ms frames, `bitrateKbps` default 32; plays at 48 kHz with exact duration.
 * - `flac`: input rate, 16-bit mono.
 *
 * The encoders are synchronous CPU work (JS/WASM); run them off the event loop for many streams.
 * Any other format (`aac`) throws `ApiError('unsupported_format')`, a 400.
 *
 * @example
 * const enc = await createEncoder('opus', { inputSampleRate: 22_050 });
 * res.write(enc.start());
 * for await (const sentence of sentences) res.write(await enc.write(sentence));
 * res.end(await enc.finish());
 */
export async function createEncoder(format: OutputFormat, options: EncoderOptions): Promise<StreamEncoder> {
  const { inputSampleRate: rate, bitrateKbps } = options;
  if (!isOutputFormat(format)) {
    throw new ApiError('unsupported_format', `response_format "${String(format)}" is not supported`, {
      param: 'response_format',
    });
  }
  assertSampleRate(rate);
  switch (format) {
    case 'wav':
      return guarded(createWavEncoder(rate));
    case 'pcm':
      return guarded(await createPcmEncoder(rate));
    case 'mp3':
      return guarded(await createMp3Encoder(rate, bitrateKbps));
    case 'opus':
      return guarded(await createOpusEncoder(rate, bitrateKbps));
    case 'flac':
      return guarded(await createFlacEncoder(rate));
  }
}

/**
 * Encodes one second of a test tone in each format, so that WASM modules are loaded, converters
 * pooled and the JIT has compiled the encoders before the first request: the first MP3 stream of
 * a process otherwise runs at about half speed. Call once at start-up; output is unaffected.
 *
 * @example
 * await warmUpEncoders(22_050);
 */
export async function warmUpEncoders(
  inputSampleRate: number,
  formats: readonly OutputFormat[] = outputFormats,
): Promise<void> {
  const tone = new Int16Array(inputSampleRate);
  for (let i = 0; i < tone.length; i++) {
    const t = i / inputSampleRate;
    tone[i] = Math.round(
      8000 * Math.sin(2 * Math.PI * (150 + 400 * t) * t) + 2000 * Math.sin(2 * Math.PI * 2500 * t),
    );
  }
  for (const format of formats) {
    const encoder = await createEncoder(format, { inputSampleRate });
    encoder.start();
    await encoder.write(tone);
    await encoder.finish();
  }
}
