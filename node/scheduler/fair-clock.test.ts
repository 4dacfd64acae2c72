import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareTags, createFairClock, parsePriority } from './fair-clock.ts';

test('a short request of another tenant sorts before all but the first of a long backlog', () => {
  const clock = createFairClock();
  const flood = Array.from({ length: 10 }, () => clock.tag('a', 'interactive', 2000));
  const short = clock.tag('b', 'interactive', 20);
  const ahead = flood.filter((t) => compareTags(t, short) < 0);
  assert.equal(ahead.length, 0, 'b finishes at 20, before a’s first request at 2000');
  // Parts keep the request's place: the first sentence of a's first request still goes first.
  assert.ok(compareTags(clock.part(flood[0]!, 0, 10), short) < 0);
});

test('virtual time follows the oldest unfinished request, so a newcomer does not queue behind a backlog', () => {
  const clock = createFairClock();
  const first = clock.tag('a', 'interactive', 100);
  clock.tag('a', 'interactive', 100);
  const third = clock.tag('a', 'interactive', 100);
  assert.equal(clock.now('interactive'), 0);
  clock.done(first);
  assert.equal(clock.now('interactive'), 100);
  const b = clock.tag('b', 'interactive', 10);
  assert.equal(b.start, 100);
  assert.ok(compareTags(b, third) < 0);
});

test('weights give a tenant more characters per turn; batch always sorts after interactive', () => {
  const clock = createFairClock({ weights: { gold: 2 } });
  const gold = clock.tag('gold', 'interactive', 100);
  const plain = clock.tag('plain', 'interactive', 100);
  assert.equal(gold.finish, 50);
  assert.equal(plain.finish, 100);
  const batch = clock.tag('x', 'batch', 1);
  const late = clock.tag('y', 'interactive', 1_000_000);
  assert.ok(compareTags(late, batch) < 0);
  assert.equal(parsePriority('batch'), 'batch');
  assert.equal(parsePriority(undefined), 'interactive');
  assert.equal(parsePriority('urgent'), 'interactive');
});

test('an idle tenant earns no credit: after its work is done it restarts at virtual time', () => {
  const clock = createFairClock();
  const a = clock.tag('a', 'interactive', 1000);
  clock.done(a);
  const b1 = clock.tag('b', 'interactive', 10);
  assert.equal(b1.start, 1000);
});
