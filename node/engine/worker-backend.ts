import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../shared/logger.ts';
import type { ProviderOptions } from './execution-provider.ts';
import type { InferenceBackend, InferenceJob, InferenceResult } from './inference-backend.ts';
import { spawnWorker } from './spawn-worker.ts';
import type { WorkerReply, WorkerRequest, WorkerVoice } from './worker-protocol.ts';

export interface WorkerBackendOptions {
  /** Worker threads, each with its own session per voice and one batch at a time. */
  workers: number;
  voices: WorkerVoice[];
  provider: ProviderOptions;
  logger?: Logger;
}

interface Slot {
  worker: Worker;
  job?: { id: number; resolve(result: InferenceResult): void; reject(err: Error): void };
}

const workerEntry = new URL('./inference-worker.ts', import.meta.url);

/**
 * A pool of inference workers: `session.run` blocks the thread it runs on, so running it in
 * workers keeps the event loop free for HTTP, admission and the phonemizer, and gives real
 * session concurrency. A worker that dies is replaced; its batch fails.
 */
export async function createWorkerBackend(options: WorkerBackendOptions): Promise<InferenceBackend> {
  const slots: Slot[] = [];
  const waiting: { job: InferenceJob; resolve(r: InferenceResult): void; reject(e: Error): void }[] = [];
  let nextId = 0;
  let closing = false;

  async function start(): Promise<Slot> {
    const worker = spawnWorker(workerEntry);
    const slot: Slot = { worker };
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerReply) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-failed')
          reject(new Error(`inference worker failed to start: ${message.message}`));
        if (message.type === 'ready' || message.type === 'init-failed') worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    worker.postMessage({
      type: 'init',
      voices: options.voices,
      provider: options.provider,
    } satisfies WorkerRequest);
    await ready;
    worker.on('message', (message: WorkerReply) => {
      if (message.type !== 'result' && message.type !== 'failed') return;
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      slot.job = undefined;
      if (message.type === 'result') job.resolve({ pcm: message.pcm, inferenceMs: message.inferenceMs });
      else job.reject(new Error(`inference failed: ${message.message}`));
      next();
    });
    worker.on('error', (err) => options.logger?.error({ err }, 'inference worker error'));
    worker.on('exit', (code) => {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      slot.job?.reject(new Error(`inference worker exited (code ${code})`));
      slot.job = undefined;
      if (closing) return;
      options.logger?.error({ code }, 'inference worker exited; starting another');
      start()
        .then((replacement) => {
          slots.push(replacement);
          next();
        })
        .catch((err: unknown) => options.logger?.error({ err }, 'inference worker could not be replaced'));
    });
    return slot;
  }

  function next() {
    for (const slot of slots) {
      if (slot.job || waiting.length === 0) continue;
      const { job, resolve, reject } = waiting.shift()!;
      const id = ++nextId;
      slot.job = { id, resolve, reject };
      slot.worker.postMessage({ type: 'run', id, ...job } satisfies WorkerRequest);
    }
  }

  slots.push(...(await Promise.all(Array.from({ length: Math.max(1, options.workers) }, start))));

  return {
    kind: 'workers',
    slots: slots.length,
    run(job) {
      return new Promise((resolve, reject) => {
        waiting.push({ job, resolve, reject });
        next();
      });
    },
    async close() {
      closing = true;
      await Promise.all(
        slots.map(async (slot) => {
          const exited = once(slot.worker, 'exit');
          slot.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
          const timer = setTimeout(() => void slot.worker.terminate(), 5_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}
