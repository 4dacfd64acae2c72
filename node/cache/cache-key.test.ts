import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultCacheKey } from './cache-key.ts';

const base = { voice: 'v', text: 'Hello  world', format: 'wav' as const, speed: 1 };

test('the key covers text (normalised), voice, model hash, parameters and format', () => {
  const key = resultCacheKey(base, 'hash1');
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(resultCacheKey({ ...base, text: ' Hello world ' }, 'hash1'), key);
  for (const changed of [
    resultCacheKey(base, 'hash2'),
    resultCacheKey({ ...base, voice: 'w' }, 'hash1'),
    resultCacheKey({ ...base, text: 'Hello world!' }, 'hash1'),
    resultCacheKey({ ...base, format: 'pcm' }, 'hash1'),
    resultCacheKey({ ...base, speed: 1.25 }, 'hash1'),
    resultCacheKey({ ...base, noise_scale: 0.5 }, 'hash1'),
    resultCacheKey({ ...base, speaker: 1 }, 'hash1'),
  ]) {
    assert.notEqual(changed, key);
  }
});
