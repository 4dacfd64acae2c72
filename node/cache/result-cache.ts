import { packWithMeta, unpackWithMeta } from '../../shared/packed-value.ts';

/** A synthesised response as the cache keeps it: the encoded bytes and what describes them. */
export interface CachedAudio {
  body: Buffer;
  meta: {
    contentType: string;
    sampleRate: number;
    durationMs: number;
    synthesisMs: number;
    provider: string;
  };
}

/** The result cache in front of synthesis. Implementations may throw; `createGuardedCache` contains that. */
export interface ResultCache {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<CachedAudio | undefined>;
  set(key: string, value: CachedAudio, ttlSeconds: number): Promise<void>;
  /** Which of `keys` are present, without reading them. */
  has(keys: readonly string[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export function packCachedAudio(value: CachedAudio): Buffer {
  return packWithMeta(value.meta, value.body);
}

export function unpackCachedAudio(packed: Buffer): CachedAudio {
  return unpackWithMeta<CachedAudio['meta']>(packed);
}
