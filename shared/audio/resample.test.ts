import assert from 'node:assert/strict';
import { test } from 'node:test';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { concatInt16, createStreamResampler, resamplePcm16 } from './resample.ts';
import { chirp } from './test-support.ts';

const input = chirp(22_050);

test('chunked resampling equals one-shot simple() sample for sample, with the exact length', async () => {
  const src = await libsamplerate.create(1, 22_050, 48_000, {
    converterType: libsamplerate.ConverterType.SRC_SINC_FASTEST,
  });
  const whole = src.simple(Float32Array.from(input, (s) => s / 32768));
  src.destroy();
  const rs = await createStreamResampler(22_050, 48_000);
  const parts = [
    rs.push(input.subarray(0, 7001)),
    rs.push(input.subarray(7001, 31_000)),
    rs.push(input.subarray(31_000)),
  ];
  // The filter holds some input back until flush().
  assert.ok(parts.reduce((n, p) => n + p.length, 0) < 120_000);
  const out = concatInt16([...parts, rs.flush()]);
  assert.equal(out.length, 120_000);
  assert.deepEqual(
    out,
    Int16Array.from(whole, (s) => Math.max(-32768, Math.min(32767, Math.round(s * 32768)))),
  );
});

test('a pooled converter starts clean: the same input gives the same output again', async () => {
  const first = await resamplePcm16(input, 22_050, 24_000);
  const rs = await createStreamResampler(22_050, 24_000);
  rs.push(chirp(22_050, 0.3).map((s) => -s));
  rs.close(); // back to the pool mid-stream, with history in it
  assert.deepEqual(await resamplePcm16(input, 22_050, 24_000), first);
});

test('equal rates pass through; a flushed resampler refuses more input', async () => {
  const same = await createStreamResampler(24_000, 24_000);
  assert.equal(same.push(input), input);
  const rs = await createStreamResampler(16_000, 24_000);
  rs.push(input);
  rs.flush();
  assert.throws(() => rs.push(input), /already flushed or closed/);
});
