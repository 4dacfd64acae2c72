import type { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { readJsonBody } from '../../shared/json-body.ts';
import { audioFormats, nodeHeaders } from '../../shared/node-contract.ts';
import type { GatewayEnv } from '../app.ts';
import { rateLimitError } from '../ratelimit/ratelimit-headers.ts';

/** Formats OpenAI defines; the ones this build cannot render answer 400 `unsupported_format`. */
const openAiFormats = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

export const speechModels = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'speechgate-1'] as const;

export function speechRequestSchema(maxInputCharacters: number) {
  return z.object({
    model: z.enum(speechModels, { error: `model must be one of ${speechModels.join(', ')}` }),
    input: z
      .string({ error: 'input must be a string' })
      .refine((s) => s.trim().length > 0, 'input must not be empty')
      .refine(
        (s) => [...s].length <= maxInputCharacters,
        `input must be at most ${maxInputCharacters} characters`,
      ),
    voice: z.union([
      z.string().min(1).max(200),
      z.object({ id: z.string().min(1).max(200) }).transform((v) => v.id),
    ]),
    // OpenAI's default is mp3; until an mp3 encoder ships, an omitted format means wav.
    response_format: z.enum(openAiFormats).default('wav'),
    speed: z.number().min(0.25).max(4).default(1),
    instructions: z.string().max(4096).optional(),
    stream_format: z.enum(['audio', 'sse']).default('audio'),
  });
}

/** `POST /v1/audio/speech`, OpenAI-compatible: text in, audio bytes out. */
export function registerAudioSpeech(
  app: Hono<GatewayEnv>,
  options: { maxInputCharacters: number; maxBodyBytes: number },
) {
  const schema = speechRequestSchema(options.maxInputCharacters);
  app.post('/v1/audio/speech', async function createSpeech(c) {
    const { node, resolveVoice, metrics, limiter, requestTimeoutMs } = c.get('services');
    const body = await readJsonBody(c, schema, options.maxBodyBytes);
    const format = body.response_format;
    if (!(audioFormats as readonly string[]).includes(format)) {
      throw new ApiError(
        'unsupported_format',
        `response_format "${format}" is not supported by this deployment; use one of: ${audioFormats.join(', ')}`,
        { param: 'response_format' },
      );
    }
    if (body.stream_format === 'sse') {
      throw new ApiError(
        'unsupported_format',
        'stream_format "sse" is not supported by this deployment; use "audio"',
        {
          param: 'stream_format',
        },
      );
    }
    const { voice, speaker } = resolveVoice(body.voice);
    const auth = c.get('auth');
    const characters = [...body.input].length;
    // The quota is charged once the body is valid, by the characters it asks to synthesise.
    const quota = await limiter.acquire(auth.tenant, characters);
    if (!quota.allowed) throw rateLimitError(quota);
    try {
      return await synthesizeAndRelay();
    } finally {
      // The whole body is buffered before the handler returns, so the concurrency slot is
      // released once the response is complete.
      await quota.release();
    }

    async function synthesizeAndRelay(): Promise<Response> {
      const deadlineAt = c.get('deadlineAt') ?? Date.now() + requestTimeoutMs;
      const audio = await node.synthesize(
        {
          voice,
          text: body.input,
          format: format as (typeof audioFormats)[number],
          speed: body.speed,
          ...(speaker === undefined ? {} : { speaker }),
        },
        {
          requestId: c.get('requestId'),
          tenant: auth.tenant,
          deadlineMs: deadlineAt - Date.now(),
          signal: c.req.raw.signal,
        },
      );
      metrics.upstreamDuration.observe(
        { region: audio.headers[nodeHeaders.region] ?? 'local' },
        audio.ttfbMs / 1000,
      );
      c.set('logFields', {
        tenant: auth.tenant,
        voice,
        format,
        characters,
        cache: audio.headers[nodeHeaders.cache],
      });
      const relayed: Record<string, string> = {
        'content-type': audio.headers['content-type'] ?? 'application/octet-stream',
        'content-length': String(audio.body.length),
      };
      for (const name of [
        nodeHeaders.cache,
        nodeHeaders.synthesisMs,
        nodeHeaders.audioDurationMs,
        nodeHeaders.sampleRate,
        nodeHeaders.provider,
      ]) {
        const value = audio.headers[name];
        if (value !== undefined) relayed[name] = value;
      }
      relayed['x-served-region'] = audio.headers[nodeHeaders.region] ?? 'local';
      return c.body(new Uint8Array(audio.body), 200, { ...quota.headers, ...relayed });
    }
  });
}
