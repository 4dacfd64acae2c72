import { BOS, EOS, PAD, type PiperConfig } from './piper-config.ts';

export interface PhonemeIds {
  ids: number[];
  /** Phonemes the voice has no id for; Piper skips them, and so do we, counting them. */
  unknown: string[];
}

/**
 * Maps one sentence's phonemes to ids exactly as Piper does: `^`, then every phoneme followed
 * by `_`, then `$`. Unknown phonemes are skipped.
 */
export function phonemesToIds(phonemes: readonly string[], idMap: PiperConfig['phoneme_id_map']): PhonemeIds {
  const pad = idMap[PAD] ?? [];
  const ids: number[] = [...(idMap[BOS] ?? [])];
  const unknown: string[] = [];
  for (const phoneme of phonemes) {
    const mapped = idMap[phoneme];
    if (!mapped) {
      unknown.push(phoneme);
      continue;
    }
    ids.push(...mapped, ...pad);
  }
  ids.push(...(idMap[EOS] ?? []));
  return { ids, unknown };
}
