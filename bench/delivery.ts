import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { createEngine } from '../node/engine/create-engine.ts';
import { createEncoder, type OutputFormat } from '../shared/audio/encoder.ts';
import { prepareSegments } from '../shared/text/index.ts';
import { startService } from '../test/support/processes.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { fmt, median, table } from './stats.ts';

/**
 * `npm run bench:delivery`, measured side by side in one run:
 *  1. cache-hit time to first byte ÷ cache-miss time to first audio;
 *  2. streaming: first chunk ÷ whole file for six sentences;
 *  3. encode time ÷ synthesis time per format;
 *  4. signed audio-URL GETs per second ÷ raw Redis GETs of the same bytes.
 */
const SIX = (tag: string) =>
  [
    `The first sentence of run ${tag} sets the scene.`,
    'A second one follows close behind it.',
    'Then a third sentence adds a little detail.',
    'The fourth one keeps the listener going.',
    'A fifth sentence nearly finishes the story.',
    'And the sixth sentence brings it to an end.',
  ].join(' ');

const dir = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-delivery-'));
const secret = 'bench-delivery-secret-0123456789';
const redisServer = await startRedisServer();
const node = await startService('node/main.ts', {
  INTERNAL_AUTH_SECRET: secret,
  REDIS_URL: redisServer.url,
  LOG_LEVEL: 'info',
});
const gateway = await startService('gateway/main.ts', {
  INTERNAL_AUTH_SECRET: secret,
  NODE_URL: node.url,
  AUTH_DEV_KEY_FILE: path.join(dir, 'key.json'),
  REDIS_URL: redisServer.url,
  AUDIO_URL_SIGNING_KEYS: `k1:${'s'.repeat(32)}`,
  RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
  RATE_LIMIT_CHARACTERS_PER_MINUTE: '0',
  RATE_LIMIT_CONCURRENT_REQUESTS: '0',
  LOG_LEVEL: 'info',
});
const token = await signDevToken(await ensureDevKey(path.join(dir, 'key.json')), {
  subject: 'bench',
  scopes: ['tts:speak'],
  ttlSeconds: 3600,
  issuer: 'speechgate-dev',
  audience: 'speechgate',
});

async function speak(input: string, format = 'pcm') {
  const started = performance.now();
  const res = await fetch(`${gateway.url}/v1/audio/speech`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input, response_format: format }),
  });
  const reader = res.body!.getReader();
  let first = Number.NaN;
  let bytes = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    if (Number.isNaN(first)) first = performance.now() - started;
    bytes += chunk.value.byteLength;
  }
  return {
    first,
    all: performance.now() - started,
    bytes,
    cache: res.headers.get('x-cache'),
    location: res.headers.get('content-location'),
  };
}

try {
  // Warm the voice, encoders and connections.
  for (let i = 0; i < 3; i++) await speak(`Warm up number ${i}.`);

  const missFirst: number[] = [];
  const hitFirst: number[] = [];
  const streamFirst: number[] = [];
  const streamAll: number[] = [];
  let location = '';
  for (let i = 0; i < 10; i++) {
    const tag = `${Date.now()}-${i}`;
    const miss = await speak(SIX(tag));
    if (miss.cache !== 'miss') throw new Error(`expected a miss, got ${miss.cache}`);
    missFirst.push(miss.first);
    streamFirst.push(miss.first);
    streamAll.push(miss.all);
    const hit = await speak(SIX(tag));
    if (hit.cache !== 'hit') throw new Error(`expected a hit, got ${hit.cache}`);
    hitFirst.push(hit.first);
    location = hit.location ?? location;
  }

  // Encoding cost beside synthesis cost, in one process on the same PCM.
  const engine = await createEngine({ voicesDir: 'voices', provider: 'cpu' });
  const sentences = prepareSegments(SIX('encode'));
  const synthMs: number[] = [];
  let pcms: { pcm: Int16Array; sampleRate: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    pcms = [];
    for (const text of sentences) pcms.push(await engine.synthesize({ voice: 'speechgate-en', text }));
    synthMs.push(performance.now() - started);
  }
  await engine.close();
  const encodeRows: (string | number)[][] = [['format', 'encode ms', 'synthesis ms', 'encode ÷ synthesis']];
  for (const format of ['wav', 'pcm', 'mp3', 'opus', 'flac'] as OutputFormat[]) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const encoder = await createEncoder(format, { inputSampleRate: pcms[0]!.sampleRate });
      const started = performance.now();
      encoder.start();
      for (const { pcm } of pcms) await encoder.write(pcm);
      await encoder.finish();
      times.push(performance.now() - started);
    }
    encodeRows.push([
      format,
      fmt(median(times)),
      fmt(median(synthMs)),
      fmt(median(times) / median(synthMs), 3),
    ]);
  }

  // Signed URL GETs through the gateway vs raw Redis GETs of the same stored bytes.
  const url = new URL(location, gateway.url).toString();
  const gatewayRun = await autocannon({ url, connections: 10, duration: 5 });
  const raw = new Redis(redisServer.url);
  const keys = await raw.keys('sg:clip:*');
  const start = performance.now();
  let gets = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (performance.now() - start < 5000) {
        await raw.getBuffer(keys[0]!);
        gets++;
      }
    }),
  );
  const redisRps = gets / ((performance.now() - start) / 1000);
  raw.disconnect();

  const bytes = (await speak(SIX('size'))).bytes;
  console.log(
    `Speechgate delivery bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(
    `\n1. Time to first audio, 6-sentence pcm (${(bytes / 48_000).toFixed(1)} s of audio), 10 runs (median ms)`,
  );
  console.log(
    table([
      ['case', 'first byte ms'],
      ['cache miss (synthesised)', fmt(median(missFirst))],
      ['cache hit (stored clip)', fmt(median(hitFirst))],
    ]),
  );
  console.log(
    `   hit TTFB ÷ miss time to first audio: ${fmt(median(hitFirst) / median(missFirst), 3)} (target ≤ 0.05)`,
  );
  console.log(
    `\n2. Streaming, 6 sentences: first chunk ${fmt(median(streamFirst))} ms, whole file ${fmt(median(streamAll))} ms`,
  );
  console.log(
    `   first chunk ÷ full file: ${fmt(median(streamFirst) / median(streamAll), 3)} (target ≤ 0.35)`,
  );
  console.log('\n3. Encoding on the gateway vs synthesis on the node, same 6 sentences (median of 5)');
  console.log(table(encodeRows));
  console.log('   targets: opus ≤ 0.1, mp3 ≤ 0.5');
  console.log(
    `\n4. Audio URL GETs (${gatewayRun.errors} errors, ${gatewayRun.non2xx} non-2xx) vs raw Redis GETs, 10 connections, 5 s`,
  );
  console.log(
    table([
      ['path', 'requests/s'],
      ['GET /v1/audio/{key} via gateway', fmt(gatewayRun.requests.average, 0)],
      ['raw Redis GET of the same bytes', fmt(redisRps, 0)],
    ]),
  );
  console.log(`   gateway ÷ raw Redis: ${fmt(gatewayRun.requests.average / redisRps, 3)} (target ≥ 0.25)`);
} finally {
  await gateway.stop();
  await node.stop();
  await redisServer.stop();
  await rm(dir, { recursive: true, force: true });
}
