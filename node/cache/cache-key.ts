import { createHash } from 'node:crypto';
import type { SynthesizeParams } from '../../shared/node-contract.ts';

/**
 * Bumped whenever a change to synthesis or encoding would change the bytes for the same input
 * (2: `pcm` is resampled by SpeexDSP instead of libsamplerate).
 */
export const ENGINE_VERSION = 'speechgate-node/2';

/**
 * The result cache key: SHA-256 over the voice id, the model file's hash, the normalised text,
 * every synthesis parameter, the format and the engine version.
 */
export function resultCacheKey(params: SynthesizeParams, modelHash: string): string {
  const material = JSON.stringify([
    ENGINE_VERSION,
    params.voice,
    modelHash,
    normaliseText(params.text),
    params.format,
    params.speed,
    params.speaker ?? null,
    params.noise_scale ?? null,
    params.noise_w ?? null,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/** Unicode NFC and collapsed white space: texts that read the same share a key. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}
