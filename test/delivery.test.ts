import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { experimental_generateSpeech as generateSpeech } from 'ai';
import OpenAI from 'openai';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { decodeAudio } from './support/decode-audio.ts';
import { type ServiceProcess, startService } from './support/processes.ts';
import { type RedisServer, startRedisServer } from './support/redis-server.ts';

const SIX = [
  'The first sentence sets the scene.',
  'A second one follows close behind.',
  'Then a third sentence adds detail.',
  'The fourth one keeps the listener going.',
  'A fifth sentence nearly finishes it.',
  'And the sixth sentence ends the story.',
].join(' ');

/**
 * Audio delivery with real clients: the official openai SDK (v6) and the AI SDK's speech
 * helper against a gateway and a node on Redis, every format decoded by independent decoders.
 */
describe('delivery: formats, streaming, SSE, coalescing, real clients', () => {
  const secret = 'delivery-test-secret-0123456789';
  let dir: string;
  let redis: RedisServer;
  let node: ServiceProcess;
  let gateway: ServiceProcess;
  let token: string;
  let openai: OpenAI;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-delivery-'));
    const devKey = await ensureDevKey(path.join(dir, 'dev-key.json'));
    redis = await startRedisServer();
    node = await startService('node/main.ts', { INTERNAL_AUTH_SECRET: secret, REDIS_URL: redis.url });
    gateway = await startService('gateway/main.ts', {
      INTERNAL_AUTH_SECRET: secret,
      NODE_URL: node.url,
      AUTH_DEV_KEY_FILE: path.join(dir, 'dev-key.json'),
      REDIS_URL: redis.url,
      AUDIO_URL_SIGNING_KEYS: `k1:${'s'.repeat(32)}`,
      RATE_LIMIT_CONCURRENT_REQUESTS: '64',
      RATE_LIMIT_OVERRIDES: JSON.stringify({ 'tenant-one-at-a-time': { concurrent_requests: 1 } }),
    });
    token = await signDevToken(devKey, {
      subject: 'delivery',
      scopes: ['tts:speak'],
      ttlSeconds: 600,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
    openai = new OpenAI({ apiKey: token, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await gateway?.stop();
    await node?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const nodeMetric = async (pattern: RegExp) => {
    const match = pattern.exec(await (await fetch(`${node.url}/metrics`)).text());
    return match ? Number(match[1]) : 0;
  };
  const syntheses = () => nodeMetric(/tts_synthesis_duration_seconds_count\{[^}]*\} (\d+)/);

  for (const format of ['wav', 'pcm', 'mp3', 'opus', 'flac'] as const) {
    test(`openai SDK: ${format} decodes at the right rate and length`, async () => {
      const input = `This clip is encoded as ${format}. It has two sentences.`;
      const response = await openai.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input,
        response_format: format,
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      const decoded = await decodeAudio(format, bytes);
      const expectedRate = { wav: 22_050, pcm: 24_000, mp3: 22_050, opus: 48_000, flac: 22_050 }[format];
      assert.equal(decoded.sampleRate, expectedRate);
      // The same text as PCM is the reference length; lossy codecs add at most a frame or two.
      const reference = await openai.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input,
        response_format: 'pcm',
      });
      const refSeconds = (await reference.arrayBuffer()).byteLength / 48_000;
      assert.ok(refSeconds > 1, `reference is ${refSeconds} s`);
      assert.ok(
        Math.abs(decoded.seconds - refSeconds) < 0.08,
        `${format}: ${decoded.seconds} s vs ${refSeconds} s`,
      );
    });
  }

  test('aac answers 400 in the OpenAI error shape', async () => {
    await assert.rejects(
      openai.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input: 'No AAC.',
        response_format: 'aac',
      }),
      (err: InstanceType<typeof OpenAI.BadRequestError>) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.equal(err.code, 'unsupported_format');
        assert.match(err.message, /aac/);
        return true;
      },
    );
  });

  test('a 6-sentence text over pcm delivers its first bytes before the whole text is synthesised', async () => {
    const before = await syntheses();
    const started = performance.now();
    const response = await openai.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: SIX,
      response_format: 'pcm',
    });
    assert.equal(response.headers.get('x-cache'), 'miss');
    assert.equal(response.headers.get('x-cache-segments'), '0/6');
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstMs = performance.now() - started;
    const synthesisedAtFirstByte = (await syntheses()) - before;
    assert.ok(!first.done && first.value.byteLength > 0);
    assert.ok(
      synthesisedAtFirstByte < 6,
      `${synthesisedAtFirstByte} of 6 sentences synthesised at the first byte`,
    );
    let total = first.value!.byteLength;
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      total += chunk.value.byteLength;
    }
    const allMs = performance.now() - started;
    assert.equal((await syntheses()) - before, 6);
    assert.ok(total / 48_000 > 3, `${total / 48_000} s of audio`);
    assert.ok(firstMs < allMs, `first bytes at ${firstMs.toFixed(0)} ms of ${allMs.toFixed(0)} ms`);
  });

  test('SSE: speech.audio.delta events (base64) then speech.audio.done', async () => {
    const response = await openai.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Streaming as events. Two sentences.',
      response_format: 'pcm',
      stream_format: 'sse',
    });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string; usage?: unknown });
    assert.ok(events.length >= 3);
    assert.equal(events.at(-1)!.type, 'speech.audio.done');
    assert.ok(events.at(-1)!.usage);
    const deltas = events.slice(0, -1);
    assert.ok(deltas.every((e) => e.type === 'speech.audio.delta' && typeof e.audio === 'string'));
    const bytes = deltas.reduce((n, e) => n + Buffer.from(e.audio!, 'base64').length, 0);
    assert.ok(bytes / 48_000 > 1);
  });

  test('20 identical concurrent requests cause exactly one synthesis', async () => {
    const before = await syntheses();
    const input = `Twenty callers ask for this very sentence at once ${Date.now()}.`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input, response_format: 'wav' }),
      ),
    );
    const bodies = await Promise.all(responses.map(async (r) => Buffer.from(await r.arrayBuffer())));
    assert.ok(bodies.every((b) => b.equals(bodies[0]!)));
    assert.equal((await syntheses()) - before, 1);
  });

  test('a sentence repeated inside new text is a cache hit (x-cache: partial)', async () => {
    const stamp = Date.now();
    await (
      await openai.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input: `Shared sentence ${stamp}. Only in the first.`,
      })
    ).arrayBuffer();
    const before = await syntheses();
    const second = await openai.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: `Shared sentence ${stamp}. Only in the second.`,
    });
    await second.arrayBuffer();
    assert.equal(second.headers.get('x-cache'), 'partial');
    assert.equal(second.headers.get('x-cache-segments'), '1/2');
    assert.equal((await syntheses()) - before, 1);
  });

  test('native /v1/speech returns a signed URL that serves the clip with Range support', async () => {
    const res = await fetch(`${gateway.url}/v1/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tts-1',
        voice: 'alloy',
        input: 'Stored for the CDN.',
        response_format: 'mp3',
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      url: string;
      content_type: string;
      bytes: number;
      duration_ms: number;
      cache: string;
    };
    assert.equal(body.content_type, 'audio/mpeg');
    assert.ok(body.duration_ms > 500);
    const clip = await fetch(new URL(body.url, gateway.url));
    assert.equal(clip.status, 200);
    assert.equal(clip.headers.get('cache-control')?.includes('immutable'), true);
    const full = Buffer.from(await clip.arrayBuffer());
    assert.equal(full.length, body.bytes);
    assert.ok((await decodeAudio('mp3', full)).seconds > 0.5);
    const part = await fetch(new URL(body.url, gateway.url), { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), full.subarray(10, 20));
  });

  test('a 429 surfaces as the SDK RateLimitError, and its retry honours Retry-After', async () => {
    const devKey = await ensureDevKey(path.join(dir, 'dev-key.json'));
    const limited = await signDevToken(devKey, {
      subject: 'tenant-one-at-a-time',
      scopes: ['tts:speak'],
      ttlSeconds: 600,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
    const noRetry = new OpenAI({ apiKey: limited, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const long = await noRetry.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: `${SIX} ${Date.now()}`,
      response_format: 'pcm',
    });
    await assert.rejects(
      noRetry.audio.speech.create({
        model: 'tts-1',
        voice: 'alloy',
        input: 'Second at once.',
        response_format: 'pcm',
      }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.RateLimitError);
        assert.equal(err.status, 429);
        assert.ok(Number(err.headers?.get('retry-after')) >= 1);
        return true;
      },
    );
    await long.arrayBuffer();
    // Hold the tenant's one slot with a long synthesis, then ask again: the SDK must see a 429
    // and come back no sooner than Retry-After says.
    const attempts: { at: number; status: number }[] = [];
    const retrying = new OpenAI({
      apiKey: limited,
      baseURL: `${gateway.url}/v1`,
      maxRetries: 5,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        attempts.push({ at: performance.now(), status: res.status });
        return res;
      },
    });
    const stamp = Date.now();
    const busy = await noRetry.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: Array.from({ length: 30 }, (_, i) => `Busy sentence ${i} of batch ${stamp}.`).join(' '),
      response_format: 'pcm',
    });
    const busyDone = busy.arrayBuffer();
    const ok = await retrying.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Second, later.',
      response_format: 'pcm',
    });
    assert.ok((await ok.arrayBuffer()).byteLength > 0);
    await busyDone;
    assert.equal(attempts[0]!.status, 429);
    assert.equal(attempts.at(-1)!.status, 200);
    for (let i = 1; i < attempts.length; i++) {
      assert.ok(
        attempts[i]!.at - attempts[i - 1]!.at >= 900,
        `retry ${i} came ${attempts[i]!.at - attempts[i - 1]!.at} ms later`,
      );
    }
  });

  test('the AI SDK speech helper gets audio from the gateway', async () => {
    const provider = createOpenAI({ apiKey: token, baseURL: `${gateway.url}/v1` });
    const result = await generateSpeech({
      model: provider.speech('tts-1'),
      text: 'Spoken through the AI SDK.',
      voice: 'alloy',
      outputFormat: 'mp3',
    });
    const audio = result.audio.uint8Array;
    assert.ok(audio.byteLength > 1000);
    assert.ok((await decodeAudio('mp3', audio)).seconds > 0.5);
  });
});
