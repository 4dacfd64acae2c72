import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthContext } from './auth-context.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

const who = (tenant: string): AuthContext => ({ tenant, subject: tenant, scopes: [] });

test('keeps at most maxEntries tokens, dropping the least recently used', () => {
  const cache = new VerifiedTokenCache({ maxEntries: 2, maxAgeMs: 60_000, now: () => 0 });
  cache.set('a', who('a'), 10_000);
  cache.set('b', who('b'), 10_000);
  assert.equal(cache.get('a')?.tenant, 'a'); // a is now the most recent
  cache.set('c', who('c'), 10_000);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a')?.tenant, 'a');
  assert.equal(cache.get('c')?.tenant, 'c');
});

test('an entry lives until the earlier of validUntil and maxAgeMs, and is dropped once stale', () => {
  const clock = { now: 1000 };
  const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 5000, now: () => clock.now });
  cache.set('soon', who('soon'), 3000);
  cache.set('late', who('late'), 1_000_000);
  clock.now = 2999;
  assert.ok(cache.get('soon'));
  clock.now = 3000;
  assert.equal(cache.get('soon'), undefined);
  assert.equal(cache.size, 1);
  clock.now = 5999;
  assert.ok(cache.get('late'));
  clock.now = 6000;
  assert.equal(cache.get('late'), undefined);
  // Already past validUntil, or caching off: nothing is stored.
  cache.set('past', who('past'), 6000);
  assert.equal(cache.size, 0);
  const off = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 0, now: () => 0 });
  off.set('x', who('x'), 1_000_000);
  assert.equal(off.size, 0);
  assert.throws(() => new VerifiedTokenCache({ maxEntries: 0, maxAgeMs: 1, now: () => 0 }), /maxEntries/);
});
