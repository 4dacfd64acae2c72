import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { describeFault, faultFromWords, parseFault } from './fault.ts';

describe('fault', () => {
  test('CLI words fill in the documented defaults', () => {
    assert.deepEqual(faultFromWords(['reset']), { kind: 'reset', after: 'request' });
    assert.deepEqual(faultFromWords(['reset', 'accept']), { kind: 'reset', after: 'accept' });
    assert.deepEqual(faultFromWords(['slow-body']), { kind: 'slow-body', bytes: 1024, everyMs: 200 });
    assert.deepEqual(faultFromWords(['slow-body', '512', '50']), {
      kind: 'slow-body',
      bytes: 512,
      everyMs: 50,
    });
    assert.deepEqual(faultFromWords(['stall']), { kind: 'stall', probability: 0.05, ms: 500 });
    assert.deepEqual(faultFromWords(['stall', '0.2', '100']), { kind: 'stall', probability: 0.2, ms: 100 });
    assert.deepEqual(faultFromWords(['503']), { kind: '503' });
  });

  test('a bare kind parses; unknown kinds and out-of-range numbers do not', () => {
    assert.deepEqual(parseFault('blackhole'), { kind: 'blackhole' });
    assert.throws(() => parseFault('meltdown'), z.ZodError);
    assert.throws(() => faultFromWords(['stall', '1.5']), z.ZodError);
    assert.throws(() => faultFromWords(['slow-body', 'lots']), z.ZodError);
    assert.throws(() => faultFromWords(['reset', 'later']), z.ZodError);
  });

  test('describes itself in one line', () => {
    assert.equal(
      describeFault(parseFault({ kind: 'stall', probability: 0.05, ms: 500 })),
      'stall 5% +500 ms',
    );
    assert.equal(describeFault(parseFault('slow-body')), 'slow-body 1024 B/200 ms');
    assert.equal(describeFault(parseFault('none')), 'none');
  });
});
