import type { Redis } from 'ioredis';
import type { GatewayConfig } from '../config.ts';
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
      // The config schema refuses s3 without a bucket and a key pair; these are its checked values.
      const accessKeyId = config.S3_ACCESS_KEY_ID ?? config.AWS_ACCESS_KEY_ID ?? '';
      const secretAccessKey = config.S3_SECRET_ACCESS_KEY ?? config.AWS_SECRET_ACCESS_KEY ?? '';
      const sessionToken = config.S3_SESSION_TOKEN ?? config.AWS_SESSION_TOKEN;
      return createTieredAudioStore(
        near(),
        createS3AudioStore({
          endpoint: config.S3_ENDPOINT,
          bucket: config.S3_BUCKET ?? '',
          region: config.S3_REGION ?? config.AWS_REGION ?? 'us-east-1',
          prefix: config.S3_PREFIX,
          forcePathStyle: config.S3_FORCE_PATH_STYLE,
          credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
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
