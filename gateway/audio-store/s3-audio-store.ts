import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsV4Signer } from 'aws4fetch';
import { Agent, request } from 'undici';
import { retryDelayMs } from '../backoff.ts';
import { type AudioStore, assertAudioKey, type StoredAudio } from './audio-store.ts';

export interface S3AudioStoreOptions {
  /** `https://s3.eu-west-1.amazonaws.com`, a MinIO/R2/GCS-interop origin; unset: AWS for `region`. */
  endpoint?: string | undefined;
  bucket: string;
  region: string;
  /** Object names are `<prefix><key>`. */
  prefix: string;
  /** Bucket in the path (`/bucket/key`, MinIO and most S3-compatible stores) or in the host name. */
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };
  /** Per attempt; a slow store must not hold a request that can synthesise instead. */
  timeoutMs: number;
  /** Extra attempts after a 5xx, a 429 or a network error. */
  retries?: number;
  connections?: number;
}

/** A failed S3 call, with the HTTP status and S3's `<Code>` when it answered. */
export class S3Error extends Error {
  readonly status: number | undefined;
  readonly s3Code: string | undefined;
  constructor(message: string, options: { status?: number; s3Code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'S3Error';
    this.status = options.status;
    this.s3Code = options.s3Code;
  }
}

const metaHeaders = {
  durationMs: 'x-amz-meta-duration-ms',
  region: 'x-amz-meta-region',
  createdAt: 'x-amz-meta-created-at',
} as const;

/**
 * Clips as plain objects in an S3-compatible bucket: the object is the audio itself, with its
 * content type, an immutable `Cache-Control` and the clip's metadata as `x-amz-meta-*`, so the
 * bucket can also serve as a CDN origin. Requests are signed with AWS Signature V4 (aws4fetch's
 * signer) with the payload's SHA-256 in the signature, so the store rejects a corrupted upload.
 * Expiry belongs to the bucket's lifecycle rule, not to this code.
 */
export function createS3AudioStore(options: S3AudioStoreOptions): AudioStore {
  const origin = s3BucketOrigin(options);
  const prefix = options.prefix;
  const retries = options.retries ?? 2;
  const dispatcher = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 30_000 });

  function objectUrl(key: string): string {
    return `${origin}/${encodeURIComponent(prefix + key).replaceAll('%2F', '/')}`;
  }

  async function send(method: 'GET' | 'PUT', url: string, headers: Record<string, string>, body?: Buffer) {
    for (let attempt = 0; ; attempt += 1) {
      const signed = await signS3Request({
        method,
        url,
        headers,
        body,
        credentials: options.credentials,
        region: options.region,
      });
      try {
        // Send exactly the URL that was signed.
        const res = await request(signed.url, {
          method,
          headers: Object.fromEntries(signed.headers),
          ...(body ? { body } : {}),
          dispatcher,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const retryable = res.statusCode >= 500 || res.statusCode === 429;
        if (!retryable || attempt >= retries) return res;
        await res.body.dump();
      } catch (err) {
        if (attempt >= retries)
          throw new S3Error(`S3 ${method} failed: ${(err as Error).message}`, { cause: err });
      }
      await sleep(retryDelayMs(attempt + 1, { baseMs: 50, maxMs: 1000 }));
    }
  }

  async function failure(method: string, res: Awaited<ReturnType<typeof request>>): Promise<S3Error> {
    const text = await res.body.text().catch(() => '');
    const s3Code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    return new S3Error(`S3 ${method} answered ${res.statusCode}${s3Code ? ` ${s3Code}` : ''}`, {
      status: res.statusCode,
      ...(s3Code ? { s3Code } : {}),
    });
  }

  return {
    kind: 's3',
    async put(key, audio) {
      assertAudioKey(key);
      const res = await send(
        'PUT',
        objectUrl(key),
        {
          'content-type': audio.meta.contentType,
          'content-length': String(audio.body.length),
          // What is stored under a content key never changes.
          'cache-control': 'public, max-age=31536000, immutable',
          [metaHeaders.durationMs]: String(audio.meta.durationMs),
          [metaHeaders.region]: audio.meta.region,
          [metaHeaders.createdAt]: audio.meta.createdAt,
        },
        audio.body,
      );
      if (res.statusCode !== 200) throw await failure('PUT', res);
      await res.body.dump();
    },
    async get(key) {
      assertAudioKey(key);
      const res = await send('GET', objectUrl(key), {});
      // A missing object is 404 when the credentials may list the bucket, 403 otherwise; only
      // 404 means "not stored", so give the role s3:ListBucket (docs/deploy.md). A missing
      // bucket is also 404, but it is a misconfiguration, not a miss.
      if (res.statusCode === 404) {
        const error = await failure('GET', res);
        if (error.s3Code === 'NoSuchBucket') throw error;
        return undefined;
      }
      if (res.statusCode !== 200) throw await failure('GET', res);
      const body = Buffer.from(await res.body.arrayBuffer());
      return { body, meta: readMeta(res.headers) };
    },
    async close() {
      await dispatcher.close();
    },
  };
}

const emptySha256 = createHash('sha256').update('').digest('hex');

/**
 * Signs one request with AWS Signature V4 for S3, the payload's SHA-256 included (S3 then
 * rejects a body changed on the way); `datetime` (`YYYYMMDDTHHMMSSZ`) only for tests.
 */
export async function signS3Request(input: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  credentials: S3AudioStoreOptions['credentials'];
  region: string;
  datetime?: string;
}): Promise<{ url: URL; headers: Headers }> {
  const { method, url, headers, body, credentials, region, datetime } = input;
  const payloadHash = body ? createHash('sha256').update(body).digest('hex') : emptySha256;
  const signed = await new AwsV4Signer({
    method,
    url,
    headers: { ...headers, 'x-amz-content-sha256': payloadHash },
    ...credentials,
    service: 's3',
    region,
    // Sign every header we send (content type and length included), as the AWS SDKs do.
    allHeaders: true,
    ...(datetime ? { datetime } : {}),
  }).sign();
  return { url: signed.url, headers: signed.headers };
}

/** `https://host/bucket` (path style) or `https://bucket.host` (virtual-hosted). */
export function s3BucketOrigin(
  options: Pick<S3AudioStoreOptions, 'endpoint' | 'region' | 'bucket' | 'forcePathStyle'>,
): string {
  const { protocol, host, pathname } = new URL(
    options.endpoint ?? `https://s3.${options.region}.amazonaws.com`,
  );
  const path = pathname.replace(/\/+$/, '');
  return options.forcePathStyle
    ? `${protocol}//${host}${path}/${encodeURIComponent(options.bucket)}`
    : `${protocol}//${options.bucket}.${host}${path}`;
}

function readMeta(headers: Record<string, string | string[] | undefined>): StoredAudio['meta'] {
  const one = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    contentType: one('content-type') ?? 'application/octet-stream',
    durationMs: Number(one(metaHeaders.durationMs) ?? 0),
    region: one(metaHeaders.region) ?? '',
    createdAt: one(metaHeaders.createdAt) ?? '',
  };
}
