import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryResultCache } from './memory-result-cache.ts';
import { packCachedAudio, unpackCachedAudio } from './result-cache.ts';

const meta = { contentType: 'audio/wav', sampleRate: 22050, durationMs: 10, synthesisMs: 1, provider: 'cpu' };
const audio = (n: number) => ({ body: Buffer.alloc(n, 7), meta });

test('evicts the least recently used entry past the byte budget', async () => {
  const cache = createMemoryResultCache({ maxBytes: 3 * (1000 + 256) });
  await cache.set('a', audio(1000), 60);
  await cache.set('b', audio(1000), 60);
  await cache.set('c', audio(1000), 60);
  await cache.get('a');
  await cache.set('d', audio(1000), 60);
  assert.ok(await cache.get('a'));
  assert.equal(await cache.get('b'), undefined);
  assert.ok(await cache.get('d'));
});

test('entries expire after their TTL', async () => {
  let now = 0;
  const cache = createMemoryResultCache({ maxBytes: 1e6, now: () => now });
  await cache.set('a', audio(10), 5);
  now = 4_999;
  assert.ok(await cache.get('a'));
  now = 5_000;
  assert.equal(await cache.get('a'), undefined);
});

test('pack/unpack round-trips body and meta', () => {
  const packed = packCachedAudio(audio(5));
  assert.deepEqual(unpackCachedAudio(packed), audio(5));
});
