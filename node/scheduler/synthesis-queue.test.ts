import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiError } from '../../shared/errors.ts';
import { createSynthesisQueue } from './synthesis-queue.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('runs at most `concurrency` jobs at once, in arrival order', async () => {
  const queue = createSynthesisQueue({ concurrency: 2, maxQueue: 10 });
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    [0, 1, 2, 3, 4].map((i) =>
      queue.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        order.push(i);
        running--;
      }),
    ),
  );
  assert.equal(peak, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  assert.equal(queue.load().inFlight, 0);
});

test('refuses with 503 node_overloaded and Retry-After when the queue is full, before doing work', async () => {
  const queue = createSynthesisQueue({ concurrency: 1, maxQueue: 1 });
  let ran = 0;
  const job = async () => {
    ran++;
    await sleep(30);
  };
  const a = queue.run(job);
  const b = queue.run(job);
  await assert.rejects(queue.run(job), (err: ApiError) => {
    assert.equal(err.code, 'node_overloaded');
    assert.equal(err.status, 503);
    assert.ok((err.retryAfterSeconds ?? 0) >= 1);
    return true;
  });
  await Promise.all([a, b]);
  assert.equal(ran, 2);
});

test('refuses a job whose deadline the estimated wait cannot meet', async () => {
  const queue = createSynthesisQueue({ concurrency: 1, maxQueue: 100 });
  for (let i = 0; i < 3; i++) await queue.run(() => sleep(40));
  const busy = queue.run(() => sleep(40));
  const waiting = queue.run(() => sleep(40));
  assert.ok(queue.load().estimatedWaitMs > 20);
  await assert.rejects(
    queue.run(() => sleep(1), { deadlineMs: 10 }),
    { code: 'node_overloaded' },
  );
  await Promise.all([busy, waiting]);
});
