import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { ApiError } from '../../shared/errors.ts';
import { createSilentLogger } from '../../shared/logger.ts';
import { type RedisServer, startRedisServer } from '../../test/support/redis-server.ts';
import { createMemoryAudioStore } from '../audio-store/memory-audio-store.ts';
import type { RegionRouter } from '../regions/router.ts';
import { createAssembleProcessor } from './assemble-task.ts';
import { createJobMetrics, type JobMetrics } from './job-metrics.ts';
import { planJob } from './job-plan.ts';
import type { JobStore } from './job-store.ts';
import type { Task } from './job-types.ts';
import { createJobWorker, type JobWorker } from './job-worker.ts';
import { createRedisJobStore } from './redis-job-store.ts';
import { createJobKeys } from './redis-keys.ts';
import { createRedisTaskQueue } from './redis-task-queue.ts';
import { createSegmentProcessor } from './segment-task.ts';
import type { TaskProcessor } from './task-outcome.ts';
import type { TaskQueue } from './task-queue.ts';

/** A node's WAV answer: `samples` of silence at 22050 Hz behind a canonical header. */
function wav(samples: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(22050, 24);
  header.writeUInt32LE(44100, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2, 1)]);
}

describe('job worker: retries with backoff, dead letters, and failed jobs', () => {
  let server: RedisServer;
  let redis: Redis;
  let blocking: Redis;
  let store: JobStore;
  let queue: TaskQueue;
  let metrics: JobMetrics;
  let registry: Registry;
  let worker: JobWorker | undefined;
  let run = 0;

  before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
    blocking = new Redis(server.url);
  });
  after(async () => {
    await worker?.stop(100);
    redis.disconnect();
    blocking.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await worker?.stop(100);
    worker = undefined;
    const keys = createJobKeys(`t${++run}`);
    store = createRedisJobStore({ redis, keys, retentionSeconds: 600 });
    queue = createRedisTaskQueue({ redis, blocking, keys });
    registry = new Registry();
    metrics = createJobMetrics(registry, () => queue.depth());
  });

  async function submit(sentences: string[], webhookUrl?: string): Promise<string> {
    const plan = planJob(
      {
        chapters: [{ text: sentences.join(' ') }],
        voice: 'v',
        format: 'wav',
        speed: 1,
        ...(webhookUrl ? { webhookUrl } : {}),
      },
      { maxSegmentCharacters: 300, maxChapterCharacters: 10_000, splitLongChapters: false },
    );
    const id = `job_${'0'.repeat(12)}${run.toString(16).padStart(16, '0')}`;
    const created = await store.create({
      id,
      tenant: 'tenant-a',
      plan,
      requestHash: 'h',
      limits: { jobsInFlight: 0, charactersPerDay: 0 },
      now: Date.now(),
    });
    assert.equal(created.outcome, 'created');
    return id;
  }

  function startWorker(synthesize: RegionRouter['synthesize'], webhook?: TaskProcessor) {
    const logger = createSilentLogger();
    worker = createJobWorker({
      queue,
      concurrency: 2,
      claimIdleMs: 400,
      maxAttempts: { segment: 3, assemble: 3, webhook: 3 },
      retry: { baseMs: 20, maxMs: 100 },
      metrics,
      logger,
      processors: {
        segment: createSegmentProcessor({ store, router: { synthesize }, timeoutMs: 1_000, metrics, logger }),
        assemble: createAssembleProcessor({
          store,
          audioStore: createMemoryAudioStore({ maxBytes: 1e8 }),
          metrics,
          logger,
        }),
        webhook: webhook ?? { run: async () => ({ outcome: 'done' }), giveUp: async () => {} },
      },
    });
    worker.start();
  }

  const routed = (body: Buffer) =>
    ({
      body,
      headers: { 'x-synthesis-ms': '5' },
      ttfbMs: 1,
      region: 'r',
      node: 'n',
      attempts: 1,
      tried: ['test'],
      hedged: false,
    }) as Awaited<ReturnType<RegionRouter['synthesize']>>;

  const settled = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const job = await store.get(id);
      if (job && job.status !== 'queued' && job.status !== 'running') return job;
      await sleep(50);
    }
    throw new Error(`job ${id} did not settle`);
  };

  const counter = async (name: string) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
  };

  test('a failing segment is retried with backoff and the job still completes', async () => {
    const id = await submit(['One.', 'Two.', 'Three.']);
    const calls = new Map<string, number>();
    startWorker(async (request) => {
      const n = (calls.get(request.text) ?? 0) + 1;
      calls.set(request.text, n);
      if (request.text === 'Two.' && n <= 2) throw new Error('node reset the connection');
      return routed(wav(100 + request.text.length));
    });
    const job = await settled(id);
    assert.equal(job.status, 'completed');
    assert.equal(calls.get('Two.'), 3);
    assert.equal(await counter('gateway_jobs_task_retries_total'), 2);
    assert.equal(await counter('gateway_jobs_dead_letters_total'), 0);
    const manifest = (await store.manifest(id)).get(0)!;
    assert.deepEqual(
      manifest.map((s) => [s.index, s.samples]),
      [
        [0, 104],
        [1, 104],
        [2, 106],
      ],
    );
    assert.deepEqual(await queue.depth(), { ready: 0, inProgress: 0, delayed: 0, deadLetters: 0 });
  });

  test('attempts used up: the task is dead-lettered, the job fails, and its webhook is queued', async () => {
    const webhooks: Task[] = [];
    const id = await submit(['Fine.', 'Always broken.'], 'https://hooks.example.com/x');
    startWorker(
      async (request) => {
        if (request.text === 'Always broken.') throw new Error('node unavailable');
        return routed(wav(50));
      },
      {
        run: async (task) => {
          webhooks.push(task);
          return { outcome: 'done' };
        },
        giveUp: async () => {},
      },
    );
    const job = await settled(id);
    assert.equal(job.status, 'failed');
    assert.deepEqual(job.error, { code: 'synthesis_failed', message: 'node unavailable', segment: 1 });
    await sleep(200);
    assert.deepEqual(webhooks, [{ kind: 'webhook', job: id, n: 0, attempt: 1 }]);
    assert.equal(await counter('gateway_jobs_task_retries_total'), 2);
    assert.equal(await counter('gateway_jobs_dead_letters_total'), 1);
    assert.equal((await queue.depth()).deadLetters, 1);
  });

  test('a 4xx from the node is not retried: the job fails at once with its code', async () => {
    const id = await submit(['Unknown voice.']);
    let calls = 0;
    startWorker(async () => {
      calls++;
      throw new ApiError('voice_not_found', 'no voice v', { param: 'voice' });
    });
    const job = await settled(id);
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code, 'voice_not_found');
    assert.equal(calls, 1);
    assert.equal(await counter('gateway_jobs_task_retries_total'), 0);
  });

  test('a task held by a worker that went silent is claimed by another and done once', async () => {
    const id = await submit(['Only one.']);
    // A consumer reads the task and dies without a word: no ack, no heartbeat.
    await queue.ensureGroup();
    const [stolen] = await queue.fetch('dead-worker', 1, 100);
    assert.equal(stolen?.task.kind, 'segment');
    let calls = 0;
    startWorker(async () => {
      calls++;
      return routed(wav(10));
    });
    const job = await settled(id);
    assert.equal(job.status, 'completed');
    assert.equal(calls, 1);
    assert.equal(await counter('gateway_jobs_tasks_redelivered_total'), 1);
  });
});
