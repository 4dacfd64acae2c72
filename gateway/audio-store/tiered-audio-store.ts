import type { AudioStore } from './audio-store.ts';

/**
 * A small in-process store in front of a shared one: hot clips are served from memory (a
 * large value from Redis costs milliseconds to transfer and parse), everything else from the
 * shared store, and what is read from it is kept near. Writes go to both.
 */
export function createTieredAudioStore(near: AudioStore, far: AudioStore): AudioStore {
  return {
    kind: far.kind,
    async put(key, audio) {
      await Promise.all([near.put(key, audio), far.put(key, audio)]);
    },
    async get(key) {
      const hot = await near.get(key);
      if (hot) return hot;
      const audio = await far.get(key);
      if (audio) await near.put(key, audio);
      return audio;
    },
    async close() {
      await near.close();
      await far.close();
    },
  };
}
