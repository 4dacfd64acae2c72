import { type AudioStore, assertAudioKey, type StoredAudio } from './audio-store.ts';

/** In-process store bounded by bytes, least recently used out first. */
export function createMemoryAudioStore(options: { maxBytes: number }): AudioStore {
  const entries = new Map<string, StoredAudio>();
  let bytes = 0;
  return {
    kind: 'memory',
    async put(key, audio) {
      assertAudioKey(key);
      if (audio.body.length > options.maxBytes) return;
      const old = entries.get(key);
      if (old) {
        entries.delete(key);
        bytes -= old.body.length;
      }
      entries.set(key, audio);
      bytes += audio.body.length;
      for (const [oldest, value] of entries) {
        if (bytes <= options.maxBytes) break;
        entries.delete(oldest);
        bytes -= value.body.length;
      }
    },
    async get(key) {
      assertAudioKey(key);
      const audio = entries.get(key);
      if (audio) {
        entries.delete(key);
        entries.set(key, audio);
      }
      return audio;
    },
    async close() {
      entries.clear();
      bytes = 0;
    },
  };
}
