import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatInt16, createStreamResampler, resamplePcm16 } from './resample.ts';
import { chirp } from './test-support.ts';

const input = chirp(22_050);

function tone(rate: number, hz: number, seconds: number, amplitude = 16_000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

/** RMS level of `x` in dB, over its middle (away from the edges). */
function rmsDb(x: ArrayLike<number>): number {
  let sum = 0;
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return 10 * Math.log10(sum / (to - from) + 1e-12);
}

for (const outRate of [24_000, 48_000, 16_000]) {
  test(`22.05 → ${outRate / 1000} kHz: chunked equals one-shot sample for sample, with the exact length`, async () => {
    const whole = await resamplePcm16(input, 22_050, outRate);
    const expected = Math.round((input.length * outRate) / 22_050);
    assert.equal(whole.length, expected);
    const rs = await createStreamResampler(22_050, outRate);
    const parts = [
      rs.push(input.subarray(0, 7001)),
      rs.push(input.subarray(7001, 7002)),
      rs.push(input.subarray(7002, 31_000)),
      rs.push(new Int16Array(0)),
      rs.push(input.subarray(31_000)),
    ];
    // The filter holds some input back until flush().
    assert.ok(parts.reduce((n, p) => n + p.length, 0) < expected);
    assert.deepEqual(concatInt16([...parts, rs.flush()]), whole);
  });
}

test('keeps timing and level: a 1 kHz tone comes out as the same tone at the new rate, not delayed', async () => {
  const out = await resamplePcm16(tone(22_050, 1000, 1), 22_050, 24_000);
  const ideal = tone(24_000, 1000, 1);
  assert.equal(out.length, ideal.length);
  const error = Array.from(out, (s, i) => s - ideal[i]!);
  // Under −60 dB relative to the tone: a one-sample delay would leave about −17 dB.
  assert.ok(rmsDb(error) - rmsDb(ideal) < -60, `error ${(rmsDb(error) - rmsDb(ideal)).toFixed(1)} dB`);
});

test('is band-limited: downsampling removes what the new rate cannot carry and keeps the passband', async () => {
  // 48 → 16 kHz: 7 kHz sits in the passband (89 % of 8 kHz), 11 kHz would alias to 5 kHz.
  const kept = await resamplePcm16(tone(48_000, 7000, 1), 48_000, 16_000);
  assert.ok(Math.abs(rmsDb(kept) - rmsDb(tone(16_000, 7000, 1))) < 0.5, `passband ${rmsDb(kept)}`);
  const aliased = await resamplePcm16(tone(48_000, 11_000, 1), 48_000, 16_000);
  assert.ok(rmsDb(aliased) - rmsDb(tone(16_000, 7000, 1)) < -80, `stopband ${rmsDb(aliased)} dB`);
});

test('streams are independent: interleaved and closed streams leave no state in each other', async () => {
  const first = await resamplePcm16(input, 22_050, 24_000);
  const other = await createStreamResampler(22_050, 24_000);
  other.push(chirp(22_050, 0.3).map((s) => -s));
  const rs = await createStreamResampler(22_050, 24_000);
  const a = rs.push(input.subarray(0, 10_000));
  other.push(chirp(22_050, 0.3));
  const b = rs.push(input.subarray(10_000));
  other.close(); // mid-stream, with history in it
  other.close(); // idempotent
  assert.deepEqual(concatInt16([a, b, rs.flush()]), first);
});

test('hundreds of live streams fit (the WASM heap grows) and each still resamples correctly', async () => {
  const streams = await Promise.all(Array.from({ length: 300 }, () => createStreamResampler(22_050, 24_000)));
  const reference = await resamplePcm16(input, 22_050, 24_000);
  const outs = streams.map((rs) => rs.push(input));
  outs.forEach((head, i) => {
    assert.deepEqual(concatInt16([head, streams[i]!.flush()]), reference);
  });
});

test('equal rates pass through; a flushed resampler refuses more input; bad rates are refused', async () => {
  const same = await createStreamResampler(24_000, 24_000);
  assert.equal(same.push(input), input);
  const rs = await createStreamResampler(16_000, 24_000);
  rs.push(input);
  rs.flush();
  assert.throws(() => rs.push(input), /already flushed or closed/);
  assert.throws(() => rs.flush(), /already flushed or closed/);
  await assert.rejects(createStreamResampler(0, 24_000), RangeError);
  await assert.rejects(createStreamResampler(22_050.5, 24_000), RangeError);
});
