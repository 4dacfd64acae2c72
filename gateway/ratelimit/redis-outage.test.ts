import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { type RedisServer, startRedisServer } from '../../test/support/redis-server.ts';
import { type AcquireResult, createTenantLimiter, type TenantLimiter } from './tenant-limiter.ts';

/** Fails the test instead of hanging it: a degraded limiter must still answer promptly. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createTenantLimiter when Redis fails', () => {
  let server: RedisServer;
  let client: Redis;
  let limiter: TenantLimiter;
  const registry = new Registry();
  const logs: Array<{ level: number; msg: string; policy?: string }> = [];

  before(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, {
      enableOfflineQueue: false,
      retryStrategy: () => 50,
      maxRetriesPerRequest: 1,
    });
    client.on('error', () => {}); // reconnect errors are expected here; the limiter reports the outage itself
    await new Promise((resolve) => client.once('ready', resolve));
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    });
    limiter = createTenantLimiter({
      limits: { requests_per_minute: 3, characters_per_minute: 0, concurrent_requests: 0 },
      redis: client,
      registry,
      storeTimeoutMs: 200,
      logger: pino({ level: 'info' }, sink),
    });
  });

  after(async () => {
    client.disconnect();
    await server.stop();
  });

  const storeErrors = async () =>
    (await registry.getSingleMetric('gateway_ratelimit_store_errors_total')?.get())?.values.find(
      (v) => v.labels.policy === 'requests',
    )?.value ?? 0;
  const acquire = (tenant: string): Promise<AcquireResult> => within(1_000, limiter.acquire(tenant, 0));

  it('counts in Redis while Redis is up', async () => {
    assert.equal((await acquire('a')).allowed, true);
    assert.equal(await client.get('speechgate:ratelimit:requests:a'), '1');
    assert.equal(await storeErrors(), 0);
  });

  it('falls back to per-instance limits when Redis is killed: still limited, counted, logged once', async () => {
    await server.stop();
    await waitFor(() => client.status !== 'ready', 2_000, 'ioredis to notice');
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await acquire('b')).allowed);
    assert.deepEqual(results, [true, true, true, false], 'the insurance limiter applies the same quota');
    assert.equal(await storeErrors(), 4);
    const warnings = logs.filter(
      (l) => l.msg === 'rate limit store unavailable; enforcing per-instance limits',
    );
    assert.equal(warnings.length, 1, 'warnings are rate limited');
    assert.equal(warnings[0]?.level, 40);
  });

  it('goes back to Redis once it is restarted', async () => {
    await server.restart();
    await waitFor(() => client.status === 'ready', 5_000, 'ioredis to reconnect');
    const before = await storeErrors();
    assert.equal((await acquire('c')).allowed, true);
    assert.equal(await client.get('speechgate:ratelimit:requests:c'), '1', 'counted in Redis again');
    assert.equal(await storeErrors(), before);
    assert.ok(logs.some((l) => l.msg === 'rate limit store recovered'));
  });

  it('answers within the store timeout when Redis hangs', async () => {
    const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
    assert.ok(pid > 0);
    process.kill(pid, 'SIGSTOP');
    try {
      const before = await storeErrors();
      const started = Date.now();
      assert.equal((await acquire('d')).allowed, true);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 150 && elapsed < 800, `answered after ${elapsed} ms`);
      assert.equal(await storeErrors(), before + 1);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
