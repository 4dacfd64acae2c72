import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { createEngine } from '../node/engine/create-engine.ts';
import { createEspeakPhonemizer } from '../node/phonemize/espeak-phonemizer.ts';
import { phonemesToIds } from '../node/voices/phoneme-ids.ts';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import { startService } from '../test/support/processes.ts';
import { fmt, median, percentile, table } from './stats.ts';

/**
 * `npm run bench`: the foundation's numbers, measured side by side in one run.
 *  1. Latency the gateway adds on a cache hit: the same request through the gateway and
 *     straight to the node (with the node's internal token), interleaved.
 *  2. End-to-end synthesis (phonemes → ids → ONNX → PCM) ÷ bare `session.run` on the same ids.
 *  3. Real-time factor of the built-in voice.
 */
const VOICE = 'speechgate-en';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400);
const TEXT =
  'The quick brown fox jumps over the lazy dog. Speech should reach the listener before they notice any wait.';

async function gatewayOverhead() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sg-bench-'));
  const secret = 'bench-internal-secret-0123456789';
  const devKeyFile = path.join(dir, 'dev-key.json');
  const node = await startService('node/main.ts', { INTERNAL_AUTH_SECRET: secret });
  const gateway = await startService('gateway/main.ts', {
    INTERNAL_AUTH_SECRET: secret,
    NODE_URL: node.url,
    AUTH_DEV_KEY_FILE: devKeyFile,
    RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
    RATE_LIMIT_CHARACTERS_PER_MINUTE: '0',
  });
  try {
    const token = await signDevToken(await ensureDevKey(devKeyFile), {
      subject: 'bench',
      scopes: ['tts:speak'],
      ttlSeconds: 600,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
    const internal = await createInternalTokenSigner(secret).token();
    const viaGateway = () =>
      request(`${gateway.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tts-1', input: TEXT, voice: 'alloy', response_format: 'wav' }),
      });
    const direct = () =>
      request(`${node.url}/v1/synthesize`, {
        method: 'POST',
        headers: { authorization: `Bearer ${internal}`, 'content-type': 'application/json' },
        body: JSON.stringify({ voice: VOICE, text: TEXT, format: 'wav', speed: 1 }),
      });
    const time = async (call: () => ReturnType<typeof request>) => {
      const started = performance.now();
      const res = await call();
      await res.body.arrayBuffer();
      if (res.statusCode !== 200 || res.headers['x-cache'] !== 'hit')
        throw new Error(`expected a cache hit, got ${res.statusCode}`);
      return performance.now() - started;
    };
    // First calls fill the caches: the gateway's clip store, and the node's result cache for
    // the direct path (which sends the whole text as one request).
    await (await viaGateway()).body.arrayBuffer();
    await (await direct()).body.arrayBuffer();
    for (let i = 0; i < 50; i++) {
      await time(viaGateway);
      await time(direct);
    }
    const g: number[] = [];
    const n: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      g.push(await time(viaGateway));
      n.push(await time(direct));
    }
    return { g, n };
  } finally {
    await gateway.stop();
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function synthesisCost() {
  const engine = await createEngine({ voicesDir: 'voices', provider: 'cpu' });
  try {
    const voice = engine.voice(VOICE);
    if (!voice) throw new Error(`the built-in voice ${VOICE} is missing from voices/`);
    const { config } = voice.entry;
    const sentences = await createEspeakPhonemizer().phonemize(TEXT, config.espeak!.voice);
    const ids = sentences.map((s) => phonemesToIds(s, config.phoneme_id_map).ids);
    const bare: number[] = [];
    const full: number[] = [];
    let audioSeconds = 0;
    for (let i = 0; i < 30; i++) {
      let started = performance.now();
      for (const sentence of ids) {
        await voice.infer({ ids: sentence, noiseScale: 0.667, lengthScale: 1, noiseW: 0.8 });
      }
      bare.push(performance.now() - started);
      started = performance.now();
      const result = await engine.synthesize({ voice: VOICE, text: TEXT });
      full.push(performance.now() - started);
      audioSeconds = result.pcm.length / result.sampleRate;
    }
    return { bare, full, audioSeconds, provider: voice.opened.provider };
  } finally {
    await engine.close();
  }
}

const overhead = await gatewayOverhead();
const synth = await synthesisCost();
const added50 = percentile(overhead.g, 50) - percentile(overhead.n, 50);
const added99 = percentile(overhead.g, 99) - percentile(overhead.n, 99);
console.log(
  `Speechgate foundation bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores`,
);
console.log(
  `\n1. Cache hit, ${ROUNDS} sequential requests each, interleaved (ms): the gateway answers from its clip store, the node from its result cache`,
);
console.log(
  table([
    ['path', 'p50', 'p90', 'p99'],
    [
      'node direct',
      fmt(percentile(overhead.n, 50)),
      fmt(percentile(overhead.n, 90)),
      fmt(percentile(overhead.n, 99)),
    ],
    [
      'via gateway',
      fmt(percentile(overhead.g, 50)),
      fmt(percentile(overhead.g, 90)),
      fmt(percentile(overhead.g, 99)),
    ],
    ['gateway adds', fmt(added50), '', fmt(added99)],
  ]),
);
console.log(`   gateway ÷ direct at p50: ${fmt(percentile(overhead.g, 50) / percentile(overhead.n, 50))}`);
console.log(
  `\n2. Built-in voice "${VOICE}" on ${synth.provider}, ${synth.audioSeconds.toFixed(2)} s of audio, 30 runs (median ms)`,
);
console.log(
  table([
    ['measure', 'median ms'],
    ['bare session.run (same ids)', fmt(median(synth.bare))],
    ['end-to-end synthesize()', fmt(median(synth.full))],
  ]),
);
console.log(`   end-to-end ÷ bare session.run: ${fmt(median(synth.full) / median(synth.bare))}`);
console.log(
  `\n3. Real-time factor (synthesis time ÷ audio duration): ${fmt(median(synth.full) / 1000 / synth.audioSeconds, 4)}`,
);
console.log(`   (${fmt(synth.audioSeconds / (median(synth.full) / 1000), 0)}× faster than real time)`);
