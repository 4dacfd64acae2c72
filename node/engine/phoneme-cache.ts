export interface PhonemeCache {
  /** The cached phonemes of a text (a copy), or undefined. */
  get(text: string, voice: string): string[][] | undefined;
  set(text: string, voice: string, sentences: string[][]): void;
  stats(): { hits: number; misses: number; entries: number };
}

/**
 * A least-recently-used cache of phonemes per (espeak voice, text chunk). espeak-ng costs about
 * 0.04 ms per character, several times the built-in voice's inference, and assistants repeat
 * their sentences ("Sorry, I didn't catch that."), so a hit skips the most expensive step and
 * needs no espeak-ng process at all. `entries` 0 disables it.
 */
export function createPhonemeCache(entries: number): PhonemeCache {
  const cache = new Map<string, string[][]>();
  let hits = 0;
  let misses = 0;
  return {
    get(text, voice) {
      if (entries <= 0) return undefined;
      const key = `${voice}\u0000${text}`;
      const found = cache.get(key);
      if (!found) {
        misses++;
        return undefined;
      }
      hits++;
      // Re-insert so Map order stays least-recently-used first.
      cache.delete(key);
      cache.set(key, found);
      return found.map((s) => [...s]);
    },
    set(text, voice, sentences) {
      if (entries <= 0) return;
      cache.set(
        `${voice}\u0000${text}`,
        sentences.map((s) => [...s]),
      );
      if (cache.size > entries) cache.delete(cache.keys().next().value!);
    },
    stats: () => ({ hits, misses, entries: cache.size }),
  };
}
