import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../node/engine/create-engine.ts';
import { dtw, pcm16ToFloat, readWav, rms, speechFeatures } from './support/mfcc.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Not in the voice's corpus (tools/voice-builder/corpus.py): the voice must say new sentences.
const sentences = [
  'The old lighthouse keeper climbed the stairs every evening at sunset.',
  'My sister bought fresh vegetables and bread at the market yesterday.',
  'Please remember to lock the back door before you go to bed.',
  'A heavy storm knocked down several trees along the river road.',
  'The children built a small sandcastle near the edge of the water.',
  'Our train leaves the central station at a quarter past seven tomorrow.',
];

/**
 * The built-in voice is made from espeak-ng's speech, so espeak-ng's own render of a sentence is
 * the reference a listener would compare it with. Each of our renders must be closer (MFCC + DTW)
 * to espeak-ng saying the same sentence than to espeak-ng saying any of the other five.
 */
test('the built-in voice says the words: its renders are identified against espeak-ng', {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-voice-'));
  const engine = await createEngine({
    voicesDir: path.join(repo, 'voices'),
    espeakBin: 'espeak-ng',
    provider: 'cpu',
  });
  try {
    const ours: Float64Array[][] = [];
    for (const text of sentences) {
      const { pcm, sampleRate } = await engine.synthesize({ voice: 'speechgate-en', text, speed: 1 });
      const samples = pcm16ToFloat(pcm);
      assert.ok(samples.length / sampleRate > 0.5, `"${text}" rendered only ${samples.length} samples`);
      assert.ok(rms(samples) > 0.01, `"${text}" rendered silence (RMS ${rms(samples)})`);
      ours.push(speechFeatures(samples, sampleRate));
    }

    const references = sentences.map((text, i) => {
      const file = path.join(dir, `espeak-${i}.wav`);
      execFileSync('espeak-ng', ['-v', 'en-us', '-w', file, text]);
      const wav = readWav(readFileSync(file));
      return speechFeatures(wav.samples, wav.sampleRate);
    });

    const matrix = ours.map((a) => references.map((b) => dtw(a, b)));
    const identified = matrix.filter((row, i) => row.every((d, j) => j === i || row[i]! < d)).length;
    console.log('DTW distance, rows: built-in voice, columns: espeak-ng (same sentence on the diagonal)');
    for (const row of matrix) console.log(row.map((d) => d.toFixed(3)).join('  '));
    console.log(`identified ${identified} of ${sentences.length}`);
    assert.ok(identified >= 5, `only ${identified} of ${sentences.length} renders were identified`);
    // Identification alone would pass a mumbling voice by a hair; a clear one sits far closer to
    // the same sentence than to the others (about 1.5 against 3.7 when this was written).
    const n = sentences.length;
    const same = matrix.reduce((sum, row, i) => sum + row[i]!, 0) / n;
    const other = (matrix.flat().reduce((sum, d) => sum + d, 0) - same * n) / (n * n - n);
    assert.ok(
      same < 0.7 * other,
      `same-sentence distance ${same.toFixed(3)} is not well below ${other.toFixed(3)}`,
    );
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
