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
    async has(keys) {
      if (keys.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.exists(prefix + key);
      const results = (await pipeline.exec()) ?? [];
      return results.map(([err, count]) => {
        if (err) throw err;
        return count === 1;
      });
    },
    async close() {
      redis.disconnect();
    },
  };
}
