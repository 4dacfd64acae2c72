import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { importJWK } from 'jose';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { writePiperFixture } from './support/piper-fixture.ts';
import { type ServiceProcess, startService } from './support/processes.ts';
import { type RedisServer, startRedisServer } from './support/redis-server.ts';
import { runSecuritySuite } from './support/security-cases.ts';

/**
 * One region end to end, as separate processes on real sockets: redis-server, a node with real
 * ONNX sessions (the built-in voice and a Piper-shaped fixture), and the gateway in front.
 */
describe('foundation: gateway → node → Redis, real processes', () => {
  const secret = 'foundation-test-secret-0123456789';
  let dir: string;
  let redis: RedisServer;
  let node: ServiceProcess;
  let gateway: ServiceProcess;
  let devKey: Awaited<ReturnType<typeof ensureDevKey>>;

  const token = (options: { subject?: string; scopes?: string[] } = {}) =>
    signDevToken(devKey, {
      subject: options.subject ?? 'tenant-a',
      scopes: options.scopes ?? ['tts:speak'],
      ttlSeconds: 300,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });

  const speech = async (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const metric = async (url: string, pattern: RegExp) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const match = pattern.exec(text);
    return match ? Number(match[1]) : 0;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-foundation-'));
    await writePiperFixture(path.join(dir, 'voices'), { id: 'fixture-multi', multiSpeaker: true });
    devKey = await ensureDevKey(path.join(dir, 'dev-key.json'));
    redis = await startRedisServer();
    node = await startService('node/main.ts', {
      INTERNAL_AUTH_SECRET: secret,
      VOICES_DIR: path.join(dir, 'voices'),
      REDIS_URL: redis.url,
      REGION: 'test-west',
    });
    gateway = await startService('gateway/main.ts', {
      INTERNAL_AUTH_SECRET: secret,
      NODE_URL: node.url,
      AUTH_DEV_KEY_FILE: path.join(dir, 'dev-key.json'),
      REDIS_URL: redis.url,
      MAX_BODY_BYTES: '16384',
      RATE_LIMIT_OVERRIDES: JSON.stringify({ 'tenant-limited': { requests_per_minute: 2 } }),
      VOICE_MAP: JSON.stringify({ onyx: 'fixture-multi:bob' }),
    });
  });

  after(async () => {
    await gateway?.stop();
    await node?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an OpenAI-style request returns playable WAV; the repeat is a byte-identical cache hit', async () => {
    const body = { model: 'tts-1', input: 'Hello from the edge.', voice: 'alloy', response_format: 'wav' };
    const first = await speech(body);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'audio/wav');
    assert.equal(first.headers.get('x-cache'), 'miss');
    assert.match(first.headers.get('x-request-id') ?? '', /^[\w-]{8,}$/);
    assert.ok(first.headers.get('ratelimit'));
    const wav = Buffer.from(await first.arrayBuffer());
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
    // A streamed WAV: sizes unknown when the header left (0xFFFFFFFF), samples to the end.
    const rate = wav.readUInt32LE(24);
    const seconds = (wav.length - 44) / 2 / rate;
    assert.ok(seconds > 0.5, `audio lasts ${seconds} s`);

    assert.equal(first.headers.get('content-length'), null, 'a synthesised clip streams');
    const second = await speech(body);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('x-cache'), 'hit');
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), wav);
    // A stored clip leaves whole, with its length; each hit frees its concurrency slot once sent
    // (the default allows 8 at a time, so a leaked slot would answer 429 before the 12th).
    assert.equal(second.headers.get('content-length'), String(wav.length));
    for (let i = 0; i < 12; i++) {
      const again = await speech(body);
      assert.equal(again.status, 200, `hit ${i}`);
      assert.equal((await again.arrayBuffer()).byteLength, wav.length);
    }
    // The repeat came from the stored clip, whose signed URL serves a WAV with real sizes.
    const location = second.headers.get('content-location');
    assert.ok(location);
    const stored = await fetch(new URL(location, gateway.url));
    assert.equal(stored.status, 200);
    const file = Buffer.from(await stored.arrayBuffer());
    assert.equal(file.readUInt32LE(40), wav.length - 44);
    assert.deepEqual(file.subarray(44), wav.subarray(44));
  });

  test('pcm is 24 kHz s16le; mapped and native voices both work', async () => {
    const pcm = await speech({
      model: 'tts-1',
      input: 'Raw samples.',
      voice: 'alloy',
      response_format: 'pcm',
    });
    assert.equal(pcm.status, 200);
    assert.equal(pcm.headers.get('content-type'), 'audio/pcm;rate=24000');
    const bytes = (await pcm.arrayBuffer()).byteLength;
    assert.equal(bytes % 2, 0);
    assert.ok(bytes / 48_000 > 0.3, `${bytes / 48} ms of audio`);
    const mapped = await speech({ model: 'tts-1', input: 'Mapped voice.', voice: 'onyx' });
    assert.equal(mapped.status, 200);
    const native = await speech({
      model: 'tts-1-hd',
      input: 'Native voice.',
      voice: 'fixture-multi',
      speed: 1.5,
    });
    assert.equal(native.status, 200);
    const voices = await fetch(`${gateway.url}/v1/voices`, {
      headers: { authorization: `Bearer ${await token()}` },
    });
    const list = (await voices.json()) as { data: { id: string; provider: string }[] };
    assert.deepEqual(list.data.map((v) => v.id).sort(), ['fixture-multi', 'speechgate-en']);
  });

  test('bad input is a 4xx problem naming the field, never a 500', async () => {
    const ok = { model: 'tts-1', input: 'x', voice: 'alloy' };
    const cases: [unknown, number, string, string | null][] = [
      [{ ...ok, speed: 9 }, 400, 'invalid_request', 'speed'],
      [{ model: 'tts-1', voice: 'alloy' }, 400, 'invalid_request', 'input'],
      [{ ...ok, input: '   ' }, 400, 'invalid_request', 'input'],
      [{ ...ok, input: 'é'.repeat(4097) }, 400, 'invalid_request', 'input'],
      [{ ...ok, model: 'whisper-1' }, 400, 'invalid_request', 'model'],
      [{ ...ok, response_format: 'aac' }, 400, 'unsupported_format', 'response_format'],
      [{ ...ok, response_format: 'ogg' }, 400, 'invalid_request', 'response_format'],
      [{ ...ok, voice: 'no-such-voice' }, 400, 'voice_not_found', 'voice'],
      ['{"model":', 400, 'invalid_request', null],
      [{ ...ok, input: 'x'.repeat(20_000) }, 413, 'payload_too_large', null],
    ];
    for (const [body, status, code, param] of cases) {
      const res = await speech(body);
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.ok(res.headers.get('x-request-id'));
      const problem = (await res.json()) as {
        status: number;
        error: { code: string; param: string | null; message: string };
      };
      assert.equal(problem.status, status);
      assert.equal(problem.error.code, code);
      assert.equal(problem.error.param, param);
      assert.ok(problem.error.message.length > 0);
    }
    const wrongType = await speech('input=hello', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);
    const unknownRoute = await fetch(`${gateway.url}/v2/nothing`);
    assert.equal(unknownRoute.status, 404);
    assert.equal(unknownRoute.headers.get('content-type'), 'application/problem+json');
  });

  test('security suite: every protected route refuses bad tokens with 401/403 problem+json', async (t) => {
    await runSecuritySuite(t, {
      issuer: 'speechgate-dev',
      audience: 'speechgate',
      signingKey: (await importJWK(devKey.privateJwk, 'EdDSA')) as CryptoKey,
      publicJwk: devKey.publicJwk,
      scope: 'tts:speak',
      request: (p, init) => fetch(`${gateway.url}${p}`, init),
      routes: [
        {
          method: 'POST',
          path: '/v1/audio/speech',
          body: { model: 'tts-1', input: 'secure', voice: 'alloy' },
        },
        { method: 'GET', path: '/v1/voices' },
      ],
    });
  });

  test('per-tenant limits answer 429 with Retry-After and RateLimit headers', async () => {
    const limited = await token({ subject: 'tenant-limited' });
    const call = () =>
      fetch(`${gateway.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { authorization: `Bearer ${limited}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tts-1', input: 'Limited.', voice: 'alloy' }),
      });
    assert.equal((await call()).status, 200);
    assert.equal((await call()).status, 200);
    const refused = await call();
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.match(refused.headers.get('ratelimit') ?? '', /"requests";r=0;t=\d+/);
    assert.match(refused.headers.get('ratelimit-policy') ?? '', /"requests";q=2;w=60/);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    // Another tenant is unaffected.
    assert.equal((await speech({ model: 'tts-1', input: 'Limited.', voice: 'alloy' })).status, 200);
  });

  test('the trace continues from gateway to node; tokens never reach the logs', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await speech(
      { model: 'tts-1', input: 'Trace me.', voice: 'alloy' },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'trace-test-request-1' },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'trace-test-request-1');
    await new Promise((r) => setTimeout(r, 100));
    const nodeLine = node.logs.find(
      (l) => l.path === '/v1/synthesize' && l.requestId === 'trace-test-request-1',
    );
    assert.ok(nodeLine, 'the node logged the request under the gateway request id');
    assert.equal(nodeLine.traceId, traceId);
    const gatewayLine = gateway.logs.find((l) => l.requestId === 'trace-test-request-1');
    assert.equal(gatewayLine?.traceId, traceId);
    const everything = JSON.stringify([...gateway.logs, ...node.logs]);
    assert.ok(!everything.includes('eyJ'), 'no JWT appears in any log line');
  });

  test('Redis down: requests still succeed, the degraded mode shows in metrics and logs', async () => {
    await redis.stop();
    const res = await speech({ model: 'tts-1', input: 'Redis is gone, speech is not.', voice: 'alloy' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cache'), 'miss');
    assert.ok((await metric(node.url, /tts_cache_events_total\{result="error"\} (\d+)/)) >= 1);
    assert.ok((await metric(gateway.url, /gateway_ratelimit_store_errors_total(?:\{[^}]*\})? (\d+)/)) >= 1);
    assert.ok(node.logs.some((l) => l.msg === 'result cache unavailable: synthesising without it'));
  });
});
