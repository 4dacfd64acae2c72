import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../test/support/redis-server.ts';
import { type S3Server, startS3Server } from '../../test/support/s3-server.ts';
import type { AudioStore, StoredAudio } from './audio-store.ts';
import { createFilesystemAudioStore } from './filesystem-audio-store.ts';
import { createMemoryAudioStore } from './memory-audio-store.ts';
import { createRedisAudioStore } from './redis-audio-store.ts';
import {
  createS3AudioStore,
  type S3AudioStoreOptions,
  S3Error,
  s3BucketOrigin,
  signS3Request,
} from './s3-audio-store.ts';
import { createTieredAudioStore } from './tiered-audio-store.ts';

const keyOf = (seed: string, ext = 'mp3') => `${createHash('sha256').update(seed).digest('hex')}.${ext}`;
const clip = (bytes = 40_000): StoredAudio => ({
  body: randomBytes(bytes),
  meta: {
    contentType: 'audio/mpeg',
    durationMs: 1234,
    region: 'eu-west',
    createdAt: new Date().toISOString(),
  },
});

let redisServer: RedisServer;
let redis: Redis;
let s3: S3Server;
let dir: string;
before(async () => {
  [redisServer, s3, dir] = await Promise.all([
    startRedisServer(),
    startS3Server(),
    mkdtemp(join(tmpdir(), 'sg-store-')),
  ]);
  redis = new Redis(redisServer.url);
});
after(async () => {
  redis?.disconnect();
  await Promise.all([redisServer?.stop(), s3?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

const s3Options = (overrides: Partial<S3AudioStoreOptions> = {}): S3AudioStoreOptions => ({
  endpoint: s3.endpoint,
  bucket: s3.bucket,
  region: s3.region,
  prefix: 'audio/',
  forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  timeoutMs: 2000,
  ...overrides,
});

const stores: Record<string, () => AudioStore> = {
  memory: () => createMemoryAudioStore({ maxBytes: 10_000_000 }),
  filesystem: () => createFilesystemAudioStore({ dir }),
  redis: () => createRedisAudioStore(redis, { ttlSeconds: 60 }),
  'memory over redis': () =>
    createTieredAudioStore(
      createMemoryAudioStore({ maxBytes: 10_000_000 }),
      createRedisAudioStore(redis, { ttlSeconds: 60 }),
    ),
  s3: () => createS3AudioStore(s3Options()),
};

for (const [name, make] of Object.entries(stores)) {
  describe(`audio store contract: ${name}`, () => {
    test('what is put is got back, bytes and metadata', async () => {
      const store = make();
      const key = keyOf(`${name} round trip`);
      const audio = clip();
      await store.put(key, audio);
      const got = await store.get(key);
      assert.ok(got);
      assert.deepEqual(got.body, audio.body);
      assert.deepEqual(got.meta, audio.meta);
      await store.close();
    });

    test('an unknown key is undefined, not an error', async () => {
      const store = make();
      assert.equal(await store.get(keyOf(`${name} never stored`, 'opus')), undefined);
      await store.close();
    });

    test('a name that is not a content key is refused before any I/O', async () => {
      const store = make();
      for (const bad of [
        '../../etc/passwd',
        `${'a'.repeat(64)}.exe`,
        `${'A'.repeat(64)}.mp3`,
        `x/${keyOf('y')}`,
      ]) {
        await assert.rejects(store.get(bad), TypeError);
        await assert.rejects(store.put(bad, clip(10)), TypeError);
      }
      await store.close();
    });

    test('a second put of the same key leaves one readable clip', async () => {
      const store = make();
      const key = keyOf(`${name} twice`, 'wav');
      const audio = { ...clip(1000), meta: { ...clip().meta, contentType: 'audio/wav' } };
      await Promise.all([store.put(key, audio), store.put(key, audio)]);
      assert.deepEqual((await store.get(key))?.body, audio.body);
      await store.close();
    });
  });
}

describe('S3 audio store', () => {
  test('the object is the audio itself, with content type, immutable caching and metadata (a CDN origin)', async () => {
    const store = createS3AudioStore(s3Options());
    const key = keyOf('raw object');
    const audio = clip(5000);
    await store.put(key, audio);
    await store.close();
    // Read it back with a separately built signed request, as a CDN origin fetch would.
    const res = await s3.getObject(`audio/${key}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('x-amz-meta-duration-ms'), '1234');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), audio.body);
  });

  test("signing matches AWS's published Signature V4 example for S3 (GET object with Range)", async () => {
    // s3rver checks only the key id of V4 requests, so the signature itself is checked here
    // against the worked example in AWS's "Signature Calculations for the Authorization Header".
    const signed = await signS3Request({
      method: 'GET',
      url: 'https://examplebucket.s3.amazonaws.com/test.txt',
      headers: { range: 'bytes=0-9' },
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
      region: 'us-east-1',
      datetime: '20130524T000000Z',
    });
    assert.equal(
      signed.headers.get('authorization'),
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  test("unknown credentials: the store refuses and the error carries S3's code", async () => {
    const store = createS3AudioStore(
      s3Options({ credentials: { accessKeyId: 'AKIDNOTKNOWN', secretAccessKey: 'not-the-secret' } }),
    );
    await assert.rejects(store.put(keyOf('bad key'), clip(100)), (err: unknown) => {
      assert.ok(err instanceof S3Error);
      assert.equal(err.status, 403);
      assert.equal(err.s3Code, 'InvalidAccessKeyId');
      return true;
    });
    await assert.rejects(store.get(keyOf('bad key')), S3Error);
    await store.close();
  });

  test('a missing bucket is an error, not "not stored"', async () => {
    const store = createS3AudioStore(s3Options({ bucket: 'no-such-bucket' }));
    await assert.rejects(store.get(keyOf('no bucket')), (err: unknown) => {
      assert.ok(err instanceof S3Error);
      assert.equal(err.s3Code, 'NoSuchBucket');
      return true;
    });
    await store.close();
  });

  test('an unreachable store fails fast with an S3Error after its retries', async () => {
    const closed = await listenThenClose();
    const store = createS3AudioStore(s3Options({ endpoint: closed, retries: 1 }));
    const started = performance.now();
    await assert.rejects(store.get(keyOf('unreachable')), S3Error);
    assert.ok(performance.now() - started < 1000);
    await store.close();
  });

  test('a store that accepts and never answers times out per attempt', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const store = createS3AudioStore(
      s3Options({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 150, retries: 1 }),
    );
    const started = performance.now();
    await assert.rejects(store.put(keyOf('silent'), clip(100)), S3Error);
    const took = performance.now() - started;
    assert.ok(took >= 300 && took < 1500, `took ${took} ms`);
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  test('path style puts the bucket in the path, virtual-hosted style in the host name', () => {
    const base = { region: 'eu-west-1', bucket: 'clips' };
    assert.equal(
      s3BucketOrigin({ ...base, endpoint: 'http://127.0.0.1:9000/', forcePathStyle: true }),
      'http://127.0.0.1:9000/clips',
    );
    assert.equal(
      s3BucketOrigin({ ...base, endpoint: undefined, forcePathStyle: false }),
      'https://clips.s3.eu-west-1.amazonaws.com',
    );
    assert.equal(
      s3BucketOrigin({ ...base, endpoint: 'https://acct.r2.cloudflarestorage.com', forcePathStyle: false }),
      'https://clips.acct.r2.cloudflarestorage.com',
    );
  });
});

async function listenThenClose(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
