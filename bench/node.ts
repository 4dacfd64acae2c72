import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createNodeApp } from '../node/app.ts';
import { encodeAudio } from '../node/audio/encode.ts';
import { loadNodeConfig } from '../node/config.ts';
import {
  builtinVoicesDir,
  createEngine,
  type Engine,
  type EngineOptions,
} from '../node/engine/create-engine.ts';
import { defaultProviderOptions, sessionOptionsFor } from '../node/engine/execution-provider.ts';
import { batchFeeds, type PiperModelSpec } from '../node/engine/piper-batch.ts';
import { createNodeMetrics } from '../node/metrics.ts';
import { createEspeakPhonemizer } from '../node/phonemize/espeak-phonemizer.ts';
import { createNodeServices, type NodeServices } from '../node/services.ts';
import { phonemesToIds } from '../node/voices/phoneme-ids.ts';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import { createSilentLogger } from '../shared/logger.ts';
import { batchStats, compareBatching, longText, type Send, words } from './node-load.ts';
import { fmt, median, table } from './stats.ts';

/**
 * `npm run bench:node`: the node's synthesis numbers, measured side by side in one run.
 *  1. End-to-end synthesis ÷ bare `session.run` on the same phoneme ids, with and without
 *     phonemization (espeak-ng) in the end-to-end time.
 *  2. Bare `session.run` with 1 intra-op thread ÷ with 2.
 *  3. Throughput and p99 at 1, 4, 16 and 64 concurrent requests, batching on and off.
 *  4. A short request's latency while another tenant floods the node with long ones ÷ idle.
 * Voices: the built-in one, and every other voice in VOICES_DIR (a real Piper voice, say).
 */
const VOICES_DIR = process.env.VOICES_DIR ?? 'voices';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** Which sections to run, e.g. BENCH_SECTIONS=3,4. Default all. */
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? '1,2,3,4').split(',').map(Number));
/** Extra node settings for sections 3 and 4, e.g. BENCH_NODE_ENV='{"BATCH_MAX_DELAY_MS":"0"}'. */
const NODE_ENV = JSON.parse(process.env.BENCH_NODE_ENV ?? '{}') as Record<string, string>;
const PARAGRAPH =
  'The quick brown fox jumps over the lazy dog. Speech should reach the listener before they notice any wait. ' +
  'A third sentence, with a pause, closes the paragraph.';
const secret = 'bench-internal-secret-0123456789';
const quiet = createSilentLogger();

/**
 * Alternates blocks of `a` and `b` (5 runs each) so drifting machine load hits both alike, while
 * each side runs warm (a session's pool threads go to sleep when another session runs between).
 */
async function interleave(rounds: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  const ta: number[] = [];
  const tb: number[] = [];
  const block = 5;
  for (let i = 0; i < rounds; i += block) {
    for (const [fn, into] of [
      [a, ta],
      [b, tb],
    ] as const) {
      for (let k = 0; k < block; k++) {
        const t = performance.now();
        await fn();
        into.push(performance.now() - t);
      }
    }
  }
  return [ta, tb] as const;
}

async function sentenceIds(engine: Engine, voice: string) {
  const { config } = engine.voice(voice)!.entry;
  const sentences = await createEspeakPhonemizer().phonemize(PARAGRAPH, config.espeak!.voice);
  return sentences.map((s) => phonemesToIds(s, config.phoneme_id_map).ids);
}

/** Sentence by sentence, batch 1, on a session of its own: what `session.run` alone costs. */
async function bareSession(
  modelPath: string,
  spec: PiperModelSpec,
  threads: number,
  allowSpinning = defaultProviderOptions.allowSpinning,
) {
  const session = await ort.InferenceSession.create(
    modelPath,
    sessionOptionsFor('cpu', {
      ...defaultProviderOptions,
      provider: 'cpu',
      intraOpThreads: threads,
      allowSpinning,
    }),
  );
  return {
    async run(ids: number[][]) {
      for (const sentence of ids) await session.run(batchFeeds([{ ids: sentence }], [0.667, 1, 0.8], spec));
    },
    close: () => session.release(),
  };
}

async function overhead(voice: string) {
  const base: EngineOptions = { voicesDir: VOICES_DIR, provider: 'cpu', logger: quiet };
  const variants: [string, EngineOptions, boolean][] = [
    ['phonemes cached, event loop, unbatched', { ...base, batch: { maxSize: 1 } }, true],
    ['phonemes cached, 2 workers (node defaults)', { ...base, sessionWorkers: 2 }, true],
    [
      'espeak-ng kept running, 2 workers (node defaults)',
      { ...base, sessionWorkers: 2, phonemizerOptions: { cacheEntries: 0 } },
      false,
    ],
    [
      'espeak-ng spawned per text (before), event loop',
      { ...base, batch: { maxSize: 1 }, phonemizerOptions: { mode: 'spawn', cacheEntries: 0 } },
      false,
    ],
  ];
  const rows: (string | number)[][] = [
    ['end-to-end variant (text → WAV bytes)', 'median ms', 'bare ms', 'ratio'],
  ];
  let audioSeconds = 0;
  let threads: { spinning: boolean; one: number; two: number }[] | undefined;
  for (const [name, options] of variants) {
    const engine = await createEngine(options);
    try {
      const session = engine.voice(voice)!;
      const ids = await sentenceIds(engine, voice);
      const bare = await bareSession(session.entry.modelPath, session.spec, 0);
      const full = async () => {
        const r = await engine.synthesize({ voice, text: PARAGRAPH });
        audioSeconds = r.pcm.length / r.sampleRate;
        await encodeAudio(r.pcm, r.sampleRate, 'wav');
      };
      await interleave(3, () => bare.run(ids), full);
      const [b, e] = await interleave(ROUNDS, () => bare.run(ids), full);
      rows.push([name, fmt(median(e)), fmt(median(b)), fmt(median(e) / median(b))]);
      await bare.close();
      if (!threads) {
        threads = [];
        // ORT's pool threads spin between parallel sections unless told not to (ORT_ALLOW_SPINNING).
        for (const spinning of [true, false]) {
          const one = await bareSession(session.entry.modelPath, session.spec, 1, spinning);
          const two = await bareSession(session.entry.modelPath, session.spec, 2, spinning);
          await interleave(
            3,
            () => one.run(ids),
            () => two.run(ids),
          );
          const [t1, t2] = await interleave(
            ROUNDS * 2,
            () => one.run(ids),
            () => two.run(ids),
          );
          threads.push({ spinning, one: median(t1), two: median(t2) });
          await Promise.all([one.close(), two.close()]);
        }
      }
    } finally {
      await engine.close();
    }
  }
  return { rows, audioSeconds, threads: threads! };
}

async function startNode(
  env: Record<string, string>,
): Promise<{ services: NodeServices; app: ReturnType<typeof createNodeApp> }> {
  const config = loadNodeConfig({ INTERNAL_AUTH_SECRET: secret, VOICES_DIR, ...NODE_ENV, ...env });
  const services = await createNodeServices(config, quiet);
  return { services, app: createNodeApp(services) };
}

function client(app: ReturnType<typeof createNodeApp>, token: string, voice: string) {
  return async (text: string, tenant = 'bench') => {
    const started = performance.now();
    const res = await app.request('/v1/synthesize', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-tenant-id': tenant,
      },
      body: JSON.stringify({ voice, text }),
    });
    if (res.status !== 200) throw new Error(`synthesis failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - started;
  };
}

/** Through the node's HTTP app in process: admission, result cache (off), pipeline, encoding. */
async function throughputHttp(voice: string) {
  const common = { CACHE_MEMORY_MAX_BYTES: '0', BUILTIN_VOICE: 'true' };
  // BATCH_MIN_SPEEDUP 0 forces batching on wherever it is correct, so both sides are measured.
  const on = await startNode({ ...common, BATCH_MAX_SIZE: '8', BATCH_MIN_SPEEDUP: '0' });
  const off = await startNode({ ...common, BATCH_MAX_SIZE: '1' });
  const token = await createInternalTokenSigner(secret).token();
  try {
    const result = await compareBatching(
      client(on.app, token, voice),
      client(off.app, token, voice),
      batchStats(on.services.metrics, voice),
    );
    return { ...result, batching: on.services.engine.voice(voice)!.batching };
  } finally {
    await on.services.close();
    await off.services.close();
  }
}

/** The engine alone (phonemes, batcher, workers, PCM) plus WAV encoding: what batching acts on. */
async function throughputEngine(voice: string) {
  const metrics = createNodeMetrics();
  const base: EngineOptions = { voicesDir: VOICES_DIR, logger: quiet, sessionWorkers: 2 };
  const on = await createEngine({ ...base, batch: { maxSize: 8, minSpeedup: 0 }, metrics });
  const off = await createEngine({ ...base, batch: { maxSize: 1 } });
  const send =
    (engine: Engine): Send =>
    async (text) => {
      const started = performance.now();
      const r = await engine.synthesize({ voice, text });
      await encodeAudio(r.pcm, r.sampleRate, 'wav');
      return performance.now() - started;
    };
  try {
    return await compareBatching(send(on), send(off), batchStats(metrics, voice));
  } finally {
    await on.close();
    await off.close();
  }
}

async function fairness(voice: string) {
  const node = await startNode({ BUILTIN_VOICE: 'true' });
  const send = client(node.app, await createInternalTokenSigner(secret).token(), voice);
  try {
    const shortText = (phase: string, i: number) => `${phase} ${words[i % 10]} ${i}, please.`;
    for (let i = 0; i < 5; i++) await send(shortText('Warm', i), 'tenant-b');
    const idle: number[] = [];
    const loaded: number[] = [];
    let floodDone = 0;
    // Two rounds of idle then flood, so load drifting on the machine affects both.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 7; i++) idle.push(await send(shortText(`Idle ${round}`, i), 'tenant-b'));
      let stop = false;
      let n = round * 1000;
      const flood = Array.from({ length: 8 }, async () => {
        while (!stop) {
          await send(longText(n++), 'tenant-a');
          floodDone++;
        }
      });
      while (node.services.queue.load().queuedCost.interactive < 4000)
        await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 7; i++) {
        loaded.push(await send(shortText(`Loaded ${round}`, i), 'tenant-b'));
        await new Promise((r) => setTimeout(r, 10));
      }
      stop = true;
      await Promise.all(flood);
    }
    return { idle: median(idle), loaded: median(loaded), floodDone };
  } finally {
    await node.services.close();
  }
}

const started = performance.now();
const builtin = 'speechgate-en';
if (!existsSync(path.join(builtinVoicesDir, `${builtin}.onnx`)))
  throw new Error('the built-in voice is missing from voices/');
const probe = await createEngine({ voicesDir: VOICES_DIR, logger: quiet });
const voices = probe.voices().map((v) => v.entry.id);
const descriptions = new Map(probe.voices().map((v) => [v.entry.id, v.batching]));
await probe.close();

console.log(
  `Speechgate node bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores, onnxruntime-node ${ort.env.versions.common}`,
);
console.log(
  `voices: ${voices.join(', ')} (VOICES_DIR=${VOICES_DIR}); ${ROUNDS} rounds, medians of interleaved blocks; ` +
    `load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
for (const voice of SECTIONS.has(1) || SECTIONS.has(2) ? voices : []) {
  const o = await overhead(voice);
  console.log(
    `\n1. [${voice}] End-to-end ÷ bare session.run, "${PARAGRAPH.slice(0, 40)}…" (${fmt(o.audioSeconds)} s of audio)`,
  );
  console.log(table(o.rows));
  console.log(
    `   target ≤ 1.15. "bare" = session.run per sentence on the same ids, default threads, spinning ${defaultProviderOptions.allowSpinning ? 'on' : 'off'} as the node runs it.`,
  );
  console.log(`\n2. [${voice}] Bare session.run of the paragraph, 1 intra-op thread ÷ 2 (target ≥ 1.6)`);
  console.log(
    table([
      ['ORT pool threads', '1 thread ms', '2 threads ms', '1 ÷ 2'],
      ...o.threads.map((t) => [
        t.spinning ? 'spinning (ORT default)' : 'not spinning',
        fmt(t.one),
        fmt(t.two),
        fmt(t.one / t.two),
      ]),
    ]),
  );
}
if (SECTIONS.has(3)) {
  const e = await throughputEngine(builtin);
  console.log(
    `\n3a. [${builtin}] Throughput of the engine (text → batcher → 2 workers → WAV), single-sentence requests, phonemes cached; batching on (8) ÷ off; ms`,
  );
  console.log(table(e.rows));
  const t = await throughputHttp(builtin);
  console.log(
    `\n3b. [${builtin}] The same through the node's HTTP app in process (auth, admission, result cache off, encoding); ms`,
  );
  console.log(table(t.rows));
  console.log(
    `   at 16 concurrent: engine ${fmt(e.ratios.get(16)!)}, HTTP ${fmt(t.ratios.get(16)!)} (target ≥ 1.2; "on" forced with BATCH_MIN_SPEEDUP=0).`,
  );
  console.log(`   The model allowed (forced): batches of ${t.batching.maxBatch}; ${t.batching.reason}`);
  for (const [voice, b] of descriptions)
    console.log(
      `   [${voice}] with default settings: ${b.enabled ? `batches of ${b.maxBatch}` : 'unbatched'}: ${b.reason}`,
    );
}
if (SECTIONS.has(4)) {
  const f = await fairness(builtin);
  console.log(
    `\n4. [${builtin}] Tenant B's short request while tenant A floods 8 × 1,200-character requests`,
  );
  console.log(
    table([
      ['idle median ms', 'under flood median ms', 'ratio'],
      [fmt(f.idle, 1), fmt(f.loaded, 1), fmt(f.loaded / f.idle)],
    ]),
  );
  console.log(`   target ≤ 2; A completed ${f.floodDone} long requests meanwhile.`);
}
console.log(
  `\nbench took ${fmt((performance.now() - started) / 1000, 0)} s; load average at end ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (other processes on this machine share its 2 cores)`,
);
