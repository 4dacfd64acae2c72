import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDynamicBatcher } from './dynamic-batcher.ts';
import { createFairClock } from './fair-clock.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder(options: {
  maxBatch: number;
  maxDelayMs: number;
  pending?: () => number;
  maxPadding?: number;
}) {
  const batches: string[][] = [];
  const batcher = createDynamicBatcher<string, string>({
    ...options,
    concurrency: 1,
    ...(options.pending ? { pending: options.pending } : {}),
    async run(_key, inputs) {
      batches.push(inputs);
      await sleep(20);
      return inputs.map((s) => s.toUpperCase());
    },
  });
  return { batcher, batches };
}

test('items that queue while a batch runs go together, up to the max batch size, results in order', async () => {
  const clock = createFairClock();
  const { batcher, batches } = recorder({ maxBatch: 3, maxDelayMs: 0 });
  const tag = clock.tag('t', 'interactive', 1);
  const words = ['a', 'b', 'c', 'd', 'e', 'f'];
  const results = await Promise.all(words.map((w) => batcher.submit('k', w, { tag, size: 10 })));
  assert.deepEqual(
    results.map((r) => r.value),
    words.map((w) => w.toUpperCase()),
  );
  assert.deepEqual(batches, [['a'], ['b', 'c', 'd'], ['e', 'f']]);
});

test('a lone item is not delayed when nothing else is on its way; it waits up to max delay when something is', async () => {
  const clock = createFairClock();
  let pending = 0;
  const { batcher, batches } = recorder({ maxBatch: 4, maxDelayMs: 60, pending: () => pending });
  const tag = clock.tag('t', 'interactive', 1);
  const started = performance.now();
  const alone = await batcher.submit('k', 'x', { tag, size: 5 });
  assert.ok(alone.waitedMs < 15, `waited ${alone.waitedMs} ms with nothing pending`);
  pending = 1;
  const first = batcher.submit('k', 'y', { tag, size: 5 });
  await sleep(10);
  pending = 0;
  const second = batcher.submit('k', 'z', { tag, size: 5 });
  await Promise.all([first, second]);
  assert.deepEqual(batches.at(-1), ['y', 'z']);
  assert.ok(performance.now() - started < 1000);
});

test('the head of the queue is the fairest item; long items do not pad a short head past the budget', async () => {
  const clock = createFairClock();
  const { batcher, batches } = recorder({ maxBatch: 8, maxDelayMs: 0, maxPadding: 1.5 });
  const a = clock.tag('a', 'interactive', 5000);
  const b = clock.tag('b', 'interactive', 10);
  const busy = batcher.submit('k', 'first', { tag: a, size: 10 });
  const long = [1, 2, 3].map((i) =>
    batcher.submit('k', `long${i}`, { tag: clock.part(a, i * 100, 100), size: 100 }),
  );
  const short = batcher.submit('k', 'short', { tag: b, size: 10 });
  await Promise.all([busy, ...long, short]);
  assert.deepEqual(batches, [['first'], ['short'], ['long1', 'long2', 'long3']]);
});

test('a failing batch rejects each of its items and the batcher carries on', async () => {
  const clock = createFairClock();
  let fail = true;
  const batcher = createDynamicBatcher<string, string>({
    maxBatch: 2,
    maxDelayMs: 0,
    concurrency: 1,
    async run(_key, inputs) {
      await sleep(5);
      if (fail) throw new Error('boom');
      return inputs;
    },
  });
  const tag = clock.tag('t', 'interactive', 1);
  await assert.rejects(batcher.submit('k', 'a', { tag, size: 1 }), /boom/);
  fail = false;
  assert.equal((await batcher.submit('k', 'b', { tag, size: 1 })).value, 'b');
  assert.deepEqual(batcher.load(), { queued: 0, running: 0 });
});

test("with two session slots one tenant's batches take one; another tenant's item runs at once on the other", async () => {
  const clock = createFairClock();
  const runs: { inputs: string[]; at: number }[] = [];
  const t0 = performance.now();
  const batcher = createDynamicBatcher<string, string>({
    maxBatch: 1,
    maxDelayMs: 0,
    concurrency: 2,
    async run(_key, inputs) {
      runs.push({ inputs, at: performance.now() - t0 });
      await sleep(inputs[0]!.startsWith('a') ? 40 : 5);
      return inputs;
    },
  });
  const a = clock.tag('a', 'interactive', 1000);
  const flood = [0, 1, 2].map((i) =>
    batcher.submit('k', `a${i}`, { tag: clock.part(a, i * 100, 100), size: 100 }),
  );
  await sleep(5);
  assert.deepEqual(batcher.load(), { queued: 2, running: 1 });
  const b = await batcher.submit('k', 'b', { tag: clock.tag('b', 'interactive', 10), size: 10 });
  assert.ok(b.waitedMs < 20, `b waited ${b.waitedMs.toFixed(1)} ms`);
  await Promise.all(flood);
  assert.deepEqual(
    runs.map((r) => r.inputs[0]),
    ['a0', 'b', 'a1', 'a2'],
  );
});
