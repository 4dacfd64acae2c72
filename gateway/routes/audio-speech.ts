import type { Hono } from 'hono';
import { readJsonBody } from '../../shared/json-body.ts';
import type { GatewayEnv } from '../app.ts';
import { planSpeech, speechRequestSchema } from '../speech/speech-request.ts';
import { toSpeechEvents } from '../speech/sse.ts';
import { startSpeechRequest } from '../speech/start-request.ts';
import { toWebStream } from '../speech/web-stream.ts';
import { afterResponse, bytesBody } from './response-body.ts';

/**
 * `POST /v1/audio/speech`, OpenAI-compatible. Audio streams sentence by sentence as the regions
 * synthesise it (or at once from the audio store when this exact clip was made before), in
 * wav, pcm, mp3, opus or flac, or as SSE `speech.audio.delta` events.
 */
export function registerAudioSpeech(
  app: Hono<GatewayEnv>,
  options: { maxInputCharacters: number; maxBodyBytes: number },
) {
  const schema = speechRequestSchema(options.maxInputCharacters);
  app.post('/v1/audio/speech', async function createSpeech(c) {
    const services = c.get('services');
    const body = await readJsonBody(c, schema, options.maxBodyBytes);
    const plan = planSpeech(body, services.resolveVoice);
    const { tenant } = c.get('auth');
    const started = performance.now();
    // The concurrency slot is held until the last byte is sent (released by the stream below).
    const { clip, quota } = await startSpeechRequest(c, plan);
    services.metrics.timeToFirstAudio.observe({ cache: clip.cache }, (performance.now() - started) / 1000);
    c.set('logFields', {
      tenant,
      voice: plan.voice,
      format: plan.format,
      characters: plan.characters,
      segments: plan.segments.length,
      cache: clip.cache,
      source: clip.source,
      region: clip.region,
      attempts: clip.attempts,
    });
    const sse = body.stream_format === 'sse';
    const headers: Record<string, string> = {
      ...quota.headers,
      'content-type': sse ? 'text/event-stream' : clip.contentType,
      'cache-control': 'no-store',
      'x-cache': clip.cache,
      'x-cache-segments': `${clip.segmentsCached}/${clip.segmentsTotal}`,
      'x-served-region': clip.region,
      'x-route-attempts': String(clip.attempts),
      ...(clip.tried.length > 0 ? { 'x-route-regions': clip.tried.join(', ') } : {}),
    };
    if (clip.source === 'store')
      headers['content-location'] = services.urlSigner.sign(`/v1/audio/${plan.key}`).url;
    if (clip.source === 'store' && !sse) {
      // A stored clip is whole already (`done` has resolved): one write with its length, no stream.
      const { body } = (await clip.done).audio;
      headers['content-length'] = String(body.length);
      afterResponse(c, () => void quota.release());
      return c.body(bytesBody(body), 200, headers);
    }
    const chunks = sse ? toSpeechEvents(clip.chunks, { characters: plan.characters }) : clip.chunks;
    const requestId = c.get('requestId');
    const stream = toWebStream(chunks, (error) => {
      void quota.release();
      if (error) {
        services.metrics.streamAborts.inc();
        services.logger.warn({ requestId, err: error }, 'speech stream ended early');
      }
    });
    return c.body(stream, 200, headers);
  });
}
