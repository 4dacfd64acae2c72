import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dtw, mfcc, normalise, pcm16ToFloat, readWav, rms, speechFeatures, trimSilence } from './mfcc.ts';

const rate = 16_000;

function tone(hz: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate),
  );
}

function wavBytes(pcm: Int16Array, sampleRate: number): Buffer {
  const b = Buffer.alloc(44 + pcm.length * 2);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + pcm.length * 2, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(pcm.length * 2, 40);
  for (const [i, v] of pcm.entries()) b.writeInt16LE(v, 44 + i * 2);
  return b;
}

test('mfcc gives one 13-coefficient frame per 10 ms hop', () => {
  const frames = mfcc(tone(440, 1), rate);
  assert.equal(frames.length, Math.floor((rate - 400) / 160) + 1);
  assert.ok(frames.every((f) => f.length === 13 && f.every(Number.isFinite)));
});

test('dtw of a sequence with itself is 0, and is unaffected by a uniform slow-down', () => {
  const a = normalise(mfcc(tone(300, 0.5), rate).map((f, i) => f.map((v) => v + Math.sin(i / 5))));
  assert.equal(dtw(a, a), 0);
  const slow = a.flatMap((f) => [f, f]);
  assert.equal(dtw(a, slow), 0);
});

test('tones at different frequencies have different MFCCs; the same tone twice does not', () => {
  const low = mfcc(tone(300, 0.5), rate);
  const high = mfcc(tone(2500, 0.5), rate);
  const again = mfcc(tone(300, 0.5), rate);
  assert.equal(dtw(low, again), 0);
  assert.ok(dtw(low, high) > 10, `distance ${dtw(low, high)}`);
});

test('trimSilence drops quiet edges only', () => {
  const signal = new Float32Array(rate);
  signal.set(tone(500, 0.5), rate / 4);
  const trimmed = trimSilence(signal, rate);
  assert.ok(Math.abs(trimmed.length - rate / 2) <= rate / 50, `kept ${trimmed.length}`);
  assert.equal(trimSilence(new Float32Array(rate), rate).length, 0);
  assert.deepEqual(speechFeatures(new Float32Array(rate), rate), []);
});

test('readWav reads 16-bit PCM back', () => {
  const pcm = Int16Array.from([0, 16384, -16384, 32767, -32768]);
  const wav = readWav(wavBytes(pcm, 22_050));
  assert.equal(wav.sampleRate, 22_050);
  assert.deepEqual(Array.from(wav.samples), Array.from(pcm16ToFloat(pcm)));
  assert.ok(Math.abs(rms(wav.samples) - Math.sqrt((0.25 + 0.25 + 1 + 1) / 5)) < 1e-3);
  assert.throws(() => readWav(Buffer.from('not a wav file at all, clearly')), /RIFF/);
});
