import { endianness } from 'node:os';
import { createStreamResampler } from './resample.ts';
import { contentTypes, type StreamEncoder } from './types.ts';

/** OpenAI defines `pcm` as raw 24 kHz 16-bit little-endian mono. */
export const PCM_RATE = 24_000;

const bigEndianHost = endianness() === 'BE';

/** Copies 16-bit samples into a little-endian byte buffer. */
export function pcm16ToBuffer(pcm: Int16Array): Buffer {
  const out = Buffer.from(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  return bigEndianHost ? out.swap16() : out;
}

/** Raw 24 kHz s16le mono: resampled from the input rate, no header. */
export async function createPcmEncoder(inputSampleRate: number): Promise<StreamEncoder> {
  const resampler = await createStreamResampler(inputSampleRate, PCM_RATE);
  return {
    format: 'pcm',
    contentType: contentTypes.pcm,
    outputSampleRate: PCM_RATE,
    start: () => Buffer.alloc(0),
    write: async (pcm) => pcm16ToBuffer(resampler.push(pcm)),
    finish: async () => pcm16ToBuffer(resampler.flush()),
    abort: () => resampler.close(),
  };
}
