import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { encodeAudio } from '../audio/encode.ts';
import { createEncoderPool } from './encode-pool.ts';

const pool = createEncoderPool({ workers: 1 });
after(() => pool.close());

function tone(samples: number): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(Math.sin(i / 7) * 12_000));
}

test('long audio encoded in the worker is byte for byte what the event loop would write', async () => {
  for (const format of ['wav', 'pcm'] as const) {
    // 2 M samples for WAV and 50 k for resampled PCM are both over the 1 ms offload threshold.
    const pcm = tone(format === 'wav' ? 2_000_000 : 50_000);
    const expected = await encodeAudio(pcm.slice(), 22_050, format);
    const viaWorker = await pool.encode(pcm, 22_050, format);
    assert.equal(pcm.length, 0, `${format}: the samples were transferred to the worker`);
    assert.equal(viaWorker.contentType, expected.contentType);
    assert.equal(viaWorker.sampleRate, expected.sampleRate);
    assert.ok(viaWorker.body.equals(expected.body), `${format}: same bytes`);
  }
});

test('short audio is encoded inline, leaving the samples where they are', async () => {
  const pcm = tone(1000);
  const encoded = await pool.encode(pcm, 22_050, 'wav');
  assert.equal(pcm.length, 1000);
  assert.equal(encoded.body.length, 44 + 2000);
});
