import { parentPort } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { floatToPcm16 } from '../audio/pcm.ts';
import { openSession } from './execution-provider.ts';
import { runPiperBatch } from './piper-batch.ts';
import type { WorkerReply, WorkerRequest, WorkerVoice } from './worker-protocol.ts';

/**
 * An inference worker: opens its own session per voice (on the provider the main thread ended
 * up with) and runs batches off the event loop, converting each item to 16-bit PCM here too.
 */
const port = parentPort;
if (!port) throw new Error('inference-worker.ts runs only as a worker thread');

const sessions = new Map<string, { session: ort.InferenceSession; voice: WorkerVoice }>();

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []) {
  port!.postMessage(message, transfer);
}

port.on('message', async (message: WorkerRequest) => {
  switch (message.type) {
    case 'init': {
      try {
        for (const voice of message.voices) {
          const { session } = await openSession(voice.modelPath, {
            ...message.provider,
            provider: voice.provider,
            allowCpuFallback: false,
          });
          sessions.set(voice.id, { session, voice });
        }
        reply({ type: 'ready' });
      } catch (err) {
        reply({ type: 'init-failed', message: (err as Error).message });
      }
      return;
    }
    case 'run': {
      const entry = sessions.get(message.voice);
      try {
        if (!entry) throw new Error(`voice "${message.voice}" has no session in this worker`);
        const { samples, inferenceMs } = await runPiperBatch(
          entry.session,
          message.items,
          message.scales,
          entry.voice.spec,
        );
        const pcm = samples.map(floatToPcm16);
        reply(
          { type: 'result', id: message.id, pcm, inferenceMs },
          pcm.map((p) => p.buffer as ArrayBuffer),
        );
      } catch (err) {
        reply({ type: 'failed', id: message.id, message: (err as Error).message });
      }
      return;
    }
    case 'close': {
      await Promise.all([...sessions.values()].map(({ session }) => session.release()));
      sessions.clear();
      port.close();
      return;
    }
  }
});
