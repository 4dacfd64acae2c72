import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { type RedisServer, startRedisServer } from '../../test/support/redis-server.ts';
import { type AcquireResult, createTenantLimiter, type TenantLimiterOptions } from './tenant-limiter.ts';

const none = { requests_per_minute: 0, characters_per_minute: 0, concurrent_requests: 0 };
let tenantSeq = 0;
const freshTenant = () => `tenant-${process.pid}-${++tenantSeq}`;

function allowed(result: AcquireResult) {
  assert.equal(result.allowed, true, `expected allowed, got ${JSON.stringify(result)}`);
  return result as Extract<AcquireResult, { allowed: true }>;
}

function denied(result: AcquireResult) {
  assert.equal(result.allowed, false, `expected denied, got ${JSON.stringify(result)}`);
  return result as Extract<AcquireResult, { allowed: false }>;
}

async function counterValues(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric(name)?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.policy), v.value]));
}

for (const mode of ['memory', 'redis'] as const) {
  describe(`createTenantLimiter (${mode})`, () => {
    let server: RedisServer | undefined;
    let client: Redis | undefined;
    before(async () => {
      if (mode === 'memory') return;
      server = await startRedisServer();
      client = new Redis(server.url, { enableOfflineQueue: false });
      await new Promise((resolve) => client?.once('ready', resolve));
    });
    after(async () => {
      client?.disconnect();
      await server?.stop();
    });
    const build = (options: Partial<TenantLimiterOptions> & Pick<TenantLimiterOptions, 'limits'>) => {
      const registry = new Registry();
      return { registry, limiter: createTenantLimiter({ redis: client, registry, ...options }) };
    };

    it('refuses past the request limit with headers and Retry-After', async () => {
      const { limiter, registry } = build({ limits: { ...none, requests_per_minute: 3 } });
      const tenant = freshTenant();
      const first = allowed(await limiter.acquire(tenant, 0));
      assert.equal(first.headers['ratelimit-policy'], '"requests";q=3;w=60');
      assert.match(first.headers.ratelimit ?? '', /^"requests";r=2;t=(59|60)$/);
      allowed(await limiter.acquire(tenant, 0));
      allowed(await limiter.acquire(tenant, 0));
      const refused = denied(await limiter.acquire(tenant, 0));
      assert.equal(refused.policy, 'requests');
      assert.ok(
        refused.retryAfterSeconds >= 59 && refused.retryAfterSeconds <= 60,
        String(refused.retryAfterSeconds),
      );
      assert.equal(refused.headers.ratelimit, `"requests";r=0;t=${refused.retryAfterSeconds}`);
      assert.deepEqual(await counterValues(registry, 'gateway_ratelimit_rejections_total'), { requests: 1 });
      assert.deepEqual(await counterValues(registry, 'gateway_ratelimit_store_errors_total'), {});
    });

    it('charges input characters, and a refused request spends none', async () => {
      const { limiter } = build({ limits: { ...none, characters_per_minute: 100 } });
      const tenant = freshTenant();
      const first = allowed(await limiter.acquire(tenant, 60));
      assert.match(first.headers.ratelimit ?? '', /^"characters";r=40;t=\d+$/);
      assert.equal(first.headers['ratelimit-policy'], '"characters";q=100;speechgate-unit="characters";w=60');
      const refused = denied(await limiter.acquire(tenant, 50));
      assert.equal(refused.policy, 'characters');
      assert.match(refused.headers.ratelimit ?? '', /^"characters";r=40;t=\d+$/);
      allowed(await limiter.acquire(tenant, 40));
      denied(await limiter.acquire(tenant, 1));
      allowed(await limiter.acquire(tenant, 0));
    });

    it('holds concurrency slots until released, and release() is idempotent', async () => {
      const { limiter } = build({ limits: { ...none, concurrent_requests: 2 } });
      const tenant = freshTenant();
      const a = allowed(await limiter.acquire(tenant, 0));
      assert.equal(a.headers['ratelimit-policy'], '"concurrency";q=2;qu="concurrent-requests"');
      assert.equal(a.headers.ratelimit, '"concurrency";r=1');
      allowed(await limiter.acquire(tenant, 0));
      const refused = denied(await limiter.acquire(tenant, 0));
      assert.equal(refused.policy, 'concurrency');
      assert.equal(refused.retryAfterSeconds, 1);
      assert.equal(refused.headers.ratelimit, '"concurrency";r=0');
      await Promise.all([a.release(), a.release()]);
      await a.release();
      allowed(await limiter.acquire(tenant, 0));
      denied(await limiter.acquire(tenant, 0));
    });

    it('gives a refused request back its concurrency slot and characters, not its request', async () => {
      const { limiter } = build({
        limits: { requests_per_minute: 1, characters_per_minute: 100, concurrent_requests: 1 },
      });
      const tenant = freshTenant();
      const first = allowed(await limiter.acquire(tenant, 10));
      await first.release();
      const refused = denied(await limiter.acquire(tenant, 10));
      assert.equal(refused.policy, 'requests');
      assert.match(
        refused.headers.ratelimit ?? '',
        /^"requests";r=0;t=\d+, "characters";r=90;t=\d+, "concurrency";r=1$/,
      );
    });

    it('applies per-tenant overrides, where 0 means unlimited', async () => {
      const { limiter } = build({
        limits: { requests_per_minute: 1, characters_per_minute: 0, concurrent_requests: 1 },
        overrides: { vip: { requests_per_minute: 3, concurrent_requests: 0 } },
      });
      const vip = 'vip';
      const results = [];
      for (let i = 0; i < 3; i++) results.push(allowed(await limiter.acquire(vip, 0)));
      assert.equal(results[0]?.headers['ratelimit-policy'], '"requests";q=3;w=60');
      denied(await limiter.acquire(vip, 0));
      const regular = freshTenant();
      allowed(await limiter.acquire(regular, 0));
      assert.equal(denied(await limiter.acquire(regular, 0)).policy, 'requests');
      allowed(await limiter.acquire('__proto__', 0));
    });

    it('lets everything through with no headers when every limit is 0', async () => {
      const { limiter } = build({ limits: none });
      const result = allowed(await limiter.acquire(freshTenant(), 1_000_000));
      assert.deepEqual(result.headers, {});
      await result.release();
    });

    it('rejects bad input', async () => {
      const { limiter } = build({ limits: none });
      await assert.rejects(limiter.acquire('', 0), /tenant/);
      await assert.rejects(limiter.acquire('t', -1), /characters/);
      await assert.rejects(limiter.acquire('t', 1.5), /characters/);
      assert.throws(
        () => createTenantLimiter({ limits: { ...none, requests_per_minute: -1 } }),
        /requests_per_minute/,
      );
    });

    if (mode === 'redis') {
      it('shares counts between gateway instances through Redis', async () => {
        const limits = { ...none, requests_per_minute: 3, concurrent_requests: 1 };
        const one = build({ limits }).limiter;
        const two = build({ limits }).limiter;
        const tenant = freshTenant();
        const slot = allowed(await one.acquire(tenant, 0));
        assert.equal(denied(await two.acquire(tenant, 0)).policy, 'concurrency');
        await slot.release();
        await allowed(await two.acquire(tenant, 0)).release();
        assert.equal(await client?.get(`speechgate:ratelimit:requests:${tenant}`), '3');
        assert.equal(await client?.get(`speechgate:ratelimit:concurrency:${tenant}`), '0');
        assert.equal(denied(await one.acquire(tenant, 0)).policy, 'requests');
      });
    }
  });
}
