import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type DevKey, ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { PARAGRAPH_GAP_MS, SENTENCE_GAP_MS } from '../gateway/jobs/assemble-chapter.ts';
import { readWav } from '../shared/audio/wav.ts';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import { type ServiceProcess, startService } from './support/processes.ts';
import { type RedisServer, startRedisServer } from './support/redis-server.ts';

/**
 * Real processes for the job tests: redis-server, one node with the built-in voice, and
 * gateways started on demand (each with its own env on top of the shared one).
 */
export interface JobsCluster {
  redis: RedisServer;
  node: ServiceProcess;
  /** A client of the test's own, to look at the queue from outside. */
  client: Redis;
  secret: string;
  webhookSecret: string;
  startGateway(env?: Record<string, string>): Promise<ServiceProcess>;
  token(tenant: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startJobsCluster(
  options: { appendOnly?: boolean; gatewayEnv?: Record<string, string> } = {},
) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sg-jobs-'));
  const secret = 'jobs-test-internal-secret-0123456789';
  const webhookSecret = 'whsec_jobs_test_0123456789abcdef';
  const keyFile = path.join(dir, 'dev-key.json');
  const devKey: DevKey = await ensureDevKey(keyFile);
  const redis = await startRedisServer({ appendOnly: options.appendOnly ?? false });
  const node = await startService('node/main.ts', {
    INTERNAL_AUTH_SECRET: secret,
    REDIS_URL: redis.url,
    REGION: 'test-west',
  });
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const gateways: ServiceProcess[] = [];
  const cluster: JobsCluster = {
    redis,
    node,
    client,
    secret,
    webhookSecret,
    async startGateway(env = {}) {
      const gateway = await startService('gateway/main.ts', {
        INTERNAL_AUTH_SECRET: secret,
        NODE_URL: node.url,
        AUTH_DEV_KEY_FILE: keyFile,
        REDIS_URL: redis.url,
        // Shared by every gateway, so a URL one signs, another serves.
        AUDIO_URL_SIGNING_KEYS: `k1:${'u'.repeat(32)}`,
        JOBS_CLAIM_IDLE_MS: '2000',
        JOBS_RETRY_BASE_MS: '200',
        JOBS_RETRY_MAX_MS: '2000',
        JOBS_WEBHOOK_SECRET: webhookSecret,
        JOBS_WEBHOOK_ALLOW_PRIVATE: 'true',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '6000',
        RATE_LIMIT_CONCURRENT_REQUESTS: '64',
        SHUTDOWN_GRACE_MS: '2000',
        ...options.gatewayEnv,
        ...env,
      });
      gateways.push(gateway);
      return gateway;
    },
    token: (tenant) =>
      signDevToken(devKey, {
        subject: tenant,
        scopes: ['tts:speak'],
        ttlSeconds: 600,
        issuer: 'speechgate-dev',
        audience: 'speechgate',
      }),
    async stop() {
      for (const gateway of gateways) await gateway.stop('SIGKILL');
      await node.stop();
      client.disconnect();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Calls the gateway as `tenant`; JSON in and out. */
export async function api(
  cluster: JobsCluster,
  gateway: ServiceProcess,
  tenant: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${gateway.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${await cluster.token(tenant)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test responses are read field by field.
  const json: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, json };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function waitForStatus(
  cluster: JobsCluster,
  gateway: () => ServiceProcess,
  tenant: string,
  id: string,
  statuses: string[],
  timeoutMs = 60_000,
) {
  return waitFor(
    `job ${id} to be ${statuses.join(' or ')}`,
    async () => {
      const res = await api(cluster, gateway(), tenant, 'GET', `/v1/jobs/${id}`);
      return statuses.includes(res.json?.status) ? res.json : undefined;
    },
    timeoutMs,
    200,
  );
}

/** A value read from a Prometheus text page; 0 when the series is absent. */
export async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const words = [
  'amber',
  'river',
  'quiet',
  'lantern',
  'meadow',
  'falcon',
  'harbor',
  'willow',
  'copper',
  'thunder',
];
const numbers = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * A document of `chapters` chapters with `sentences` distinct sentences each, in words only
 * (no digits, abbreviations or symbols), so normalisation leaves every sentence as written.
 */
export function makeDocument(chapters: number, sentences: number, seed = 1) {
  let state = seed;
  const pick = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return words[state % words.length]!;
  };
  const number = (n: number) => `${numbers[Math.floor(n / 10) % 10]} ${numbers[n % 10]}`;
  return Array.from({ length: chapters }, (_, c) => ({
    title: `Chapter ${number(c)}`,
    text: Array.from(
      { length: sentences },
      (_, s) => `The ${pick()} ${pick()} saw ${number(s)} ${pick()} birds near the ${pick()} gate.`,
    ).join(' '),
  }));
}

/** The segments a document becomes: each chapter's title, then its sentences. */
export function expectedSegments(document: { title: string; text: string }[]): string[] {
  return document.flatMap((ch) => [ch.title, ...ch.text.split(/(?<=\.)\s+/)]);
}

/**
 * Checks a completed job against its document: every segment exactly once and in order in the
 * manifest, each chapter's audio exactly as long as its segments plus the pauses, and each
 * segment's samples at its offset equal to the node's own render of that sentence when that
 * render is a result-cache hit (so the bytes are the ones the job got). Returns the counts.
 */
export async function verifyJobAudio(
  cluster: JobsCluster,
  gateway: ServiceProcess,
  tenant: string,
  jobId: string,
  expected: string[],
) {
  const manifest = await api(cluster, gateway, tenant, 'GET', `/v1/jobs/${jobId}/manifest`);
  assert.equal(manifest.status, 200);
  assert.equal(manifest.json.status, 'completed');
  type Seg = { index: number; text: string; offset_samples: number; samples: number };
  const seen = new Map<number, number>();
  const order: number[] = [];
  for (const chapter of manifest.json.chapters as { segments: Seg[] }[]) {
    for (const seg of chapter.segments) {
      seen.set(seg.index, (seen.get(seg.index) ?? 0) + 1);
      order.push(seg.index);
    }
  }
  const lost = expected.filter((_, i) => !seen.has(i)).length;
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  assert.equal(lost, 0, 'lost segments');
  assert.equal(duplicated, 0, 'duplicated segments');
  assert.deepEqual(
    order,
    expected.map((_, i) => i),
    'segments in reading order',
  );

  const signer = createInternalTokenSigner(cluster.secret);
  let checkedSamples = 0;
  let compared = 0;
  for (const chapter of manifest.json.chapters as { url: string; sample_rate: number; segments: Seg[] }[]) {
    const res = await fetch(`${gateway.url}${chapter.url}`);
    assert.equal(res.status, 200);
    const wav = readWav(Buffer.from(await res.arrayBuffer()));
    const rate = wav.sampleRate;
    let offset = 0;
    for (const [i, seg] of chapter.segments.entries()) {
      assert.equal(seg.text, expected[seg.index]);
      if (i > 0) {
        const gap = seg.offset_samples - offset;
        const allowed = [SENTENCE_GAP_MS, PARAGRAPH_GAP_MS].map((ms) => Math.round((ms * rate) / 1000));
        assert.ok(allowed.includes(gap), `gap before segment ${seg.index} is ${gap} samples`);
      }
      const render = await fetch(`${cluster.node.url}/v1/synthesize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await signer.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ voice: 'speechgate-en', text: seg.text, format: 'wav' }),
      });
      const own = readWav(Buffer.from(await render.arrayBuffer()));
      // A miss (the job's render never reached the cache, e.g. Redis was down) may differ in its
      // random noise, so only a hit is compared byte for byte.
      if (render.headers.get('x-cache') === 'hit') {
        const slice = wav.data.subarray(seg.offset_samples * 2, (seg.offset_samples + seg.samples) * 2);
        assert.equal(seg.samples, own.data.length / 2, `segment ${seg.index} length`);
        assert.ok(slice.equals(own.data), `segment ${seg.index} audio at its offset`);
        compared++;
      }
      offset = seg.offset_samples + seg.samples;
      checkedSamples += seg.samples;
    }
    assert.equal(wav.data.length / 2, offset, 'chapter audio is exactly its segments and pauses');
  }
  return { lost, duplicated, segments: order.length, checkedSamples, compared };
}
