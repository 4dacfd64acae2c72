import type { Redis } from 'ioredis';
import { type CachedAudio, packCachedAudio, type ResultCache, unpackCachedAudio } from './result-cache.ts';

/** Result cache on Redis: one binary value per key, expiring by TTL. */
export function createRedisResultCache(redis: Redis, options: { prefix?: string } = {}): ResultCache {
  const prefix = options.prefix ?? 'sg:audio:';
  return {
    kind: 'redis',
    async get(key) {
      const packed = await redis.getBuffer(prefix + key);
      return packed ? unpackCachedAudio(packed) : undefined;
    },
    async set(key: string, value: CachedAudio, ttlSeconds: number) {
      await redis.set(prefix + key, packCachedAudio(value), 'EX', ttlSeconds);
    },
    async close() {
      redis.disconnect();
    },
  };
}
