import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';

export interface DecodedAudio {
  sampleRate: number;
  /** Samples per channel. */
  samples: number;
  seconds: number;
}

/**
 * Decodes a response body of any output format with independent decoders (WASM builds of
 * mpg123, libopus and libFLAC from npm; WAV and PCM parsed), so tests check what a player sees.
 */
export async function decodeAudio(format: string, bytes: Uint8Array): Promise<DecodedAudio> {
  const done = (sampleRate: number, samples: number) => ({
    sampleRate,
    samples,
    seconds: samples / sampleRate,
  });
  switch (format) {
    case 'pcm':
      return done(24_000, bytes.byteLength / 2);
    case 'wav': {
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (view.toString('ascii', 0, 4) !== 'RIFF') throw new Error('not a WAV file');
      return done(view.readUInt32LE(24), (view.length - 44) / 2);
    }
    case 'mp3': {
      const decoder = new MPEGDecoder();
      await decoder.ready;
      const out = decoder.decode(bytes);
      decoder.free();
      if (out.errors.length > 0) throw new Error(`mp3 decode errors: ${out.errors.length}`);
      return done(out.sampleRate, out.samplesDecoded);
    }
    case 'opus': {
      const decoder = new OggOpusDecoder();
      await decoder.ready;
      const out = await decoder.decodeFile(bytes);
      decoder.free();
      if (out.errors.length > 0) throw new Error(`opus decode errors: ${out.errors.length}`);
      return done(out.sampleRate, out.samplesDecoded);
    }
    case 'flac': {
      const decoder = new FLACDecoder();
      await decoder.ready;
      const out = await decoder.decodeFile(bytes);
      decoder.free();
      if (out.errors.length > 0) throw new Error(`flac decode errors: ${out.errors.length}`);
      return done(out.sampleRate, out.samplesDecoded);
    }
    default:
      throw new Error(`no decoder for ${format}`);
  }
}
