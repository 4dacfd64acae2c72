import { ApiError } from '../../shared/errors.ts';
import { createSilentLogger, type Logger } from '../../shared/logger.ts';
import { concatPcm } from '../audio/pcm.ts';
import type { NodeMetrics } from '../metrics.ts';
import { createEspeakPhonemizer } from '../phonemize/espeak-phonemizer.ts';
import type { Phonemizer } from '../phonemize/phonemizer.ts';
import { createDynamicBatcher } from '../scheduler/dynamic-batcher.ts';
import { createFairClock, type FairClock, type WorkTag } from '../scheduler/fair-clock.ts';
import { createOrderedStage } from '../scheduler/ordered-stage.ts';
import type { SkippedVoice } from '../voices/catalogue.ts';
import { phonemesToIds } from '../voices/phoneme-ids.ts';
import { createPersistentEspeak } from './espeak-process.ts';
import { defaultProviderOptions, type ProviderName, type ProviderOptions } from './execution-provider.ts';
import { createInlineBackend, type InferenceBackend, type InferenceResult } from './inference-backend.ts';
import { loadVoices } from './load-voices.ts';
import { createPhonemeCache } from './phoneme-cache.ts';
import type { BatchItem, Scales } from './piper-batch.ts';
import type { PlacementReport } from './placement-probe.ts';
import { chunkText, createSentenceJoiner } from './text-chunks.ts';
import { resolveSpeaker, type VoiceSession } from './voice-session.ts';
import { createWorkerBackend } from './worker-backend.ts';

export { builtinVoicesDir } from './load-voices.ts';

export interface BatchOptions {
  /** Largest batch per voice; 1 turns batching off. Default 8. */
  maxSize?: number;
  /**
   * Longest a partial batch waits for sentences being phonemized right now (Triton's
   * max_queue_delay). Default 0: batches form from what queued while the sessions were busy,
   * which costs a lone request nothing; a few ms fill batches better when arrivals are fast.
   */
  maxDelayMs?: number;
  /**
   * Padded ÷ real phoneme ids a batch may reach. Padding is computed like real input (the
   * built-in voice's cost follows output length), so a loose budget eats batching's gain. Default 1.2.
   */
  maxPadding?: number;
  /** Pad batch lengths up to a multiple of this (repeating shapes for GPU kernels' caches). Default 1. */
  padMultiple?: number;
  /** Most padded phoneme ids per batch: bounds how long a batch holds the session. Default 1024. */
  maxTokens?: number;
  /**
   * Batch a voice only when its load-time probe ran batched at least this much faster than one
   * by one on the same session; 0 batches whenever batching is correct. Default 1.05.
   */
  minSpeedup?: number;
}

export interface PhonemizerOptions {
  /** `persistent` keeps espeak-ng processes running; `spawn` starts one per text. Default persistent. */
  mode?: 'persistent' | 'spawn';
  /**
   * espeak-ng processes per language (and chunks phonemized at once). With more than one, a
   * single tenant uses at most all but one, so another tenant's text starts at once. Default 2.
   */
  processes?: number;
  /** Characters per phonemizer job: another tenant waits for one such chunk at most. Default 160. */
  chunkChars?: number;
  /** Sentences whose phonemes are kept (LRU); 0 disables. Default 4096. */
  cacheEntries?: number;
}

export interface EngineOptions {
  voicesDir: string;
  /** Also load the built-in voice from the repository when `voicesDir` is elsewhere. Default true. */
  includeBuiltin?: boolean;
  espeakBin?: string;
  provider?: ProviderName;
  providerOptions?: Partial<Omit<ProviderOptions, 'provider'>>;
  /** Inference worker threads; 0 runs sessions on the event loop. Default 0. */
  sessionWorkers?: number;
  batch?: BatchOptions;
  phonemizerOptions?: PhonemizerOptions;
  /** Report which ONNX Runtime nodes landed on CPU: `auto` does it when a GPU provider was asked for. Default auto. */
  placementProbe?: 'auto' | 'always' | 'never';
  /**
   * Keep one espeak-ng process and one inference worker out of any single tenant's reach (when
   * there are several), so another tenant's request starts at once. Default true.
   */
  reserveForOthers?: boolean;
  /** Fair clock shared with the admission queue; default one of the engine's own. */
  clock?: FairClock;
  phonemizer?: Phonemizer;
  logger?: Logger;
  metrics?: NodeMetrics;
}

export interface SynthesisInput {
  voice: string;
  text: string;
  speed?: number;
  speaker?: string | number;
  noiseScale?: number;
  noiseW?: number;
  /** The request's place in the fair order (from the admission queue). Default: a fresh tag. */
  tag?: WorkTag;
}

export interface SynthesisResult {
  pcm: Int16Array;
  sampleRate: number;
  sentences: number;
  unknownPhonemes: number;
  /** Time spent in `session.run`, summed over sentences (a batch's time shared by its items' lengths). */
  inferenceMs: number;
  /** Time the request waited inside the pipeline: its first chunk for the phonemizer, its first sentence for a batch. */
  queueMs: number;
  provider: ProviderName;
}

export interface EngineLoad {
  backend: InferenceBackend['kind'];
  sessionSlots: number;
  phonemizer: { waiting: number; running: number };
  batcher: { queued: number; running: number };
}

export interface Engine {
  voices(): VoiceSession[];
  voice(id: string): VoiceSession | undefined;
  skipped: SkippedVoice[];
  /** Where ONNX Runtime placed each voice's nodes, when probed. */
  placement(id: string): PlacementReport | undefined;
  synthesize(input: SynthesisInput): Promise<SynthesisResult>;
  load(): EngineLoad;
  /** Characters per ms one request alone achieved at start-up: the admission queue's first estimate. */
  calibratedRate: number;
  close(): Promise<void>;
}

const CALIBRATION_TEXT =
  'The scheduler measures how fast this node speaks before it takes traffic. ' +
  'It reads a short paragraph, sentence by sentence, and times it from text to samples.';

/**
 * Loads every voice (one session each, probed for batching), warms each with a first synthesis,
 * and synthesises text sentence by sentence as Piper does. Text goes through a fair pipeline:
 * clauses are phonemized in chunks in fair-tag order, and sentences from all requests meet in a
 * dynamic batcher per voice in front of the sessions (on the event loop or in worker threads).
 * A voice that fails to load is skipped and logged; a GPU provider that cannot load fails the
 * start unless CPU fallback is allowed.
 *
 * @example
 * const engine = await createEngine({ voicesDir: 'voices', provider: 'cpu' });
 * const { pcm, sampleRate } = await engine.synthesize({ voice: 'speechgate-en', text: 'Hello.' });
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const logger = options.logger ?? createSilentLogger();
  const metrics = options.metrics;
  const clock = options.clock ?? createFairClock();
  const phonemizerOptions = options.phonemizerOptions ?? {};
  const espeakProcesses = Math.max(1, phonemizerOptions.processes ?? 2);
  const persistent =
    !options.phonemizer && (phonemizerOptions.mode ?? 'persistent') === 'persistent'
      ? createPersistentEspeak({ bin: options.espeakBin ?? 'espeak-ng', processes: espeakProcesses, logger })
      : undefined;
  const fallback = options.phonemizer ?? createEspeakPhonemizer({ bin: options.espeakBin ?? 'espeak-ng' });
  /** Phonemizes on the stage's slot: with persistent espeak-ng, slot i is process i (bulk or not). */
  const phonemizeOn = (slot: number, text: string, voice: string) =>
    persistent ? persistent.phonemizeOn(slot, text, voice) : fallback.phonemize(text, voice);
  const phonemeCache = createPhonemeCache(phonemizerOptions.cacheEntries ?? 4096);
  const chunkChars = Math.max(16, phonemizerOptions.chunkChars ?? 160);
  const batch = {
    maxSize: Math.max(1, options.batch?.maxSize ?? 8),
    maxDelayMs: Math.max(0, options.batch?.maxDelayMs ?? 0),
    maxPadding: Math.max(1, options.batch?.maxPadding ?? 1.2),
    padMultiple: Math.max(1, options.batch?.padMultiple ?? 1),
    maxTokens: Math.max(1, options.batch?.maxTokens ?? 1024),
    minSpeedup: Math.max(0, options.batch?.minSpeedup ?? 1.05),
  };
  const provider: ProviderOptions = {
    ...defaultProviderOptions,
    ...options.providerOptions,
    provider: options.provider ?? 'cpu',
  };

  const { sessions, skipped, placements } = await loadVoices({
    voicesDir: options.voicesDir,
    includeBuiltin: options.includeBuiltin ?? true,
    provider,
    maxBatch: batch.maxSize,
    padMultiple: batch.padMultiple,
    minSpeedup: batch.minSpeedup,
    placementProbe: options.placementProbe ?? 'auto',
    logger,
    ...(metrics ? { metrics } : {}),
  });

  const workers = options.sessionWorkers ?? 0;
  const backend: InferenceBackend =
    workers > 0 && sessions.size > 0
      ? await createWorkerBackend({
          workers,
          provider,
          logger,
          voices: [...sessions.values()].map((v) => ({
            id: v.entry.id,
            modelPath: v.entry.modelPath,
            provider: v.opened.provider,
            spec: v.spec,
          })),
        })
      : createInlineBackend(sessions);

  const reserveForOthers = options.reserveForOthers ?? true;
  const phonemizeStage = createOrderedStage({ concurrency: espeakProcesses, reserveForOthers });
  /** Chunks per batch key still being phonemized: sentences the batcher may wait for. */
  const pending = new Map<string, number>();
  const voiceOfKey = (key: string) => key.slice(0, key.indexOf('\u0000'));
  const batcher = createDynamicBatcher<BatchItem, { pcm: Int16Array; inferenceMs: number }>({
    maxBatch: batch.maxSize,
    maxDelayMs: batch.maxDelayMs,
    maxPadding: batch.maxPadding,
    maxTokens: batch.maxTokens,
    concurrency: backend.slots,
    reserveForOthers,
    limit: (key) => sessions.get(voiceOfKey(key))?.batching.maxBatch ?? 1,
    pending: (key) => pending.get(key) ?? 0,
    async run(key, items) {
      const scales = JSON.parse(key.slice(key.indexOf('\u0000') + 1)) as Scales;
      const result: InferenceResult = await backend.run({ voice: voiceOfKey(key), items, scales });
      const total = items.reduce((n, item) => n + item.ids.length, 0) || 1;
      return result.pcm.map((pcm, i) => ({
        pcm,
        inferenceMs: (result.inferenceMs * items[i]!.ids.length) / total,
      }));
    },
    onBatch(key, items) {
      metrics?.batchSize.observe({ voice: voiceOfKey(key) }, items.length);
    },
  });

  function pend(key: string, delta: number) {
    const n = (pending.get(key) ?? 0) + delta;
    if (n > 0) pending.set(key, n);
    else pending.delete(key);
  }

  async function synthesize(input: SynthesisInput): Promise<SynthesisResult> {
    const voice = sessions.get(input.voice);
    if (!voice)
      throw new ApiError('voice_not_found', `voice "${input.voice}" is not loaded on this node`, {
        param: 'voice',
      });
    const { config } = voice.entry;
    const speakerId = resolveSpeaker(voice, input.speaker);
    const scales: Scales = [
      input.noiseScale ?? config.inference.noise_scale,
      config.inference.length_scale / (input.speed ?? 1),
      input.noiseW ?? config.inference.noise_w,
    ];
    const key = `${voice.entry.id}\u0000${JSON.stringify(scales)}`;
    const ownTag = input.tag ? undefined : clock.tag('default', 'interactive', input.text.length);
    const tag = input.tag ?? ownTag!;
    const outputs: Promise<{ value: { pcm: Int16Array; inferenceMs: number }; waitedMs: number }>[] = [];
    let phonemizerWaitMs = 0;
    let unknownPhonemes = 0;
    const submit = (phonemes: readonly string[], part: WorkTag) => {
      const { ids, unknown } = phonemesToIds(phonemes, config.phoneme_id_map);
      unknownPhonemes += unknown.length;
      const item: BatchItem = speakerId === undefined ? { ids } : { ids, speakerId };
      outputs.push(batcher.submit(key, item, { tag: part, size: ids.length }));
    };
    try {
      if (config.phoneme_type === 'text') submit(Array.from(input.text.normalize('NFD')), tag);
      else phonemizerWaitMs = await phonemizeInto(input.text, config.espeak!.voice, key, tag, submit);
      const done = await Promise.all(outputs);
      const parts = done.map((o) => o.value);
      if (unknownPhonemes > 0) metrics?.unknownPhonemes.inc({ voice: input.voice }, unknownPhonemes);
      return {
        pcm: concatPcm(parts.map((p) => p.pcm)),
        sampleRate: config.audio.sample_rate,
        sentences: parts.length,
        unknownPhonemes,
        inferenceMs: parts.reduce((n, p) => n + p.inferenceMs, 0),
        queueMs: phonemizerWaitMs + (done[0]?.waitedMs ?? 0),
        provider: voice.opened.provider,
      };
    } finally {
      // Sentences already submitted still run; nobody waits for their failure.
      for (const output of outputs) output.catch(() => {});
      if (ownTag) clock.done(ownTag);
    }
  }

  /**
   * Phonemizes chunk by chunk in fair order, handing each complete sentence to `submit` at once;
   * a sentence keeps the fair tag of the chunk that completed it. Returns how long the first
   * chunk waited for the phonemizer.
   */
  async function phonemizeInto(
    text: string,
    espeakVoice: string,
    key: string,
    tag: WorkTag,
    submit: (phonemes: readonly string[], part: WorkTag) => void,
  ): Promise<number> {
    const chunks = chunkText(text, chunkChars);
    const queuedAt = performance.now();
    let firstWaitMs = 0;
    const parts = chunks.map((chunk) => clock.part(tag, chunk.offset, chunk.chars));
    /** Chunks being phonemized right now: their sentences are moments away, worth a batch's wait. */
    const running = new Set<number>();
    const settle = (i: number) => {
      if (running.delete(i)) pend(key, -1);
    };
    const jobs = chunks.map((chunk, i) => {
      // A cached chunk needs no espeak-ng slot, so it does not queue behind other tenants' texts.
      const hit = phonemeCache.get(chunk.text, espeakVoice);
      if (hit) return Promise.resolve(hit);
      return phonemizeStage.run(parts[i]!, async (slot) => {
        if (i === 0) firstWaitMs = performance.now() - queuedAt;
        running.add(i);
        pend(key, 1);
        const sentences = await phonemizeOn(slot, chunk.text, espeakVoice);
        phonemeCache.set(chunk.text, espeakVoice, sentences);
        return sentences;
      });
    });
    try {
      for (const job of jobs) job.catch(() => {});
      const joiner = createSentenceJoiner();
      for (const [i, job] of jobs.entries()) {
        const sentences = joiner.add(await job, chunks[i]!.endsSentence);
        // Not pending any more before its sentences arrive, so a lone sentence is not held back.
        settle(i);
        for (const sentence of sentences) submit(sentence, parts[i]!);
      }
      for (const sentence of joiner.flush()) submit(sentence, parts.at(-1) ?? tag);
      return firstWaitMs;
    } finally {
      if (running.size > 0) {
        // A chunk failed: stop making the batcher wait for sentences that will not come.
        for (const i of [...running]) settle(i);
        batcher.poke();
      }
    }
  }

  if (persistent) {
    const languages = new Set([...sessions.values()].flatMap((v) => v.entry.config.espeak?.voice ?? []));
    await Promise.all([...languages].map((language) => persistent.warm(language)));
  }

  // The seeds' bootstrap request: one real synthesis per voice before the node reports ready.
  for (const voice of sessions.values()) {
    const started = performance.now();
    await synthesize({ voice: voice.entry.id, text: 'Ready.' });
    voice.warm = true;
    metrics?.voiceProvider.set(
      { voice: voice.entry.id, requested: voice.opened.requested, provider: voice.opened.provider },
      1,
    );
    logger.info(
      {
        voice: voice.entry.id,
        provider: voice.opened.provider,
        warmupMs: Math.round(performance.now() - started),
      },
      'voice loaded and warm',
    );
  }
  let calibratedRate = 1 / 50;
  const first = sessions.values().next().value;
  if (first) {
    const started = performance.now();
    await synthesize({ voice: first.entry.id, text: CALIBRATION_TEXT });
    calibratedRate = CALIBRATION_TEXT.length / Math.max(1, performance.now() - started);
  }

  return {
    voices: () => [...sessions.values()],
    voice: (id) => sessions.get(id),
    skipped,
    placement: (id) => placements.get(id),
    synthesize,
    load: () => ({
      backend: backend.kind,
      sessionSlots: backend.slots,
      phonemizer: phonemizeStage.load(),
      batcher: batcher.load(),
    }),
    calibratedRate,
    async close() {
      await backend.close();
      await persistent?.close();
      await Promise.all([...sessions.values()].map((s) => s.close()));
      sessions.clear();
    },
  };
}
