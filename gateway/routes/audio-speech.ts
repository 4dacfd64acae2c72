import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { readJsonBody } from '../../shared/json-body.ts';
import { type AudioFormat, audioFormats, nodeHeaders } from '../../shared/node-contract.ts';
import type { GatewayEnv } from '../app.ts';
import { rateLimitError } from '../ratelimit/ratelimit-headers.ts';
import type { RoutedAudio } from '../regions/router.ts';

/** Formats OpenAI defines; the ones this build cannot render answer 400 `unsupported_format`. */
const openAiFormats = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

export const speechModels = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'speechgate-1'] as const;

/** Node headers passed through to the client. */
const relayedHeaders = [
  nodeHeaders.cache,
  nodeHeaders.synthesisMs,
  nodeHeaders.audioDurationMs,
  nodeHeaders.sampleRate,
  nodeHeaders.provider,
] as const;

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

/** `POST /v1/audio/speech`, OpenAI-compatible: text in, audio bytes out, from the best region. */
export function registerAudioSpeech(
  app: Hono<GatewayEnv>,
  options: { maxInputCharacters: number; maxBodyBytes: number },
) {
  const schema = speechRequestSchema(options.maxInputCharacters);
  app.post('/v1/audio/speech', async function createSpeech(c) {
    const { router, resolveVoice, limiter, requestTimeoutMs } = c.get('services');
    const body = await readJsonBody(c, schema, options.maxBodyBytes);
    const format = supportedFormat(body.response_format);
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
    const { tenant } = c.get('auth');
    const characters = [...body.input].length;
    // The quota is charged once the body is valid, by the characters it asks to synthesise.
    const quota = await limiter.acquire(tenant, characters);
    if (!quota.allowed) throw rateLimitError(quota);
    try {
      const audio = await router.synthesize(
        { voice, text: body.input, format, speed: body.speed, ...(speaker === undefined ? {} : { speaker }) },
        {
          requestId: c.get('requestId'),
          tenant,
          deadlineAt: c.get('deadlineAt') ?? Date.now() + requestTimeoutMs,
          signal: c.req.raw.signal,
        },
      );
      c.set('logFields', { tenant, voice, format, characters, ...routeFields(audio) });
      return relay(c, audio, quota.headers);
    } finally {
      // The body is buffered before the handler returns, so the concurrency slot is held for
      // the whole synthesis and released here.
      await quota.release();
    }
  });
}

function supportedFormat(format: (typeof openAiFormats)[number]): AudioFormat {
  if ((audioFormats as readonly string[]).includes(format)) return format as AudioFormat;
  throw new ApiError(
    'unsupported_format',
    `response_format "${format}" is not supported by this deployment; use one of: ${audioFormats.join(', ')}`,
    { param: 'response_format' },
  );
}

function routeFields(audio: RoutedAudio) {
  return {
    cache: audio.headers[nodeHeaders.cache],
    region: audio.region,
    attempts: audio.attempts,
    ...(audio.hedged ? { hedged: true } : {}),
  };
}

function relay(c: Context<GatewayEnv>, audio: RoutedAudio, extra: Record<string, string>): Response {
  c.get('services').metrics.upstreamDuration.observe({ region: audio.region }, audio.ttfbMs / 1000);
  const headers: Record<string, string> = {
    ...extra,
    'content-type': audio.headers['content-type'] ?? 'application/octet-stream',
    'content-length': String(audio.body.length),
    'x-served-region': audio.region,
    'x-route-attempts': String(audio.attempts),
  };
  for (const name of relayedHeaders) {
    const value = audio.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return c.body(new Uint8Array(audio.body), 200, headers);
}
