import { packWithMeta, unpackWithMeta } from '../../shared/packed-value.ts';

/** A stored clip: the bytes and what a GET needs to serve them. */
export interface StoredAudio {
  body: Buffer;
  meta: {
    contentType: string;
    durationMs: number;
    region: string;
    createdAt: string;
  };
}

/**
 * Complete syntheses by content key (a SHA-256 hex string plus the format's extension). What
 * is stored under a key never changes, which is what lets a CDN cache it as immutable.
 */
export interface AudioStore {
  readonly kind: 'memory' | 'filesystem' | 'redis' | 's3';
  put(key: string, audio: StoredAudio): Promise<void>;
  get(key: string): Promise<StoredAudio | undefined>;
  close(): Promise<void>;
}

/** `<64 hex>.<ext>`: the only names a store accepts, so no path can reach outside it. */
export const audioKeyPattern = /^[0-9a-f]{64}\.(wav|pcm|mp3|opus|flac)$/;

export function assertAudioKey(key: string): void {
  if (!audioKeyPattern.test(key)) throw new TypeError(`not an audio key: ${JSON.stringify(key)}`);
}

export function packStoredAudio(audio: StoredAudio): Buffer {
  return packWithMeta(audio.meta, audio.body);
}

export function unpackStoredAudio(packed: Buffer): StoredAudio {
  return unpackWithMeta<StoredAudio['meta']>(packed);
}
