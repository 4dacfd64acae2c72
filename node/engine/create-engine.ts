import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../../shared/errors.ts';
import { createSilentLogger, type Logger } from '../../shared/logger.ts';
import { concatPcm, floatToPcm16 } from '../audio/pcm.ts';
import type { NodeMetrics } from '../metrics.ts';
import { createEspeakPhonemizer } from '../phonemize/espeak-phonemizer.ts';
import type { Phonemizer } from '../phonemize/phonemizer.ts';
import { type SkippedVoice, scanVoices } from '../voices/catalogue.ts';
import { phonemesToIds } from '../voices/phoneme-ids.ts';
import type { ProviderName, ProviderOptions } from './execution-provider.ts';
import { openVoiceSession, type VoiceSession } from './voice-session.ts';

/** The repository's own voices (the built-in voice lives here). */
export const builtinVoicesDir = fileURLToPath(new URL('../../voices/', import.meta.url));

export interface EngineOptions {
  voicesDir: string;
  /** Also load the built-in voice from the repository when `voicesDir` is elsewhere. Default true. */
  includeBuiltin?: boolean;
  espeakBin?: string;
  provider?: ProviderName;
  providerOptions?: Partial<Omit<ProviderOptions, 'provider'>>;
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
}

export interface SynthesisResult {
  pcm: Int16Array;
  sampleRate: number;
  sentences: number;
  unknownPhonemes: number;
  /** Time spent in `session.run`, summed over sentences. */
  inferenceMs: number;
  provider: ProviderName;
}

export interface Engine {
  voices(): VoiceSession[];
  voice(id: string): VoiceSession | undefined;
  skipped: SkippedVoice[];
  synthesize(input: SynthesisInput): Promise<SynthesisResult>;
  close(): Promise<void>;
}

const defaultProvider: Omit<ProviderOptions, 'provider'> = {
  allowCpuFallback: false,
  deviceId: 0,
  cudnnConvAlgoSearch: 'HEURISTIC',
  gpuMemLimitBytes: 0,
  arenaExtendStrategy: 'kSameAsRequested',
  intraOpThreads: 0,
  interOpThreads: 0,
};

/**
 * Loads every voice (one session each), warms each with a first synthesis, and synthesises
 * text sentence by sentence as Piper does. A voice that fails to load is skipped and logged;
 * a CUDA provider that cannot load fails the start unless CPU fallback is allowed.
 *
 * @example
 * const engine = await createEngine({ voicesDir: 'voices', provider: 'cpu' });
 * const { pcm, sampleRate } = await engine.synthesize({ voice: 'speechgate-en', text: 'Hello.' });
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const logger = options.logger ?? createSilentLogger();
  const metrics = options.metrics;
  const phonemizer = options.phonemizer ?? createEspeakPhonemizer({ bin: options.espeakBin ?? 'espeak-ng' });
  const provider: ProviderOptions = {
    ...defaultProvider,
    ...options.providerOptions,
    provider: options.provider ?? 'cpu',
  };

  const dirs = [
    {
      dir: path.resolve(options.voicesDir),
      builtin: path.resolve(options.voicesDir) === path.resolve(builtinVoicesDir),
    },
  ];
  if ((options.includeBuiltin ?? true) && !dirs[0]!.builtin)
    dirs.push({ dir: builtinVoicesDir, builtin: true });
  const catalogue = await scanVoices(dirs);
  const skipped = [...catalogue.skipped];

  const sessions = new Map<string, VoiceSession>();
  for (const entry of catalogue.voices) {
    let session: VoiceSession;
    try {
      session = await openVoiceSession(entry, provider);
    } catch (cause) {
      if ((cause as Error).name === 'ProviderUnavailableError') throw cause;
      skipped.push({ file: entry.modelPath, reason: `model failed to load: ${(cause as Error).message}` });
      continue;
    }
    if (session.opened.fallbackReason) {
      logger.error(
        {
          voice: entry.id,
          requested: provider.provider,
          provider: 'cpu',
          reason: session.opened.fallbackReason,
        },
        'CUDA execution provider unavailable: voice runs on CPU (ORT_ALLOW_CPU_FALLBACK=true)',
      );
      metrics?.providerFallbacks.inc({ voice: entry.id });
    }
    sessions.set(entry.id, session);
  }
  for (const skip of skipped) {
    logger.warn({ file: skip.file, reason: skip.reason }, 'voice skipped');
    metrics?.voicesSkipped.inc();
  }

  async function synthesize(input: SynthesisInput): Promise<SynthesisResult> {
    const voice = sessions.get(input.voice);
    if (!voice)
      throw new ApiError('voice_not_found', `voice "${input.voice}" is not loaded on this node`, {
        param: 'voice',
      });
    const { config } = voice.entry;
    const speakerId = resolveSpeaker(voice, input.speaker);
    const sentences =
      config.phoneme_type === 'text'
        ? [Array.from(input.text.normalize('NFD'))]
        : await phonemizer.phonemize(input.text, config.espeak!.voice);
    const parts: Int16Array[] = [];
    let unknownPhonemes = 0;
    let inferenceMs = 0;
    for (const phonemes of sentences) {
      const { ids, unknown } = phonemesToIds(phonemes, config.phoneme_id_map);
      unknownPhonemes += unknown.length;
      const started = performance.now();
      const samples = await voice.infer({
        ids,
        noiseScale: input.noiseScale ?? config.inference.noise_scale,
        lengthScale: config.inference.length_scale / (input.speed ?? 1),
        noiseW: input.noiseW ?? config.inference.noise_w,
        ...(speakerId === undefined ? {} : { speakerId }),
      });
      inferenceMs += performance.now() - started;
      parts.push(floatToPcm16(samples));
    }
    if (unknownPhonemes > 0) metrics?.unknownPhonemes.inc({ voice: input.voice }, unknownPhonemes);
    return {
      pcm: concatPcm(parts),
      sampleRate: config.audio.sample_rate,
      sentences: sentences.length,
      unknownPhonemes,
      inferenceMs,
      provider: voice.opened.provider,
    };
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

  return {
    voices: () => [...sessions.values()],
    voice: (id) => sessions.get(id),
    skipped,
    synthesize,
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.close()));
      sessions.clear();
    },
  };
}

function resolveSpeaker(voice: VoiceSession, speaker: string | number | undefined): number | undefined {
  if (!voice.multiSpeaker) {
    if (speaker === undefined || speaker === 0 || speaker === '0') return undefined;
    throw new ApiError('invalid_request', `voice "${voice.entry.id}" has a single speaker`, {
      param: 'speaker',
    });
  }
  if (speaker === undefined) return 0;
  const map = voice.entry.config.speaker_id_map;
  const id =
    typeof speaker === 'number'
      ? speaker
      : (map[speaker] ?? (/^\d+$/.test(speaker) ? Number(speaker) : undefined));
  if (id === undefined || id >= voice.entry.config.num_speakers) {
    throw new ApiError('invalid_request', `voice "${voice.entry.id}" has no speaker "${speaker}"`, {
      param: 'speaker',
    });
  }
  return id;
}
