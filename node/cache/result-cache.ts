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

/** One buffer holding both parts: a 4-byte length, the JSON meta, then the audio. */
export function packCachedAudio(value: CachedAudio): Buffer {
  const meta = Buffer.from(JSON.stringify(value.meta), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(meta.length, 0);
  return Buffer.concat([head, meta, value.body]);
}

export function unpackCachedAudio(packed: Buffer): CachedAudio {
  const metaLength = packed.readUInt32BE(0);
  const meta = JSON.parse(packed.subarray(4, 4 + metaLength).toString('utf8')) as CachedAudio['meta'];
  return { meta, body: packed.subarray(4 + metaLength) };
}
