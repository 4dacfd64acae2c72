import type { CachedAudio, ResultCache } from './result-cache.ts';

/**
 * In-process LRU bounded by bytes, with per-entry expiry. A Map keeps insertion order, so
 * re-inserting on read makes the first key the least recently used.
 */
export function createMemoryResultCache(options: { maxBytes: number; now?: () => number }): ResultCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: CachedAudio; bytes: number; expiresAt: number }>();
  let bytes = 0;

  function remove(key: string) {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  }

  return {
    kind: 'memory',
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        remove(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      const size = value.body.length + 256;
      if (size > options.maxBytes) return;
      remove(key);
      entries.set(key, { value, bytes: size, expiresAt: now() + ttlSeconds * 1000 });
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= options.maxBytes) break;
        remove(oldest);
      }
    },
    async has(keys) {
      const t = now();
      return keys.map((key) => (entries.get(key)?.expiresAt ?? 0) > t);
    },
    async close() {
      entries.clear();
      bytes = 0;
    },
  };
}
