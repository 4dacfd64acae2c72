import { createRequire } from 'node:module';
import type * as LibFlac from 'libflacjs/dist/libflac.min.js';
import { contentTypes, type StreamEncoder } from './types.ts';

type Flac = typeof LibFlac;

/** Level 5 is libFLAC's default: most of level 8's ratio at a fraction of its cost. */
const COMPRESSION_LEVEL = 5;

let flac: Promise<Flac> | undefined;

/** The asm.js build: the WASM one fails on Node 20, where it tries to fetch a file path. */
function loadFlac(): Promise<Flac> {
  flac ??= new Promise((resolve) => {
    const lib = createRequire(import.meta.url)('libflacjs/dist/libflac.min.js') as Flac;
    if (lib.isReady()) resolve(lib);
    else lib.on('ready', () => resolve(lib));
  });
  return flac;
}

/**
 * FLAC at the input rate, 16-bit mono, streamed: `start()` gives fLaC + STREAMINFO (total samples
 * and MD5 left 0, "unknown", as a stream cannot seek back to fill them) and a vendor comment; each
 * `write()` returns the frames completed so far (4096-sample blocks); `finish()` the last frame.
 */
export async function createFlacEncoder(inputSampleRate: number): Promise<StreamEncoder> {
  const lib = await loadFlac();
  let encoder = lib.create_libflac_encoder(inputSampleRate, 1, 16, COMPRESSION_LEVEL, 0, false, 0);
  if (!encoder) throw new Error(`libFLAC refused an encoder at ${inputSampleRate} Hz`);
  let output: Buffer[] = [];
  const status = lib.init_encoder_stream(encoder, (data, bytes) => {
    output.push(Buffer.from(data.subarray(0, bytes)));
  });
  if (status !== 0) {
    lib.FLAC__stream_encoder_delete(encoder);
    throw new Error(`libFLAC init failed with status ${status}`);
  }
  const header = Buffer.concat(output);
  output = [];

  const drain = (): Buffer => {
    const bytes = Buffer.concat(output);
    output = [];
    return bytes;
  };
  const live = (): number => {
    if (!encoder) throw new Error('flac encoder already finished');
    return encoder;
  };
  const abort = (): void => {
    if (encoder) lib.FLAC__stream_encoder_delete(encoder);
    encoder = 0;
  };

  return {
    format: 'flac',
    contentType: contentTypes.flac,
    outputSampleRate: inputSampleRate,
    start: () => header,
    async write(pcm) {
      const id = live();
      if (pcm.length === 0) return Buffer.alloc(0);
      if (!lib.FLAC__stream_encoder_process_interleaved(id, Int32Array.from(pcm), pcm.length)) {
        throw new Error(`libFLAC encode failed in state ${lib.FLAC__stream_encoder_get_state(id)}`);
      }
      return drain();
    },
    async finish() {
      const id = live();
      const ok = lib.FLAC__stream_encoder_finish(id);
      abort();
      if (!ok) throw new Error('libFLAC finish failed');
      return drain();
    },
    abort,
  };
}
