import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createSilentLogger } from '../../shared/logger.ts';
import { type RedisServer, startRedisServer } from '../../test/support/redis-server.ts';
import { createSingleFlight, type FlightRole } from './single-flight.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('single-flight (real Redis)', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await server.stop();
  });
  const redis = async () => {
    const c = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    clients.push(c);
    await once(c, 'ready');
    return c;
  };
  const flight = (
    client: Redis | undefined,
    roles: FlightRole[],
    overrides: { lockTtlMs?: number; waitMs?: number } = {},
  ) =>
    createSingleFlight({
      redis: client,
      lockTtlMs: overrides.lockTtlMs ?? 5_000,
      waitMs: overrides.waitMs ?? 5_000,
      pollMs: 10,
      logger: createSilentLogger(),
      onRole: (r) => roles.push(r),
    });

  test('identical concurrent work runs once, in process and across processes', async () => {
    const a = await redis();
    const b = await redis();
    const roles: FlightRole[] = [];
    const [one, two] = [flight(a, roles), flight(b, roles)];
    const results = new Map<string, string>();
    let produced = 0;
    const lookup = async () => results.get('k');
    const produce = async () => {
      produced++;
      await sleep(100);
      results.set('k', 'audio');
      return 'audio';
    };
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => one.run('k', lookup, produce)),
      ...Array.from({ length: 10 }, () => two.run('k', lookup, produce)),
    ]);
    assert.equal(produced, 1);
    assert.ok(answers.every((x) => x.value === 'audio'));
    assert.deepEqual([...new Set(roles)].sort(), ['follower', 'leader', 'remote']);
  });

  test('a waiter whose lock holder died produces the result itself once the lock expires', async () => {
    const c = await redis();
    // A holder that took the lock and died: no release, no result.
    await c.set('sg:lock:dead', 'someone', 'PX', 300);
    const roles: FlightRole[] = [];
    const started = Date.now();
    const { value } = await flight(c, roles).run(
      'dead',
      async () => undefined,
      async () => 'mine',
    );
    assert.equal(value, 'mine');
    assert.deepEqual(roles, ['fallback']);
    assert.ok(Date.now() - started < 2_000);
  });

  test('a waiter never waits past waitMs, even when the holder is alive but slow', async () => {
    const c = await redis();
    await c.set('sg:lock:slow', 'someone', 'PX', 60_000);
    const roles: FlightRole[] = [];
    const started = Date.now();
    const { value } = await flight(c, roles, { waitMs: 200 }).run(
      'slow',
      async () => undefined,
      async () => 'mine',
    );
    assert.equal(value, 'mine');
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(roles, ['fallback']);
  });

  test('without Redis (or with Redis down) coalescing is local and nothing hangs', async () => {
    const roles: FlightRole[] = [];
    const local = flight(undefined, roles);
    let produced = 0;
    const produce = async () => {
      produced++;
      await sleep(20);
      return 1;
    };
    await Promise.all(Array.from({ length: 5 }, () => local.run('x', async () => undefined, produce)));
    assert.equal(produced, 1);
    const down = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    clients.push(down);
    const { value } = await flight(down, roles).run(
      'y',
      async () => undefined,
      async () => 'local',
    );
    assert.equal(value, 'local');
    assert.equal(roles.at(-1), 'fallback');
  });
});
