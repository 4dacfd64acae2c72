import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteRange } from './byte-range.ts';

test('byte ranges as RFC 9110 defines them', () => {
  assert.deepEqual(parseByteRange(undefined, 100), { kind: 'full' });
  assert.deepEqual(parseByteRange('bytes=0-9', 100), { kind: 'partial', start: 0, end: 9 });
  assert.deepEqual(parseByteRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
  assert.deepEqual(parseByteRange('bytes=-10', 100), { kind: 'partial', start: 90, end: 99 });
  assert.deepEqual(parseByteRange('bytes=-500', 100), { kind: 'partial', start: 0, end: 99 });
  assert.deepEqual(parseByteRange('bytes=50-5000', 100), { kind: 'partial', start: 50, end: 99 });
  assert.deepEqual(parseByteRange('bytes=100-', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseByteRange('bytes=9-3', 100), { kind: 'unsatisfiable' });
  assert.deepEqual(parseByteRange('bytes=0-1,5-6', 100), { kind: 'full' });
  assert.deepEqual(parseByteRange('items=0-1', 100), { kind: 'full' });
});
