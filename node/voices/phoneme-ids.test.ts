import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phonemesToIds } from './phoneme-ids.ts';

const idMap = { _: [0], '^': [1], $: [2], h: [20], ə: [59], l: [24], ' ': [3] };

test('ids are ^, then each phoneme followed by _, then $ (as Piper)', () => {
  assert.deepEqual(phonemesToIds(['h', 'ə', 'l'], idMap), { ids: [1, 20, 0, 59, 0, 24, 0, 2], unknown: [] });
});

test('unknown phonemes are skipped and reported', () => {
  assert.deepEqual(phonemesToIds(['h', 'ʘ', ' ', 'l'], idMap), {
    ids: [1, 20, 0, 3, 0, 24, 0, 2],
    unknown: ['ʘ'],
  });
});
