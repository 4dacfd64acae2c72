import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRetryBudget } from './retry-budget.ts';

test('retries are capped at ratio × requests + minPerSecond × window', () => {
  let now = 0;
  const budget = createRetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000, now: () => now });
  for (let i = 0; i < 100; i++) budget.request();
  let granted = 0;
  while (budget.tryRetry()) granted++;
  assert.equal(granted, 30); // 0.2 × 100 + 1 × 10
  now = 20_000; // the window has passed: requests and retries are forgotten
  budget.request();
  granted = 0;
  while (budget.tryRetry()) granted++;
  assert.equal(granted, 10);
});
