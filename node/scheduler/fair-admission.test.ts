import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError } from '../../shared/errors.ts';
import { createSynthesisQueue } from './synthesis-queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('waiting requests start in fair order: per tenant by characters, interactive before batch', async () => {
  const queue = createSynthesisQueue({ concurrency: 1, maxQueue: 100 });
  const order: string[] = [];
  const job = (name: string) => async () => {
    order.push(name);
    await sleep(5);
  };
  const blocker = queue.run(job('blocker'), { tenant: 'a', cost: 1 });
  const runs = [
    queue.run(job('a-long-1'), { tenant: 'a', cost: 2000 }),
    queue.run(job('a-long-2'), { tenant: 'a', cost: 2000 }),
    queue.run(job('batch'), { tenant: 'c', cost: 1, priority: 'batch' }),
    queue.run(job('b-short'), { tenant: 'b', cost: 20 }),
  ];
  await Promise.all([blocker, ...runs]);
  assert.deepEqual(order, ['blocker', 'b-short', 'a-long-1', 'a-long-2', 'batch']);
});

test("the wait estimate is characters ahead ÷ measured throughput, and a newcomer's share is fair", async () => {
  let t = 0;
  const queue = createSynthesisQueue({ concurrency: 1, maxQueue: 100, initialRate: 1, now: () => t });
  // Measure: 1000 characters in 100 ms of busy time → 10 characters per ms.
  await queue.run(
    async () => {
      t += 100;
    },
    { tenant: 'a', cost: 1000 },
  );
  assert.equal(queue.load().throughputPerSecond, 10_000);
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const flood = [0, 1, 2, 3].map(() => queue.run(() => gate, { tenant: 'a', cost: 1000 }));
  assert.equal(queue.load().estimatedWaitMs, 400, '4000 characters at 10 per ms');
  assert.equal(queue.estimate({ tenant: 'a', cost: 100 }).waitMs, 400, 'a waits for all of its own work');
  const b = queue.estimate({ tenant: 'b', cost: 100 });
  assert.ok(b.waitMs < 400, `b's fair share of the wait: ${b.waitMs} ms`);
  assert.equal(b.serviceMs, 10);
  await assert.rejects(
    queue.run(async () => {}, { tenant: 'a', cost: 100, deadlineMs: 300 }),
    (err: ApiError) => {
      assert.equal(err.code, 'node_overloaded');
      assert.equal(err.retryAfterSeconds, 1);
      return true;
    },
  );
  release();
  await Promise.all(flood);
});
