import * as ort from 'onnxruntime-node';
import type { VoiceEntry } from '../voices/catalogue.ts';
import { type OpenedSession, openSession, type ProviderOptions } from './execution-provider.ts';

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
  /** Runs the model on one sentence's ids; returns float samples at the voice's rate. */
  infer(params: InferenceParams): Promise<Float32Array>;
  close(): Promise<void>;
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

export async function openVoiceSession(entry: VoiceEntry, provider: ProviderOptions): Promise<VoiceSession> {
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
  const voice: VoiceSession = {
    entry,
    opened,
    multiSpeaker,
    warm: false,
    async infer(params) {
      const result = await session.run(piperFeeds(params, multiSpeaker), [outputName]);
      const output = result[outputName];
      if (output?.type !== 'float32') throw new Error(`model output "${outputName}" is not float32`);
      // [B, 1, T] with B = 1: the samples are the tensor's data.
      return output.data as Float32Array;
    },
    close: () => session.release(),
  };
  return voice;
}
