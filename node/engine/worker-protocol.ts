import type { ProviderName, ProviderOptions } from './execution-provider.ts';
import type { BatchItem, PiperModelSpec, Scales } from './piper-batch.ts';

/** A voice as an inference worker opens it: plain data, cloned across threads. */
export interface WorkerVoice {
  id: string;
  modelPath: string;
  /** The provider the main thread's session really got (after any CPU fallback). */
  provider: ProviderName;
  spec: PiperModelSpec;
}

export type WorkerRequest =
  | { type: 'init'; voices: WorkerVoice[]; provider: ProviderOptions }
  | { type: 'run'; id: number; voice: string; items: BatchItem[]; scales: Scales }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; pcm: Int16Array[]; inferenceMs: number }
  | { type: 'failed'; id: number; message: string };
