import type { Hono } from 'hono';
import { ApiError } from '../../shared/errors.ts';
import { readJsonBody } from '../../shared/json-body.ts';
import type { GatewayEnv } from '../app.ts';
import { planSpeech, speechRequestSchema } from '../speech/speech-request.ts';
import { startSpeechRequest } from '../speech/start-request.ts';

/**
 * `POST /v1/speech` (native): synthesises the whole clip, stores it, and answers with a signed,
 * CDN-cacheable URL instead of the bytes.
 */
export function registerSpeech(
  app: Hono<GatewayEnv>,
  options: { maxInputCharacters: number; maxBodyBytes: number },
) {
  const schema = speechRequestSchema(options.maxInputCharacters);
  app.post('/v1/speech', async function createStoredSpeech(c) {
    const services = c.get('services');
    const plan = planSpeech(await readJsonBody(c, schema, options.maxBodyBytes), services.resolveVoice);
    const { tenant } = c.get('auth');
    const { clip, quota } = await startSpeechRequest(c, plan);
    try {
      for await (const _ of clip.chunks) {
        // Drain: the clip is complete, and stored, when the chunks end.
      }
      const { audio: stored, storage } = await clip.done;
      // A URL is only handed out for a clip that can be fetched from it.
      if (storage === 'too_large') {
        throw new ApiError(
          'payload_too_large',
          `this clip is ${stored.body.length} bytes, over the ${services.clip.maxStoredBytes}-byte limit for stored audio; stream it from /v1/audio/speech or submit it as a job`,
        );
      }
      if (storage === 'store_failed') {
        throw new ApiError(
          'store_unavailable',
          'the clip was made but the audio store is unavailable; retry shortly',
          {
            retryAfterSeconds: 1,
          },
        );
      }
      const { url, expiresAt } = services.urlSigner.sign(`/v1/audio/${plan.key}`);
      c.set('logFields', {
        tenant,
        voice: plan.voice,
        format: plan.format,
        cache: clip.cache,
        region: clip.region,
      });
      return c.json(
        {
          url,
          expires_at: expiresAt.toISOString(),
          content_type: stored.meta.contentType,
          bytes: stored.body.length,
          duration_ms: stored.meta.durationMs,
          region: clip.region,
          cache: clip.cache,
        },
        200,
        { ...quota.headers, 'x-cache': clip.cache },
      );
    } finally {
      await quota.release();
    }
  });
}
