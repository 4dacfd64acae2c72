import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { decodeAudio } from './support/decode-audio.ts';
import { type ServiceProcess, startService } from './support/processes.ts';
import { type S3Server, startS3Server } from './support/s3-server.ts';

interface SpeechUrl {
  url: string;
  bytes: number;
  content_type: string;
  duration_ms: number;
  cache: string;
}

/**
 * Two gateways share one S3-compatible bucket (s3rver): a clip one of them made is served by
 * the other from its signed URL, with ranges; with the bucket gone, URLs answer 503 (never a
 * cacheable 404), native speech refuses to hand out a URL it cannot serve, streaming speech
 * still plays, and every failure shows in gateway_audio_store_errors_total and a log line.
 */
describe('S3 audio store: gateways sharing a bucket', () => {
  const secret = 's3-store-test-secret-0123456789';
  let dir: string;
  let s3: S3Server;
  let node: ServiceProcess;
  let maker: ServiceProcess;
  let server: ServiceProcess;
  let tight: ServiceProcess;
  let token: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-s3-gw-'));
    const devKey = await ensureDevKey(path.join(dir, 'dev-key.json'));
    s3 = await startS3Server();
    node = await startService('node/main.ts', { INTERNAL_AUTH_SECRET: secret });
    const gatewayEnv = {
      INTERNAL_AUTH_SECRET: secret,
      NODE_URL: node.url,
      AUTH_DEV_KEY_FILE: path.join(dir, 'dev-key.json'),
      AUDIO_URL_SIGNING_KEYS: `k1:${'s'.repeat(32)}`,
      AUDIO_STORE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_TIMEOUT_MS: '500',
    };
    [maker, server, tight] = await Promise.all([
      startService('gateway/main.ts', gatewayEnv),
      startService('gateway/main.ts', gatewayEnv),
      startService('gateway/main.ts', {
        ...gatewayEnv,
        AUDIO_STORE: 'memory',
        AUDIO_STORE_MAX_ENTRY_BYTES: '1024',
      }),
    ]);
    token = await signDevToken(devKey, {
      subject: 's3-store',
      scopes: ['tts:speak'],
      ttlSeconds: 600,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
  });
  after(async () => {
    await Promise.all([maker?.stop(), server?.stop(), tight?.stop()]);
    await node?.stop();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const speak = (gateway: ServiceProcess, route: '/v1/speech' | '/v1/audio/speech', input: string) =>
    fetch(`${gateway.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input, response_format: 'mp3' }),
    });
  const storeErrors = async (gateway: ServiceProcess, op: 'get' | 'put') => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const match = new RegExp(`gateway_audio_store_errors_total\\{store="s3",op="${op}"\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
  };

  let made: SpeechUrl;
  let unread: SpeechUrl;

  test('a clip made on one gateway is an object in the bucket and is served by the other', async () => {
    const res = await speak(maker, '/v1/speech', 'Stored once in the bucket. Served by any gateway.');
    assert.equal(res.status, 200);
    made = (await res.json()) as SpeechUrl;
    const key = new URL(made.url, 'http://x').pathname.split('/').pop()!;

    // The object is the audio itself, readable straight from the bucket (a CDN origin could be).
    const object = await s3.getObject(`audio/${key}`);
    assert.equal(object.status, 200);
    assert.equal(object.headers.get('content-type'), 'audio/mpeg');
    const objectBytes = Buffer.from(await object.arrayBuffer());
    assert.equal(objectBytes.length, made.bytes);

    const served = await fetch(`${server.url}${made.url}`);
    assert.equal(served.status, 200);
    assert.match(served.headers.get('cache-control') ?? '', /^public, max-age=\d+, immutable$/);
    const body = Buffer.from(await served.arrayBuffer());
    assert.deepEqual(body, objectBytes);
    const audio = await decodeAudio('mp3', body);
    assert.ok(
      Math.abs(audio.seconds * 1000 - made.duration_ms) < 150,
      `${audio.seconds * 1000} vs ${made.duration_ms}`,
    );

    const range = await fetch(`${server.url}${made.url}`, { headers: { range: 'bytes=10-99' } });
    assert.equal(range.status, 206);
    assert.equal(range.headers.get('content-range'), `bytes 10-99/${made.bytes}`);
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), objectBytes.subarray(10, 100));

    // A second clip the serving gateway has not read yet, for the outage below.
    const second = await speak(maker, '/v1/speech', 'This one waits in the bucket for later.');
    assert.equal(second.status, 200);
    unread = (await second.json()) as SpeechUrl;
  });

  test('bucket down: URLs answer 503 with Retry-After and no-store, counted and logged', async () => {
    assert.ok(unread, 'needs the clip from the first test');
    await s3.stop();
    const before = await storeErrors(server, 'get');
    const res = await fetch(`${server.url}${unread.url}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as { code: string };
    assert.equal(problem.code, 'store_unavailable');
    assert.equal(await storeErrors(server, 'get'), before + 1);
    assert.ok(server.logs.some((line) => line.code === 'store_unavailable' && line.level !== undefined));

    // A clip this gateway already served stays playable from its in-process tier.
    assert.equal((await fetch(`${server.url}${made.url}`)).status, 200);
  });

  test('bucket down: native speech refuses a URL it cannot serve; streaming speech still plays', async () => {
    const before = await storeErrors(maker, 'put');
    const refused = await speak(maker, '/v1/speech', 'Nowhere to keep this sentence right now.');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { code: string }).code, 'store_unavailable');
    assert.equal(await storeErrors(maker, 'put'), before + 1);
    assert.ok(maker.logs.some((line) => line.msg === 'audio store unavailable: clip not stored'));

    const streamed = await speak(maker, '/v1/audio/speech', 'Streaming does not need the bucket.');
    assert.equal(streamed.status, 200);
    const audio = await decodeAudio('mp3', Buffer.from(await streamed.arrayBuffer()));
    assert.ok(audio.seconds > 0.5);
  });

  test('a clip over AUDIO_STORE_MAX_ENTRY_BYTES gets a 413 from native speech, not a URL that 404s', async () => {
    const res = await speak(tight, '/v1/speech', 'This sentence makes more than a kilobyte of audio.');
    assert.equal(res.status, 413);
    const problem = (await res.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'payload_too_large');
    assert.match(problem.detail, /stream it from \/v1\/audio\/speech/);
    const streamed = await speak(
      tight,
      '/v1/audio/speech',
      'This sentence makes more than a kilobyte of audio.',
    );
    assert.equal(streamed.status, 200);
  });
});
