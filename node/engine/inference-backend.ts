import { floatToPcm16 } from '../audio/pcm.ts';
import type { BatchItem, Scales } from './piper-batch.ts';
import type { VoiceSession } from './voice-session.ts';

export interface InferenceJob {
  voice: string;
  items: BatchItem[];
  scales: Scales;
}

export interface InferenceResult {
  /** One sentence of 16-bit PCM per item, each normalised to its own peak as Piper does. */
  pcm: Int16Array[];
  /** Time inside `session.run` for the whole batch. */
  inferenceMs: number;
}

/** Where batches run: on the event loop (`inline`) or in worker threads with sessions of their own. */
export interface InferenceBackend {
  kind: 'inline' | 'workers';
  /** Batches that can run at once. */
  slots: number;
  run(job: InferenceJob): Promise<InferenceResult>;
  close(): Promise<void>;
}

/**
 * Runs batches on the main thread's sessions. onnxruntime-node's `session.run` is synchronous
 * inside a `setImmediate`, so this blocks the event loop for the length of a batch: fine for
 * tests and tiny models, which is why `ORT_SESSION_WORKERS=0` selects it.
 */
export function createInlineBackend(voices: ReadonlyMap<string, VoiceSession>): InferenceBackend {
  return {
    kind: 'inline',
    slots: 1,
    async run(job) {
      const voice = voices.get(job.voice);
      if (!voice) throw new Error(`voice "${job.voice}" has no session`);
      const { samples, inferenceMs } = await voice.inferBatch(job.items, job.scales);
      return { pcm: samples.map(floatToPcm16), inferenceMs };
    },
    close: async () => {},
  };
}
