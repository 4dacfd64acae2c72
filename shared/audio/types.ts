/** Response formats with a streaming encoder. `aac` is absent: no pure-npm AAC encoder exists. */
export const outputFormats = ['wav', 'pcm', 'mp3', 'opus', 'flac'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const contentTypes: Readonly<Record<OutputFormat, string>> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm;rate=24000',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg; codecs=opus',
  flac: 'audio/flac',
};

export function isOutputFormat(value: unknown): value is OutputFormat {
  return typeof value === 'string' && (outputFormats as readonly string[]).includes(value);
}

export interface EncoderOptions {
  /** Rate of the mono s16le PCM passed to `write()`, in Hz (Piper: 22050 or 16000). */
  inputSampleRate: number;
  /** Target bitrate of the lossy formats. Default: 64 for mp3, 32 for opus; ignored by the others. */
  bitrateKbps?: number;
}

/**
 * One output stream: `start()`, then `write()` per chunk in order (await each), then `finish()`.
 * The bytes of start() + write()… + finish() form one valid file; encoders insert no silence
 * between chunks and are deterministic (same input and chunking → same bytes).
 */
export interface StreamEncoder {
  readonly format: OutputFormat;
  readonly contentType: string;
  /** Rate a decoder of the output plays at (opus: always 48000, as Opus decoders output). */
  readonly outputSampleRate: number;
  /** Bytes to send before any audio (WAV header, OggS headers, fLaC + STREAMINFO); may be empty. */
  start(): Buffer;
  /** Encodes the next chunk of mono s16le PCM at the input rate; returns whatever bytes are complete. */
  write(pcm: Int16Array): Promise<Buffer>;
  /** Flushes and closes the stream (last Ogg page with EOS, mp3 flush, last FLAC frame). */
  finish(): Promise<Buffer>;
  /** Frees native state without producing output, for a stream abandoned before finish(). Idempotent. */
  abort(): void;
}
