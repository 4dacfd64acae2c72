import { pcm16ToBuffer } from './pcm.ts';
import { contentTypes, type StreamEncoder } from './types.ts';

const HEADER_BYTES = 44;
/** The size a streamed WAV carries until `finalizeWav` patches it: "unknown, read to the end". */
const STREAMING_SIZE = 0xffffffff;

/** A canonical 44-byte RIFF/WAVE header for mono 16-bit PCM; no `dataBytes` means a streaming header. */
export function wavHeader(sampleRate: number, dataBytes?: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(dataBytes === undefined ? STREAMING_SIZE : 36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes ?? STREAMING_SIZE, 40);
  return header;
}

/** WAV at the input rate, 16-bit mono, with a streaming header (sizes 0xFFFFFFFF). */
export function createWavEncoder(inputSampleRate: number): StreamEncoder {
  return {
    format: 'wav',
    contentType: contentTypes.wav,
    outputSampleRate: inputSampleRate,
    start: () => wavHeader(inputSampleRate),
    write: async (pcm) => pcm16ToBuffer(pcm),
    finish: async () => Buffer.alloc(0),
    abort: () => {},
  };
}

/**
 * For a complete clip: patches a streamed WAV's RIFF and `data` sizes to the real ones, in place,
 * and returns the same buffer. Walks the chunks, so headers with extra chunks work too.
 */
export function finalizeWav(buffer: Buffer): Buffer {
  if (
    buffer.length < 12 ||
    buffer.toString('ascii', 0, 4) !== 'RIFF' ||
    buffer.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new TypeError('not a RIFF/WAVE buffer');
  }
  if (buffer.length - 8 > 0xffffffff) throw new RangeError('WAV over 4 GiB cannot carry its size');
  let offset = 12;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    if (id === 'data') {
      buffer.writeUInt32LE(buffer.length - 8, 4);
      buffer.writeUInt32LE(buffer.length - offset - 8, offset + 4);
      return buffer;
    }
    const size = buffer.readUInt32LE(offset + 4);
    offset += 8 + size + (size % 2);
  }
  throw new TypeError('WAV has no data chunk');
}

/** Mono 16-bit PCM from a WAV file, and the rate it plays at. */
export interface Pcm16 {
  sampleRate: number;
  /** s16le samples, no header. */
  data: Buffer;
}

/**
 * Reads the node's WAV answer. Nodes write a canonical 44-byte header, but the chunks are
 * walked anyway, so a `LIST` chunk before `data` cannot shift the samples.
 */
export function readWav(wav: Buffer): Pcm16 {
  if (wav.length < 12 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let sampleRate: number | undefined;
  for (let at = 12; at + 8 <= wav.length; ) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      const format = wav.readUInt16LE(body);
      const channels = wav.readUInt16LE(body + 2);
      const bits = wav.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new Error(`expected mono 16-bit PCM, got format ${format}, ${channels} channels, ${bits} bits`);
      }
      sampleRate = wav.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (sampleRate === undefined) throw new Error('WAV data chunk before its fmt chunk');
      // Streamed WAVs may carry a placeholder size; the file's end bounds the data either way.
      const end = Math.min(wav.length, body + size);
      return { sampleRate, data: wav.subarray(body, end - ((end - body) % 2)) };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}
