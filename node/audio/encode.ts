import { contentTypes } from '../../shared/audio/encoder.ts';
import { resamplePcm16 } from '../../shared/audio/resample.ts';
import { wavHeader } from '../../shared/audio/wav.ts';
import { ApiError } from '../../shared/errors.ts';
import type { AudioFormat } from '../../shared/node-contract.ts';
import { pcmToBuffer } from './pcm.ts';

/** OpenAI defines `pcm` as raw 24 kHz 16-bit little-endian mono. */
export const PCM_RATE = 24_000;

export interface EncodedAudio {
  body: Buffer;
  contentType: string;
  sampleRate: number;
}

/** Encodes synthesised PCM into a response format; `wav` keeps the voice's native rate. */
export async function encodeAudio(
  pcm: Int16Array,
  sampleRate: number,
  format: AudioFormat,
): Promise<EncodedAudio> {
  switch (format) {
    case 'wav': {
      const data = pcmToBuffer(pcm);
      return {
        body: Buffer.concat([wavHeader(sampleRate, data.length), data]),
        contentType: contentTypes.wav,
        sampleRate,
      };
    }
    case 'pcm':
      return {
        body: pcmToBuffer(await resamplePcm16(pcm, sampleRate, PCM_RATE)),
        contentType: contentTypes.pcm,
        sampleRate: PCM_RATE,
      };
    default:
      throw new ApiError('unsupported_format', `format "${format as string}" is not supported`, {
        param: 'format',
      });
  }
}
