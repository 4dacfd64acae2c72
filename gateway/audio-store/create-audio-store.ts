import type { Redis } from 'ioredis';
import { type GatewayConfig, s3Settings } from '../config.ts';
import type { AudioStore } from './audio-store.ts';
import { createFilesystemAudioStore } from './filesystem-audio-store.ts';
import { createMemoryAudioStore } from './memory-audio-store.ts';
import { createRedisAudioStore } from './redis-audio-store.ts';
import { createS3AudioStore } from './s3-audio-store.ts';
import { createTieredAudioStore } from './tiered-audio-store.ts';

/**
 * The audio store AUDIO_STORE names. Shared stores (Redis, S3) get a small in-process tier in
 * front, so a hot clip costs no round trip; `auto` is Redis when REDIS_URL is set, else memory.
 */
export function createAudioStore(config: GatewayConfig, redis: Redis | undefined): AudioStore {
  const kind = config.AUDIO_STORE === 'auto' ? (redis ? 'redis' : 'memory') : config.AUDIO_STORE;
  const near = () => createMemoryAudioStore({ maxBytes: config.AUDIO_STORE_MEMORY_BYTES });
  switch (kind) {
    case 'redis':
      if (!redis) throw new Error('AUDIO_STORE=redis needs REDIS_URL');
      return createTieredAudioStore(
        near(),
        createRedisAudioStore(redis, { ttlSeconds: config.AUDIO_STORE_TTL_SECONDS }),
      );
    case 's3': {
      // The config schema refuses s3 without a bucket and a key pair, so these are set.
      const { bucket, region, accessKeyId, secretAccessKey, sessionToken } = s3Settings(config);
      return createTieredAudioStore(
        near(),
        createS3AudioStore({
          endpoint: config.S3_ENDPOINT,
          bucket: bucket!,
          region,
          prefix: config.S3_PREFIX,
          forcePathStyle: config.S3_FORCE_PATH_STYLE,
          credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, sessionToken },
          timeoutMs: config.S3_TIMEOUT_MS,
        }),
      );
    }
    case 'filesystem':
      return createFilesystemAudioStore({ dir: config.AUDIO_STORE_DIR });
    case 'memory':
      return createMemoryAudioStore({ maxBytes: config.AUDIO_STORE_MAX_BYTES });
  }
}
