import { readWav } from '../../shared/audio/wav.ts';
import { ApiError } from '../../shared/errors.ts';

export interface PcmSegment {
  pcm: Int16Array;
  sampleRate: number;
}

/** A node's WAV answer → samples and rate (the one WAV reader, `readWav`, walks the chunks). */
export function parseNodeWav(body: Buffer): PcmSegment {
  let wav: ReturnType<typeof readWav>;
  try {
    wav = readWav(body);
  } catch (cause) {
    throw new ApiError(
      'node_unavailable',
      `node answered a segment that is not usable WAV: ${(cause as Error).message}`,
      { cause },
    );
  }
  const pcm = new Int16Array(wav.data.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = wav.data.readInt16LE(i * 2);
  return { pcm, sampleRate: wav.sampleRate };
}

/**
 * Joins sentences without clicks: a short raised-cosine fade at both ends of each segment, so
 * two segments never meet at a step, and a fixed gap of silence between them.
 */
export function prepareJoin(
  pcm: Int16Array,
  sampleRate: number,
  options: { fadeMs: number; gapMs: number; last: boolean },
): Int16Array {
  const fade = Math.min(Math.floor((sampleRate * options.fadeMs) / 1000), pcm.length >> 1);
  const gap = options.last ? 0 : Math.floor((sampleRate * options.gapMs) / 1000);
  const out = new Int16Array(pcm.length + gap);
  out.set(pcm);
  for (let i = 0; i < fade; i++) {
    const w = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
    out[i] = Math.round(out[i]! * w);
    out[pcm.length - 1 - i] = Math.round(out[pcm.length - 1 - i]! * w);
  }
  return out;
}
