import { Mp3Encoder } from '@breezystack/lamejs';
import { assertBitrate, codecRate } from './rates.ts';
import { createStreamResampler } from './resample.ts';
import { contentTypes, type StreamEncoder } from './types.ts';

/** MPEG-1, -2 and -2.5 Layer III rates. */
const MP3_RATES = [8000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000] as const;
export const MP3_DEFAULT_KBPS = 64;

/**
 * Mono CBR MP3 (LAME via lamejs) at the input rate when MPEG supports it (16, 22.05, 24 kHz do),
 * else resampled to the next rate up. A streamed MP3 carries no LAME/Xing gapless tag (it needs the
 * final frame count up front), so decoders play the encoder delay and last-frame padding
 * (about 1,100–2,200 samples) as leading and trailing silence.
 */
export async function createMp3Encoder(
  inputSampleRate: number,
  bitrateKbps = MP3_DEFAULT_KBPS,
): Promise<StreamEncoder> {
  assertBitrate(bitrateKbps, 8, 320);
  const rate = codecRate(MP3_RATES, inputSampleRate);
  const resampler = await createStreamResampler(inputSampleRate, rate);
  const lame = new Mp3Encoder(1, rate, Math.round(bitrateKbps));
  return {
    format: 'mp3',
    contentType: contentTypes.mp3,
    outputSampleRate: rate,
    start: () => Buffer.alloc(0),
    write: async (pcm) => Buffer.from(lame.encodeBuffer(resampler.push(pcm))),
    async finish() {
      const tail = resampler.flush();
      return Buffer.concat([Buffer.from(lame.encodeBuffer(tail)), Buffer.from(lame.flush())]);
    },
    abort: () => resampler.close(),
  };
}
