import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { writePiperFixture } from '../../test/support/piper-fixture.ts';
import { createNodeMetrics } from '../metrics.ts';
import { createEspeakPhonemizer } from '../phonemize/espeak-phonemizer.ts';
import { phonemesToIds } from '../voices/phoneme-ids.ts';
import { BATCH_TOLERANCE } from './batch-probe.ts';
import { builtinVoicesDir, createEngine, type Engine } from './create-engine.ts';

const { onnx } = onnxProto;
const builtinPresent = existsSync(path.join(builtinVoicesDir, 'speechgate-en.onnx'));

const texts = [
  'Hi.',
  'The quick brown fox jumps over the lazy dog.',
  'Batching must not change the audio, not even by one sample.',
  'Short one.',
  'A somewhat longer sentence, with a comma, and another clause after it.',
  'Numbers like 42 are read out.',
];

/**
 * Tolerance of the engine-level comparison: identical float samples give identical 16-bit PCM;
 * `BATCH_TOLERANCE` (1e-4 in float) scaled to a full-range peak is at most 4 LSB.
 */
const PCM_TOLERANCE = 4;

function maxDiff(a: Int16Array | Float32Array, b: Int16Array | Float32Array): number {
  assert.equal(a.length, b.length, 'same number of samples');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('dynamic batching keeps each item equal to its unbatched synthesis', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-batch-'));
    await writePiperFixture(dir, { id: 'fixture-single' });
    await writePiperFixture(dir, { id: 'fixture-multi', multiSpeaker: true });
    // The same model exported with a batch dimension fixed at 1: it must run unbatched.
    const fixed = await writePiperFixture(dir, { id: 'fixture-fixed' });
    const model = onnx.ModelProto.decode(await readFile(fixed.modelPath));
    for (const input of model.graph!.input!) {
      if (input.name === 'input') input.type!.tensorType!.shape!.dim![0] = { dimValue: 1 };
    }
    await writeFile(fixed.modelPath, onnx.ModelProto.encode(model).finish());
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('session level: every item of a padded batch equals its own run, for each voice that batches', async () => {
    // minSpeedup 0: batch whenever batching is correct, even where it is not faster.
    const engine = await createEngine({
      voicesDir: dir,
      includeBuiltin: builtinPresent,
      batch: { maxSize: 8, minSpeedup: 0 },
    });
    try {
      const phonemizer = createEspeakPhonemizer();
      const ids = await Promise.all(
        texts.map(
          async (t) =>
            phonemesToIds(
              (await phonemizer.phonemize(t, 'en-us'))[0]!,
              engine.voice('fixture-single')!.entry.config.phoneme_id_map,
            ).ids,
        ),
      );
      const checked: string[] = [];
      for (const voice of engine.voices()) {
        if (!voice.batching.enabled) continue;
        const { config } = voice.entry;
        const scales = [
          config.inference.noise_scale,
          config.inference.length_scale,
          config.inference.noise_w,
        ] as const;
        const items = ids.map((sentence, i) => ({
          // Built-in voice ids come from its own map; the fixtures share espeak's symbols.
          ids: voice.entry.id === 'speechgate-en' ? remap(sentence, engine, voice.entry.id) : sentence,
          ...(voice.multiSpeaker ? { speakerId: i % 2 } : {}),
        }));
        const batched = await voice.inferBatch(items, scales);
        for (const [i, item] of items.entries()) {
          const alone = await voice.infer({
            ids: item.ids,
            noiseScale: scales[0],
            lengthScale: scales[1],
            noiseW: scales[2],
            ...(item.speakerId === undefined ? {} : { speakerId: item.speakerId }),
          });
          const diff = maxDiff(batched.samples[i]!, alone.subarray(0, batched.samples[i]!.length));
          assert.ok(diff <= BATCH_TOLERANCE, `${voice.entry.id} item ${i}: batched differs by ${diff}`);
          assert.ok(alone.length >= batched.samples[i]!.length);
        }
        checked.push(voice.entry.id);
      }
      assert.ok(
        checked.includes('fixture-single') && checked.includes('fixture-multi'),
        `checked ${checked}`,
      );
      if (builtinPresent) assert.ok(checked.includes('speechgate-en'), 'the built-in voice batches');
    } finally {
      await engine.close();
    }
  });

  test('each voice says whether and how it batches; a batch-1 export runs unbatched and says why', async () => {
    const engine = await createEngine({
      voicesDir: dir,
      includeBuiltin: false,
      batch: { maxSize: 8, minSpeedup: 0 },
    });
    try {
      const single = engine.voice('fixture-single')!.batching;
      assert.equal(single.enabled, true);
      assert.equal(single.maxBatch, 8);
      assert.deepEqual(single.lengths, { kind: 'per-id', samplesPerId: 256 });
      assert.match(single.reason, /phoneme ids × 256 samples/);
      const fixed = engine.voice('fixture-fixed')!.batching;
      assert.equal(fixed.enabled, false);
      assert.equal(fixed.maxBatch, 1);
      assert.match(fixed.reason, /batch dimension is fixed at 1/);
    } finally {
      await engine.close();
    }
  });

  test('a voice whose batches are correct but not faster enough runs unbatched, saying how fast they were', async () => {
    const engine = await createEngine({
      voicesDir: dir,
      includeBuiltin: false,
      batch: { maxSize: 8, minSpeedup: 100 },
    });
    try {
      const single = engine.voice('fixture-single')!.batching;
      assert.equal(single.enabled, false);
      assert.equal(single.maxBatch, 1);
      assert.ok(single.speedup !== undefined && single.speedup > 0 && single.speedup < 100);
      assert.match(single.reason, /correct but not faster.*BATCH_MIN_SPEEDUP 100/);
    } finally {
      await engine.close();
    }
  });

  test('engine level: concurrent requests are batched and each equals the unbatched engine within 4 LSB', async () => {
    const metrics = createNodeMetrics();
    // A long delay so the requests surely meet; the phoneme cache is warmed first so they arrive together.
    const batched = await createEngine({
      voicesDir: dir,
      includeBuiltin: builtinPresent,
      // A loose padding budget, so sentences of different lengths share batches (and padding is tested).
      batch: { maxSize: 8, maxDelayMs: 200, maxPadding: 4, minSpeedup: 0 },
      metrics,
    });
    const unbatched = await createEngine({
      voicesDir: dir,
      includeBuiltin: builtinPresent,
      batch: { maxSize: 1 },
    });
    try {
      const voices = builtinPresent
        ? ['fixture-single', 'fixture-multi', 'speechgate-en']
        : ['fixture-single', 'fixture-multi'];
      for (const voice of voices) {
        const requests = texts.map((text, i) => ({
          voice,
          text,
          ...(voice === 'fixture-multi' ? { speaker: i % 2 } : {}),
        }));
        for (const r of requests) await batched.synthesize(r);
        const before = await batchStats(metrics, voice);
        const together = await Promise.all(requests.map((r) => batched.synthesize(r)));
        const after = await batchStats(metrics, voice);
        const batches = after.count - before.count;
        assert.equal(after.sum - before.sum, texts.length, `${voice}: every sentence went through a batch`);
        assert.ok(batches < texts.length, `${voice}: ${texts.length} sentences ran in ${batches} batches`);
        for (const [i, r] of requests.entries()) {
          const alone = await unbatched.synthesize(r);
          const diff = maxDiff(together[i]!.pcm, alone.pcm);
          assert.ok(diff <= PCM_TOLERANCE, `${voice} "${r.text}": ${diff} LSB apart`);
        }
      }
    } finally {
      await batched.close();
      await unbatched.close();
    }
  });
});

function remap(ids: number[], engine: Engine, voice: string): number[] {
  // Fixture ids index `englishPhonemes`; map them through symbols to the voice's own ids.
  const fixture = engine.voice('fixture-single');
  const target = engine.voice(voice)!.entry.config.phoneme_id_map;
  if (!fixture) return ids;
  const symbolOf = new Map(Object.entries(fixture.entry.config.phoneme_id_map).map(([s, v]) => [v[0]!, s]));
  return ids.map((id) => target[symbolOf.get(id) ?? '_']?.[0] ?? 0);
}

async function batchStats(metrics: ReturnType<typeof createNodeMetrics>, voice: string) {
  const json = await metrics.batchSize.get();
  const pick = (name: string) =>
    json.values.find((v) => v.metricName === name && v.labels.voice === voice)?.value ?? 0;
  return { count: pick('tts_batch_size_count'), sum: pick('tts_batch_size_sum') };
}
