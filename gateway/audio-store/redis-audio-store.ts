import type { Redis } from 'ioredis';
import { type AudioStore, assertAudioKey, packStoredAudio, unpackStoredAudio } from './audio-store.ts';

/** Clips in Redis, one binary value per key, expiring after `ttlSeconds`. */
export function createRedisAudioStore(
  redis: Redis,
  options: { ttlSeconds: number; prefix?: string },
): AudioStore {
  const prefix = options.prefix ?? 'sg:clip:';
  return {
    kind: 'redis',
    async put(key, audio) {
      assertAudioKey(key);
      await redis.set(prefix + key, packStoredAudio(audio), 'EX', options.ttlSeconds);
    },
    async get(key) {
      assertAudioKey(key);
      const packed = await redis.getBuffer(prefix + key);
      return packed ? unpackStoredAudio(packed) : undefined;
    },
    async close() {},
  };
}
