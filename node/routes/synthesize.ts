import type { Hono } from 'hono';
import { ApiError } from '../../shared/errors.ts';
import { readJsonBody } from '../../shared/json-body.ts';
import { gatewayHeaders, nodeHeaders, synthesizeRequestSchema } from '../../shared/node-contract.ts';
import type { NodeEnv } from '../app.ts';
import { normaliseText, resultCacheKey } from '../cache/cache-key.ts';
import type { CachedAudio } from '../cache/result-cache.ts';
import { parsePriority } from '../scheduler/fair-clock.ts';

const MAX_BODY_BYTES = 256 * 1024;

/** `POST /v1/synthesize`: text → audio bytes, from the result cache when possible. */
export function registerSynthesize(app: Hono<NodeEnv>) {
  app.post('/v1/synthesize', async function synthesize(c) {
    const { engine, cache, singleFlight, queue, encoder, metrics, region } = c.get('services');
    const params = await readJsonBody(c, synthesizeRequestSchema, MAX_BODY_BYTES);
    const voice = engine.voice(params.voice);
    if (!voice) {
      metrics.requests.inc({ voice: 'unknown', status: 'voice_not_found' });
      throw new ApiError('voice_not_found', `voice "${params.voice}" is not loaded on this node`, {
        param: 'voice',
      });
    }
    const key = resultCacheKey(params, voice.entry.modelHash);
    const cached = await cache.lookup(key);
    if (cached.status === 'hit') {
      metrics.requests.inc({ voice: params.voice, status: 'hit' });
      return audioResponse(cached.value, 'hit', region, 0);
    }

    const deadlineHeader = Number(c.req.header(gatewayHeaders.deadlineMs));
    const deadlineMs = Number.isFinite(deadlineHeader) && deadlineHeader > 0 ? deadlineHeader : undefined;
    const text = normaliseText(params.text);

    async function produce(): Promise<{ entry: CachedAudio; queueMs: number }> {
      const { value: result, queueMs: admissionMs } = await queue.run(
        async (tag) => {
          const started = performance.now();
          const synthesis = await engine.synthesize({
            voice: params.voice,
            text,
            speed: params.speed,
            tag,
            ...(params.speaker === undefined ? {} : { speaker: params.speaker }),
            ...(params.noise_scale === undefined ? {} : { noiseScale: params.noise_scale }),
            ...(params.noise_w === undefined ? {} : { noiseW: params.noise_w }),
          });
          // Long audio is encoded in a worker, which takes the samples: count them first.
          const durationMs = (synthesis.pcm.length / synthesis.sampleRate) * 1000;
          const encoded = await encoder.encode(synthesis.pcm, synthesis.sampleRate, params.format);
          return { synthesis, encoded, durationMs, ms: performance.now() - started };
        },
        {
          // Fair share per tenant, weighted by characters; interactive before batch.
          tenant: c.req.header(gatewayHeaders.tenant) || 'anonymous',
          priority: parsePriority(c.req.header(gatewayHeaders.priority)),
          cost: text.length,
          ...(deadlineMs === undefined ? {} : { deadlineMs }),
        },
      );
      // Waiting for a slot plus waiting inside the pipeline (phonemizer, batch): the HPA's signal.
      const queueMs = admissionMs + result.synthesis.queueMs;
      metrics.queueWait.observe(queueMs / 1000);
      const { durationMs } = result;
      const labels = { voice: params.voice, provider: result.synthesis.provider };
      metrics.synthesisDuration.observe(labels, result.ms / 1000);
      if (durationMs > 0) metrics.realTimeFactor.observe(labels, result.ms / durationMs);
      const entry: CachedAudio = {
        body: result.encoded.body,
        meta: {
          contentType: result.encoded.contentType,
          sampleRate: result.encoded.sampleRate,
          durationMs: Math.round(durationMs),
          synthesisMs: Math.round(result.ms),
          provider: result.synthesis.provider,
        },
      };
      await cache.store(key, entry);
      return { entry, queueMs };
    }
    async function lookup() {
      const found = await cache.lookup(key);
      return found.status === 'hit' ? { entry: found.value, queueMs: 0 } : undefined;
    }

    // Identical requests in flight (here or on another node sharing Redis) synthesise once;
    // only the one that synthesised reports a miss.
    const { value, role } = await singleFlight.run(key, lookup, produce);
    const fresh = role === 'leader' || role === 'fallback';
    metrics.requests.inc({ voice: params.voice, status: fresh ? 'miss' : 'hit' });
    return audioResponse(value.entry, fresh ? 'miss' : 'hit', region, fresh ? value.queueMs : 0);
  });
}

function audioResponse(audio: CachedAudio, cache: 'hit' | 'miss', region: string, queueMs: number): Response {
  return new Response(new Uint8Array(audio.body), {
    status: 200,
    headers: {
      'content-type': audio.meta.contentType,
      'content-length': String(audio.body.length),
      [nodeHeaders.cache]: cache,
      [nodeHeaders.synthesisMs]: String(cache === 'hit' ? 0 : audio.meta.synthesisMs),
      [nodeHeaders.audioDurationMs]: String(audio.meta.durationMs),
      [nodeHeaders.sampleRate]: String(audio.meta.sampleRate),
      [nodeHeaders.provider]: audio.meta.provider,
      [nodeHeaders.region]: region,
      [nodeHeaders.queueMs]: String(Math.round(queueMs)),
    },
  });
}
