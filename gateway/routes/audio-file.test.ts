import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSilentLogger } from '../../shared/logger.ts';
import { createGatewayApp } from '../app.ts';
import { loadGatewayConfig } from '../config.ts';
import { createGatewayServices, type GatewayServices } from '../services.ts';

describe('GET /v1/audio/{key}.{ext}: signed, cacheable, ranged', () => {
  let dir: string;
  let services: GatewayServices;
  let app: ReturnType<typeof createGatewayApp>;
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const key = `${createHash('sha256').update('clip').digest('hex')}.mp3`;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-audio-'));
    const config = loadGatewayConfig({
      INTERNAL_AUTH_SECRET: 'x'.repeat(32),
      NODE_URL: 'http://127.0.0.1:9',
      AUTH_DEV_KEY_FILE: path.join(dir, 'key.json'),
      AUDIO_STORE: 'filesystem',
      AUDIO_STORE_DIR: path.join(dir, 'audio'),
      AUDIO_URL_SIGNING_KEYS: `k1:${'s'.repeat(32)}`,
      ROUTING_PROBE_TIMEOUT_MS: '50',
    });
    services = await createGatewayServices(config, createSilentLogger());
    app = createGatewayApp(services, config);
    await services.audioStore.put(key, {
      body,
      meta: {
        contentType: 'audio/mpeg',
        durationMs: 1234,
        region: 'test',
        createdAt: new Date().toISOString(),
      },
    });
  });
  after(async () => {
    await services.close();
    await rm(dir, { recursive: true, force: true });
  });

  const signed = (file = key) => services.urlSigner.sign(`/v1/audio/${file}`).url;

  test('serves the clip with immutable caching, a strong ETag and Accept-Ranges; HEAD has no body', async () => {
    const res = await app.request(signed());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+, immutable$/);
    assert.equal(res.headers.get('etag'), `"${key.slice(0, 64)}"`);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), body);
    const head = await app.request(signed(), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '1000');
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const again = await app.request(signed(), { headers: { 'if-none-match': res.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  test('Range requests return exactly the asked bytes with 206 and Content-Range', async () => {
    const res = await app.request(signed(), { headers: { range: 'bytes=100-199' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), 'bytes 100-199/1000');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), body.subarray(100, 200));
    const tail = await app.request(signed(), { headers: { range: 'bytes=-10' } });
    assert.deepEqual(Buffer.from(await tail.arrayBuffer()), body.subarray(990));
    const bad = await app.request(signed(), { headers: { range: 'bytes=5000-' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('content-range'), 'bytes */1000');
  });

  test('tampered, expired, unsigned and path-traversing URLs are refused; unknown keys are 404', async () => {
    const url = new URL(signed(), 'http://x');
    const sig = url.searchParams.get('sig')!;
    const tampered = await app.request(
      `${url.pathname}?exp=${url.searchParams.get('exp')}&sig=${sig.slice(0, -3)}xyz`,
    );
    assert.equal(tampered.status, 403);
    assert.equal(((await tampered.json()) as { error: { code: string } }).error.code, 'forbidden');
    const expired = await app.request(`${url.pathname}?exp=1000&sig=${sig}`);
    assert.equal(expired.status, 403);
    assert.equal((await app.request(url.pathname)).status, 403);
    for (const probe of [
      '/v1/audio/..%2F..%2Fetc%2Fpasswd',
      '/v1/audio/../../package.json',
      `/v1/audio/${key}%2F..`,
    ]) {
      const res = await app.request(probe);
      assert.ok(res.status === 404, `${probe} → ${res.status}`);
    }
    const unknown = `${'b'.repeat(64)}.mp3`;
    assert.equal((await app.request(signed(unknown))).status, 404);
  });
});
