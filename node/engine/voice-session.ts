import * as ort from 'onnxruntime-node';
import { ApiError } from '../../shared/errors.ts';
import type { VoiceEntry } from '../voices/catalogue.ts';
import { PAD } from '../voices/piper-config.ts';
import { type BatchingSupport, probeBatching } from './batch-probe.ts';
import { type OpenedSession, openSession, type ProviderOptions } from './execution-provider.ts';
import { type BatchItem, type PiperModelSpec, runPiperBatch, type Scales } from './piper-batch.ts';

export interface InferenceParams {
  ids: readonly number[];
  noiseScale: number;
  lengthScale: number;
  noiseW: number;
  speakerId?: number;
}

/** One voice: its catalogue entry and the ONNX Runtime session created once for it. */
export interface VoiceSession {
  entry: VoiceEntry;
  opened: OpenedSession;
  /** Whether the model takes a `sid` input. */
  multiSpeaker: boolean;
  warm: boolean;
  /** How the model is run in batches (plain data, also sent to inference workers). */
  spec: PiperModelSpec;
  /** Whether this voice batches, and why or why not (decided by running it at load). */
  batching: BatchingSupport;
  /** Runs the model on one sentence's ids; returns float samples at the voice's rate. */
  infer(params: InferenceParams): Promise<Float32Array>;
  /** Runs several sentences in one padded batch; one sample array per item. */
  inferBatch(
    items: readonly BatchItem[],
    scales: Scales,
  ): Promise<{ samples: Float32Array[]; inferenceMs: number }>;
  close(): Promise<void>;
}

export interface VoiceSessionOptions {
  /** Largest batch to allow when the model passes the batching probe. Default 1 (unbatched). */
  maxBatch?: number;
  /** Pad batch lengths to a multiple of this. Default 1. */
  padMultiple?: number;
  /** Batch only when the probe ran batched at least this much faster. Default 0 (whenever correct). */
  minSpeedup?: number;
}

/** Piper's inputs: input [1,N] int64, input_lengths [1], scales [3], sid [1] when multi-speaker. */
export function piperFeeds(params: InferenceParams, multiSpeaker: boolean): Record<string, ort.Tensor> {
  const n = params.ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor('int64', BigInt64Array.from(params.ids, BigInt), [1, n]),
    input_lengths: new ort.Tensor('int64', BigInt64Array.of(BigInt(n)), [1]),
    scales: new ort.Tensor(
      'float32',
      Float32Array.of(params.noiseScale, params.lengthScale, params.noiseW),
      [3],
    ),
  };
  if (multiSpeaker) feeds.sid = new ort.Tensor('int64', BigInt64Array.of(BigInt(params.speakerId ?? 0)), [1]);
  return feeds;
}

export async function openVoiceSession(
  entry: VoiceEntry,
  provider: ProviderOptions,
  options: VoiceSessionOptions = {},
): Promise<VoiceSession> {
  const opened = await openSession(entry.modelPath, provider);
  const { session } = opened;
  const missing = ['input', 'input_lengths', 'scales'].filter((name) => !session.inputNames.includes(name));
  if (missing.length > 0 || session.outputNames.length === 0) {
    await session.release();
    throw new Error(
      `not a Piper model: missing inputs ${missing.join(', ') || '(none)'}, outputs ${session.outputNames.length}`,
    );
  }
  const multiSpeaker = session.inputNames.includes('sid');
  if (multiSpeaker !== entry.config.num_speakers > 1) {
    await session.release();
    throw new Error(
      `config says num_speakers=${entry.config.num_speakers} but the model ${multiSpeaker ? 'takes' : 'has no'} a sid input`,
    );
  }
  const outputName = session.outputNames.includes('output') ? 'output' : session.outputNames[0]!;
  const base = {
    multiSpeaker,
    outputName,
    padId: entry.config.phoneme_id_map[PAD]?.[0] ?? 0,
    padMultiple: Math.max(1, options.padMultiple ?? 1),
  };
  let batching: BatchingSupport;
  try {
    batching = await probeBatching(session, entry, base, options.maxBatch ?? 1, options.minSpeedup ?? 0);
  } catch (cause) {
    batching = {
      enabled: false,
      maxBatch: 1,
      reason: `batching probe failed: ${(cause as Error).message}`,
      lengths: { kind: 'none' },
    };
  }
  const spec: PiperModelSpec = { ...base, lengths: batching.enabled ? batching.lengths : { kind: 'none' } };
  return {
    entry,
    opened,
    multiSpeaker,
    warm: false,
    spec,
    batching,
    async infer(params) {
      const result = await session.run(piperFeeds(params, multiSpeaker), [outputName]);
      const output = result[outputName];
      if (output?.type !== 'float32') throw new Error(`model output "${outputName}" is not float32`);
      // [B, 1, T] with B = 1: the samples are the tensor's data.
      return output.data as Float32Array;
    },
    inferBatch: (items, scales) => runPiperBatch(session, items, scales, spec),
    close: () => session.release(),
  };
}

/** The speaker id a request asks for, or a 400 naming the `speaker` parameter. */
export function resolveSpeaker(
  voice: VoiceSession,
  speaker: string | number | undefined,
): number | undefined {
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
