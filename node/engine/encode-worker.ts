import { parentPort } from 'node:worker_threads';
import type { AudioFormat } from '../../shared/node-contract.ts';
import { encodeAudio } from '../audio/encode.ts';

/** An encoding worker: 16-bit PCM in (transferred), encoded bytes out (transferred back). */
const port = parentPort;
if (!port) throw new Error('encode-worker.ts runs only as a worker thread');

export type EncodeRequest = { id: number; pcm: Int16Array; sampleRate: number; format: AudioFormat };
export type EncodeReply =
  | { id: number; body: Uint8Array; contentType: string; sampleRate: number }
  | { id: number; error: string };

port.on('message', async ({ id, pcm, sampleRate, format }: EncodeRequest) => {
  try {
    const encoded = await encodeAudio(pcm, sampleRate, format);
    // Only a buffer that owns its whole ArrayBuffer may be transferred (small ones share a pool).
    const whole = encoded.body.byteOffset === 0 && encoded.body.buffer.byteLength === encoded.body.byteLength;
    const body = whole
      ? new Uint8Array(encoded.body.buffer, 0, encoded.body.byteLength)
      : new Uint8Array(encoded.body);
    port.postMessage(
      { id, body, contentType: encoded.contentType, sampleRate: encoded.sampleRate } satisfies EncodeReply,
      [body.buffer as ArrayBuffer],
    );
  } catch (err) {
    port.postMessage({ id, error: (err as Error).message } satisfies EncodeReply);
  }
});
