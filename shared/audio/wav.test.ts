import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEncoder, finalizeWav } from './encoder.ts';
import { chirp, encodeInChunks } from './test-support.ts';
import { wavHeader } from './wav.ts';

function hasSoxi(): boolean {
  try {
    execFileSync('soxi', ['-V0'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function streamedWav(): Promise<Buffer> {
  return encodeInChunks(
    await createEncoder('wav', { inputSampleRate: 22_050 }),
    chirp(22_050),
    [7001, 31_000],
  );
}

test('finalizeWav patches the RIFF and data sizes in place', async () => {
  const wav = await streamedWav();
  assert.equal(wav.readUInt32LE(4), 0xffffffff);
  assert.equal(finalizeWav(wav), wav);
  assert.equal(wav.readUInt32LE(4), 36 + 55_125 * 2);
  assert.equal(wav.readUInt32LE(40), 55_125 * 2);
  assert.deepEqual(wav.subarray(0, 44), wavHeader(22_050, 55_125 * 2));
});

test('finalizeWav finds the data chunk after extra chunks', () => {
  const list = Buffer.concat([Buffer.from('LIST', 'ascii'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0')]);
  const fmt = wavHeader(16_000).subarray(12, 36);
  const data = Buffer.concat([
    Buffer.from('data', 'ascii'),
    Buffer.from([0xff, 0xff, 0xff, 0xff]),
    Buffer.alloc(10),
  ]);
  const wav = Buffer.concat([wavHeader(16_000).subarray(0, 12), fmt, list, data]);
  finalizeWav(wav);
  assert.equal(wav.readUInt32LE(4), wav.length - 8);
  assert.equal(wav.readUInt32LE(wav.length - 14), 10);
});

test('finalizeWav refuses what is not a WAV', () => {
  assert.throws(() => finalizeWav(Buffer.from('not a wav at all')), TypeError);
});

test('soxi reads the streamed and the finalized WAV', {
  skip: !hasSoxi() && 'soxi not installed',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'speechgate-wav-'));
  try {
    const wav = await streamedWav();
    const streamed = join(dir, 'streamed.wav');
    const finalized = join(dir, 'final.wav');
    writeFileSync(streamed, wav);
    writeFileSync(finalized, finalizeWav(Buffer.from(wav)));
    for (const file of [streamed, finalized]) {
      assert.equal(execFileSync('soxi', ['-r', file], { encoding: 'utf8' }).trim(), '22050');
      assert.equal(execFileSync('soxi', ['-c', file], { encoding: 'utf8' }).trim(), '1');
      assert.equal(execFileSync('soxi', ['-b', file], { encoding: 'utf8' }).trim(), '16');
    }
    assert.equal(execFileSync('soxi', ['-s', finalized], { encoding: 'utf8' }).trim(), '55125');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
