import { ApiError } from '../../shared/errors.ts';

export interface PcmSegment {
  pcm: Int16Array;
  sampleRate: number;
}

/** The node's canonical 44-byte mono 16-bit WAV → samples and rate. */
export function parseNodeWav(body: Buffer): PcmSegment {
  if (
    body.length < 44 ||
    body.toString('ascii', 0, 4) !== 'RIFF' ||
    body.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new ApiError('node_unavailable', 'node answered a segment that is not WAV');
  }
  const sampleRate = body.readUInt32LE(24);
  const data = body.subarray(44);
  const pcm = new Int16Array(data.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2);
  return { pcm, sampleRate };
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
