import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writePiperFixture } from '../../test/support/piper-fixture.ts';
import { createEngine } from './create-engine.ts';

test('inference workers give the same audio as sessions on the event loop', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sg-workers-'));
  await writePiperFixture(dir, { id: 'fixture-multi', multiSpeaker: true });
  const inline = await createEngine({ voicesDir: dir, includeBuiltin: false });
  const workers = await createEngine({ voicesDir: dir, includeBuiltin: false, sessionWorkers: 2 });
  try {
    assert.equal(inline.load().backend, 'inline');
    assert.deepEqual([workers.load().backend, workers.load().sessionSlots], ['workers', 2]);
    const requests = [
      'One, two. Three!',
      'Speaker one talks.',
      'A third, longer request with clauses; and more.',
    ].map((text, i) => ({ voice: 'fixture-multi', text, speaker: i % 2 }));
    const viaWorkers = await Promise.all(requests.map((r) => workers.synthesize(r)));
    for (const [i, r] of requests.entries()) {
      const expected = await inline.synthesize(r);
      assert.deepEqual(viaWorkers[i]!.pcm, expected.pcm, r.text);
      assert.equal(viaWorkers[i]!.sentences, expected.sentences);
    }
  } finally {
    await workers.close();
    await inline.close();
    await rm(dir, { recursive: true, force: true });
  }
});
