import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import { createSilentLogger } from '../shared/logger.ts';
import { writePiperFixture } from '../test/support/piper-fixture.ts';
import { createNodeApp } from './app.ts';
import { loadNodeConfig } from './config.ts';
import { createNodeServices, type NodeServices } from './services.ts';

const secret = 'test-internal-secret-0123456789';

describe('node app (in process, real ONNX sessions on Piper-shaped fixtures)', () => {
  let dir: string;
  let services: NodeServices;
  let app: ReturnType<typeof createNodeApp>;
  let token: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-node-'));
    await writePiperFixture(dir, { id: 'fixture-single' });
    await writePiperFixture(dir, { id: 'fixture-multi', multiSpeaker: true });
    // Broken pairs are skipped, never fatal.
    await writeFile(path.join(dir, 'broken.onnx'), 'not a model');
    await writeFile(path.join(dir, 'broken.onnx.json'), JSON.stringify({ audio: { sample_rate: 22050 } }));
    await writeFile(path.join(dir, 'orphan.onnx'), 'no config');
    await writeFile(path.join(dir, 'garbage.onnx'), 'x');
    await writeFile(
      path.join(dir, 'garbage.onnx.json'),
      (await import('node:fs')).readFileSync(path.join(dir, 'fixture-single.onnx.json')),
    );
    const config = loadNodeConfig({
      INTERNAL_AUTH_SECRET: secret,
      VOICES_DIR: dir,
      BUILTIN_VOICE: 'false',
      REGION: 'test-1',
    });
    services = await createNodeServices(config, createSilentLogger());
    app = createNodeApp(services);
    token = await createInternalTokenSigner(secret).token();
  });
  after(async () => {
    await services.close();
    await rm(dir, { recursive: true, force: true });
  });

  const synth = (body: unknown, headers: Record<string, string> = {}) =>
    app.request('/v1/synthesize', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('loads good voices, skips broken pairs with a metric', async () => {
    assert.deepEqual(
      services.engine
        .voices()
        .map((v) => v.entry.id)
        .sort(),
      ['fixture-multi', 'fixture-single'],
    );
    assert.equal(services.engine.skipped.length, 3);
    const metrics = await (await app.request('/metrics')).text();
    assert.match(metrics, /tts_voices_skipped_total 3/);
    assert.match(metrics, /tts_voice_provider\{voice="fixture-single",requested="cpu",provider="cpu"\} 1/);
  });

  test('/readyz reports warm voices, provider per voice and load', async () => {
    const res = await app.request('/readyz');
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      status: string;
      region: string;
      voices: { provider: string; warm: boolean }[];
      load: Record<string, number>;
    };
    assert.equal(body.status, 'ready');
    assert.equal(body.region, 'test-1');
    assert.ok(body.voices.every((v) => v.provider === 'cpu' && v.warm));
    assert.deepEqual(Object.keys(body.load).sort(), [
      'concurrency',
      'estimated_wait_ms',
      'in_flight',
      'queue_depth',
    ]);
  });

  test('synthesises WAV, then serves the identical bytes from the cache', async () => {
    const first = await synth({ voice: 'fixture-single', text: 'Hello from the edge.', format: 'wav' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'audio/wav');
    assert.equal(first.headers.get('x-cache'), 'miss');
    assert.equal(first.headers.get('x-region'), 'test-1');
    const a = Buffer.from(await first.arrayBuffer());
    assert.equal(a.toString('ascii', 0, 4), 'RIFF');
    assert.equal(a.readUInt32LE(24), 22050);
    assert.ok(Number(first.headers.get('x-audio-duration-ms')) > 0);
    const second = await synth({ voice: 'fixture-single', text: 'Hello   from the edge.', format: 'wav' });
    assert.equal(second.headers.get('x-cache'), 'hit');
    assert.deepEqual(Buffer.from(await second.arrayBuffer()), a);
    const metrics = await (await app.request('/metrics')).text();
    assert.match(metrics, /tts_cache_events_total\{result="hit"\} 1/);
    assert.match(metrics, /tts_queue_wait_seconds_count 1/);
  });

  test('pcm is raw 24 kHz s16le', async () => {
    const res = await synth({ voice: 'fixture-single', text: 'Hello.', format: 'pcm' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/pcm;rate=24000');
    assert.equal(res.headers.get('x-sample-rate'), '24000');
    const body = Buffer.from(await res.arrayBuffer());
    const ms = Number(res.headers.get('x-audio-duration-ms'));
    assert.ok(Math.abs(body.length / 2 / 24 - ms) <= 2, `${body.length / 48} ms of pcm vs ${ms} ms`);
  });

  test('multi-speaker voices take a speaker name or id; speed changes the parameters', async () => {
    const alice = await synth({ voice: 'fixture-multi', text: 'Hi there.', speaker: 'alice' });
    const bob = await synth({ voice: 'fixture-multi', text: 'Hi there.', speaker: 1 });
    assert.equal(alice.status, 200);
    assert.equal(bob.status, 200);
    assert.notDeepEqual(Buffer.from(await alice.arrayBuffer()), Buffer.from(await bob.arrayBuffer()));
    const bad = await synth({ voice: 'fixture-multi', text: 'Hi.', speaker: 'carol' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'speaker');
  });

  test('bad input is a 4xx problem, never a 500', async () => {
    const cases: [unknown, number, string, string | null][] = [
      ['{not json', 400, 'invalid_request', null],
      [{ voice: 'fixture-single' }, 400, 'invalid_request', 'text'],
      [{ voice: 'fixture-single', text: 'x', speed: 9 }, 400, 'invalid_request', 'speed'],
      [{ voice: 'fixture-single', text: 'x', format: 'aac' }, 400, 'invalid_request', 'format'],
      [{ voice: 'nope', text: 'x' }, 400, 'voice_not_found', 'voice'],
      [{ voice: 'fixture-single', text: 'x', extra: 1 }, 400, 'invalid_request', null],
    ];
    for (const [body, status, code, param] of cases) {
      const res = await synth(body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = (await res.json()) as { code: string; error: { code: string; param: string | null } };
      assert.equal(problem.error.code, code);
      if (param) assert.equal(problem.error.param, param);
    }
    const wrongType = await synth('text', { 'content-type': 'text/plain' });
    assert.equal(wrongType.status, 415);
    const huge = await synth({ voice: 'fixture-single', text: 'x'.repeat(300_000) });
    assert.equal(huge.status, 413);
  });

  test('synthesis routes need the gateway token; health and metrics do not', async () => {
    const none = await app.request('/v1/voices');
    assert.equal(none.status, 401);
    assert.ok(none.headers.get('www-authenticate'));
    const forged = await app.request('/v1/voices', {
      headers: {
        authorization: `Bearer ${await createInternalTokenSigner('another-secret-0123456789').token()}`,
      },
    });
    assert.equal(forged.status, 401);
    const ok = await app.request('/v1/voices', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { data: unknown[] }).data.length, 2);
    assert.equal((await app.request('/healthz')).status, 200);
  });

  test('a request whose deadline cannot be met is refused with 503 and Retry-After', async () => {
    const res = await synth(
      { voice: 'fixture-single', text: 'A fresh sentence.' },
      { 'x-deadline-ms': '0.001' },
    );
    // 0.001 ms is below any service time the queue has measured.
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.equal(((await res.json()) as { code: string }).code, 'node_overloaded');
  });
});
