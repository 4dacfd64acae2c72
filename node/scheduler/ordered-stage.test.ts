import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFairClock } from './fair-clock.ts';
import { createOrderedStage } from './ordered-stage.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("one tenant's backlog leaves a slot free: another tenant's job starts at once, on the last slot", async () => {
  const clock = createFairClock();
  const stage = createOrderedStage({ concurrency: 2 });
  const started: { name: string; slot: number; at: number }[] = [];
  const t0 = performance.now();
  const job = (name: string, ms: number) => async (slot: number) => {
    started.push({ name, slot, at: performance.now() - t0 });
    await sleep(ms);
  };
  const a = clock.tag('a', 'interactive', 1000);
  const flood = [0, 1, 2, 3].map((i) =>
    stage.run(clock.part(a, i * 100, 100), job(`a${i}`, i === 0 ? 5 : 40)),
  );
  await sleep(20);
  assert.deepEqual(stage.load(), { waiting: 2, running: 1 }, 'a holds one of two slots');
  const asked = performance.now() - t0;
  await stage.run(clock.tag('b', 'interactive', 10), job('b', 5));
  const bStart = started.find((s) => s.name === 'b')!;
  assert.ok(
    bStart.at - asked < 15,
    `b started ${(bStart.at - asked).toFixed(1)} ms after asking, while a1 still ran`,
  );
  assert.equal(
    started.find((s) => s.name === 'a1')!.slot,
    0,
    'a tenant with a backlog gets the first (bulk) slot',
  );
  assert.equal(bStart.slot, 1, 'a tenant without one gets the last (express) slot');
  await Promise.all(flood);
  assert.deepEqual(
    started.map((s) => s.name),
    ['a0', 'a1', 'b', 'a2', 'a3'],
  );
});

test('without the reservation (or with one slot) a single tenant may use every slot', async () => {
  const clock = createFairClock();
  const stage = createOrderedStage({ concurrency: 2, reserveForOthers: false });
  const tag = clock.tag('a', 'interactive', 10);
  const jobs = [0, 1].map(() => stage.run(tag, () => sleep(20)));
  await sleep(5);
  assert.deepEqual(stage.load(), { waiting: 0, running: 2 });
  await Promise.all(jobs);
});

test('a failing job frees its slot', async () => {
  const stage = createOrderedStage({ concurrency: 1 });
  const tag = createFairClock().tag('a', 'interactive', 1);
  await assert.rejects(
    stage.run(tag, async () => {
      throw new Error('espeak died');
    }),
    /espeak died/,
  );
  assert.equal(await stage.run(tag, async () => 'ok'), 'ok');
});
