import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import type { SegmentResult } from '../gateway/jobs/job-types.ts';
import { createJobKeys } from '../gateway/jobs/redis-keys.ts';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import { type ServiceProcess, startService } from '../test/support/processes.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { fmt, table } from './stats.ts';

/**
 * `npm run bench:jobs`: one 50,000-character document as an asynchronous job, end to end
 * (submit → every segment synthesised → chapters assembled → completed), measuring
 *  1. the parallel speed-up: the sum of the segments' synthesis times ÷ the job's wall time
 *     (and its inverse, wall ÷ sum, the figure the issue names), and
 *  2. characters synthesised per second of wall time.
 * Under concurrency a node batches requests, and each one's `x-synthesis-ms` covers its whole
 * batch, so the sum of synthesis times grows with parallelism. A serial baseline is therefore
 * measured too: a second document from the same generator (another seed, so neither the result
 * cache nor the node's phoneme cache helps either run), one segment at a time straight to the
 * node, before the job; the job's wall time is compared with it.
 * BENCH_NODES (default 1) nodes in one region behind one gateway with BENCH_WORKERS (default 8)
 * job workers; BENCH_CHARACTERS sets the document size. On 2 cores a second node only competes
 * for the same CPUs; set BENCH_NODES=2 on a bigger machine.
 */
const NODES = Number(process.env.BENCH_NODES ?? 1);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 8);
const CHARACTERS = Number(process.env.BENCH_CHARACTERS ?? 50_000);
const CHAPTERS = 25;

const nouns = [
  'river',
  'lantern',
  'meadow',
  'falcon',
  'harbor',
  'willow',
  'engine',
  'garden',
  'letter',
  'mountain',
];
const adjectives = [
  'quiet',
  'amber',
  'distant',
  'bright',
  'narrow',
  'ancient',
  'gentle',
  'hollow',
  'silver',
  'restless',
];
const verbs = ['watched', 'followed', 'remembered', 'carried', 'crossed', 'painted', 'described', 'circled'];
const numbers = [
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
];

/** Distinct sentences (no result-cache hits inside the document), grouped into chapters. */
function makeDocument(characters: number, seed: number) {
  let state = seed;
  const pick = <T>(list: readonly T[]) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return list[state % list.length]!;
  };
  const sentences: string[] = [];
  let total = 0;
  for (let i = 0; total < characters; i++) {
    const count = `${numbers[i % 12]} ${numbers[Math.floor(i / 12) % 12]} ${numbers[Math.floor(i / 144) % 12]}`;
    const s = `The ${pick(adjectives)} ${pick(nouns)} ${pick(verbs)} ${count} ${pick(adjectives)} ${pick(nouns)}s near the ${pick(nouns)}.`;
    sentences.push(s);
    total += s.length + 1;
  }
  const perChapter = Math.ceil(sentences.length / CHAPTERS);
  return Array.from({ length: CHAPTERS }, (_, c) => ({
    text: sentences.slice(c * perChapter, (c + 1) * perChapter).join(' '),
  })).filter((ch) => ch.text.length > 0);
}

/** Texts synthesised one request at a time straight to a node. */
async function serialBaseline(nodeUrl: string, secret: string, texts: string[]) {
  const signer = createInternalTokenSigner(secret);
  let synthesisMs = 0;
  const started = performance.now();
  for (const text of texts) {
    const res = await fetch(`${nodeUrl}/v1/synthesize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signer.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ voice: 'speechgate-en', text, format: 'wav' }),
    });
    await res.arrayBuffer();
    if (res.status !== 200 || res.headers.get('x-cache') === 'hit')
      throw new Error(`serial run: ${res.status}`);
    synthesisMs += Number(res.headers.get('x-synthesis-ms') ?? 0);
  }
  return { wallMs: performance.now() - started, synthesisMs };
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-jobs-'));
  const secret = 'bench-internal-secret-0123456789';
  const keyFile = path.join(dir, 'dev-key.json');
  const redis = await startRedisServer();
  const processes: ServiceProcess[] = [];
  const client = new Redis(redis.url);
  try {
    for (let i = 0; i < NODES; i++) {
      processes.push(
        await startService('node/main.ts', {
          INTERNAL_AUTH_SECRET: secret,
          REDIS_URL: redis.url,
          REGION: 'bench',
        }),
      );
    }
    const nodes = processes.map((p) => p.url);
    const gateway = await startService('gateway/main.ts', {
      INTERNAL_AUTH_SECRET: secret,
      GATEWAY_REGIONS: JSON.stringify({ regions: [{ name: 'bench', nodes }] }),
      AUTH_DEV_KEY_FILE: keyFile,
      REDIS_URL: redis.url,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      RATE_LIMIT_CHARACTERS_PER_MINUTE: '0',
      RATE_LIMIT_CONCURRENT_REQUESTS: '0',
      JOBS_WORKERS: String(WORKERS),
      JOBS_MAX_BODY_BYTES: String(4 * 1024 * 1024),
      // Hedging would synthesise some segments twice and inflate the sum of synthesis times.
      ROUTING_HEDGE: 'false',
    });
    processes.push(gateway);
    const token = await signDevToken(await ensureDevKey(keyFile), {
      subject: 'bench',
      scopes: ['tts:speak'],
      ttlSeconds: 3600,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${gateway.url}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: read field by field below.
      const json: any = await res.json();
      if (res.status >= 400) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    // Warm every node's ONNX session and the gateway's routing with a small job first.
    const warm = await call('POST', '/v1/jobs', {
      voice: 'alloy',
      input: 'Warming up the voices. One more sentence.',
    });
    while ((await call('GET', `/v1/jobs/${warm.id}`)).status !== 'completed') await sleep(100);

    const seed = Date.now() % 100_000;
    const baseline = makeDocument(CHARACTERS, seed + 1).flatMap((ch) => ch.text.split(/(?<=\.)\s+/));
    const serial = await serialBaseline(processes[0]!.url, secret, baseline);
    const document = makeDocument(CHARACTERS, seed);
    const submitted = document.reduce((n, ch) => n + ch.text.length, 0);
    const started = performance.now();
    const created = await call('POST', '/v1/jobs', {
      voice: 'alloy',
      chapters: document,
      response_format: 'wav',
    });
    let job = created;
    while (job.status !== 'completed' && job.status !== 'failed') {
      await sleep(50);
      job = await call('GET', `/v1/jobs/${created.id}`);
    }
    const wallMs = performance.now() - started;
    if (job.status !== 'completed') throw new Error(`job failed: ${JSON.stringify(job.error)}`);

    const manifest = await call('GET', `/v1/jobs/${created.id}/manifest`);
    type Segment = { synthesis_ms: number; duration_ms: number; text: string };
    const segments: Segment[] = manifest.chapters.flatMap((ch: { segments: Segment[] }) => ch.segments);
    const synthesisMs = segments.reduce((n, s) => n + s.synthesis_ms, 0);
    const results = Object.values(await client.hgetall(createJobKeys().done(created.id))).map(
      (json) => JSON.parse(json) as SegmentResult,
    );
    const taskMs = results.reduce((n, r) => n + r.taskMs, 0);
    const audioMs = manifest.chapters.reduce(
      (n: number, ch: { duration_ms: number }) => n + ch.duration_ms,
      0,
    );
    const cacheHits = results.filter((r) => r.cache === 'hit').length;

    console.log(
      `\nnpm run bench:jobs — ${NODES} node(s) in one region, 1 gateway with ${WORKERS} job workers, ${os.cpus().length} CPU cores`,
    );
    console.log(
      `document: ${submitted} characters submitted, ${job.characters} spoken, ${segments.length} segments in ${manifest.chapters.length} chapters (${cacheHits} cache hits)\n`,
    );
    console.log(
      table([
        ['measure', 'value'],
        ['job wall time (submit → completed)', `${fmt(wallMs / 1000)} s`],
        ["sum of segments' synthesis times (node x-synthesis-ms)", `${fmt(synthesisMs / 1000)} s`],
        ['wall time ÷ sum of synthesis times', fmt(wallMs / synthesisMs, 3)],
        ['parallel speed-up (sum of synthesis ÷ wall)', `${fmt(synthesisMs / wallMs)}×`],
        ["sum of segments' routed call times (gateway → node → back)", `${fmt(taskMs / 1000)} s`],
        ['speed-up over routed call times (sum ÷ wall)', `${fmt(taskMs / wallMs)}×`],
        [
          `serial baseline: ${baseline.length} segments of a same-size document, one at a time`,
          `${fmt(serial.wallMs / 1000)} s wall`,
        ],
        ["serial baseline: sum of its segments' synthesis times", `${fmt(serial.synthesisMs / 1000)} s`],
        ['job wall time ÷ serial sum of synthesis times', fmt(wallMs / serial.synthesisMs, 3)],
        ['speed-up over the serial baseline (serial wall ÷ job wall)', `${fmt(serial.wallMs / wallMs)}×`],
        ['characters synthesised per second (job)', fmt(job.characters / (wallMs / 1000), 0)],
        [
          'characters synthesised per second (serial baseline)',
          fmt(baseline.join('').length / (serial.wallMs / 1000), 0),
        ],
        ['audio produced', `${fmt(audioMs / 1000, 1)} s (${fmt(audioMs / wallMs, 1)}× real time)`],
      ]),
    );
  } finally {
    client.disconnect();
    for (const p of processes.reverse()) await p.stop();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
