import { createHash } from 'node:crypto';

/**
 * Bumped when segmentation, joining or encoding changes the bytes for the same request
 * (2: Opus complexity 5; 3: the SpeexDSP resampler and Opus complexity 4).
 */
export const PIPELINE_VERSION = 'speechgate-gateway/3';

export const formatExtensions = { wav: 'wav', pcm: 'pcm', mp3: 'mp3', opus: 'opus', flac: 'flac' } as const;

/**
 * The content key of a whole clip: SHA-256 over the pipeline version, the resolved voice and
 * speaker, speed, format and the normalised segments, plus the format's extension. Equal keys
 * mean equal bytes, which is what makes the stored clip immutable and CDN-cacheable.
 */
export function clipKey(parts: {
  voice: string;
  speaker?: string | undefined;
  speed: number;
  format: keyof typeof formatExtensions;
  segments: readonly string[];
}): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        PIPELINE_VERSION,
        parts.voice,
        parts.speaker ?? null,
        parts.speed,
        parts.format,
        parts.segments,
      ]),
    )
    .digest('hex');
  return `${digest}.${formatExtensions[parts.format]}`;
}
