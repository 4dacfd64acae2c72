import type { Worker } from 'node:worker_threads';
import type { AudioFormat } from '../../shared/node-contract.ts';
import { type EncodedAudio, encodeAudio } from '../audio/encode.ts';
import type { EncodeReply, EncodeRequest } from './encode-worker.ts';
import { spawnWorker } from './spawn-worker.ts';

export interface EncoderPoolOptions {
  /** Worker threads for encoding; 0 encodes everything on the event loop. */
  workers: number;
  /** Encodes estimated above this many ms go to a worker; smaller ones are cheaper inline. Default 1. */
  offloadAboveMs?: number;
}

export interface EncoderPool {
  /** Encodes `pcm`; a large one is transferred to a worker and is unusable afterwards. */
  encode(pcm: Int16Array, sampleRate: number, format: AudioFormat): Promise<EncodedAudio>;
  close(): Promise<void>;
}

/**
 * Measured on the 2-core development machine (Node 20): `wav` costs about 0.002 µs per sample
 * (a header and one copy), `pcm` about 0.11 µs per sample (SpeexDSP to 24 kHz). A long
 * request's audio (90 s, 2 M samples) would block the event loop for about a quarter of a second
 * as resampled PCM, stalling every other request, so such work goes to a worker.
 */
const usPerSample: Record<AudioFormat, number> = { wav: 0.002, pcm: 0.11 };

const workerEntry = new URL('./encode-worker.ts', import.meta.url);

interface Slot {
  worker: Worker;
  jobs: Map<number, { resolve(e: EncodedAudio): void; reject(err: Error): void }>;
}

export function createEncoderPool(options: EncoderPoolOptions): EncoderPool {
  const threshold = options.offloadAboveMs ?? 1;
  const slots: Slot[] = [];
  let nextId = 0;

  function start(): Slot {
    const slot: Slot = { worker: spawnWorker(workerEntry), jobs: new Map() };
    slot.worker.on('message', (reply: EncodeReply) => {
      const job = slot.jobs.get(reply.id);
      if (!job) return;
      slot.jobs.delete(reply.id);
      // An idle encoder must not keep the process alive; a busy one must.
      if (slot.jobs.size === 0) slot.worker.unref();
      if ('error' in reply) job.reject(new Error(`encoding failed: ${reply.error}`));
      else
        job.resolve({
          body: Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength),
          contentType: reply.contentType,
          sampleRate: reply.sampleRate,
        });
    });
    // A dead worker fails its jobs and leaves the pool; the next encode starts a new one.
    slot.worker.on('exit', (code) => {
      slots.splice(slots.indexOf(slot), 1);
      for (const job of slot.jobs.values()) job.reject(new Error(`encoding worker exited (code ${code})`));
      slot.jobs.clear();
    });
    slot.worker.on('error', () => {});
    slot.worker.unref();
    slots.push(slot);
    return slot;
  }

  function pick(): Slot {
    if (slots.length < options.workers) return start();
    return slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  }

  return {
    encode(pcm, sampleRate, format) {
      const costMs = (pcm.length * usPerSample[format]) / 1000;
      if (options.workers <= 0 || costMs <= threshold) return encodeAudio(pcm, sampleRate, format);
      const slot = pick();
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        if (slot.jobs.size === 0) slot.worker.ref();
        slot.jobs.set(id, { resolve, reject });
        slot.worker.postMessage({ id, pcm, sampleRate, format } satisfies EncodeRequest, [
          pcm.buffer as ArrayBuffer,
        ]);
      });
    },
    async close() {
      await Promise.all(slots.map(({ worker }) => worker.terminate()));
    },
  };
}
