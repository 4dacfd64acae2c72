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
