import { z } from 'zod';
import { type OutputFormat, outputFormats } from '../../shared/audio/encoder.ts';
import { ApiError } from '../../shared/errors.ts';
import { prepareSegments } from '../../shared/text/index.ts';
import type { VoiceResolver } from '../voice-map.ts';
import { clipKey } from './speech-key.ts';

/** Formats OpenAI defines. `aac` has no encoder here and answers 400 `unsupported_format`. */
export const openAiFormats = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

export const speechModels = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'speechgate-1'] as const;

/** The OpenAI `POST /v1/audio/speech` body (also the native `POST /v1/speech` body). */
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
    response_format: z.enum(openAiFormats).default('mp3'),
    speed: z.number().min(0.25).max(4).default(1),
    instructions: z.string().max(4096).optional(),
    stream_format: z.enum(['audio', 'sse']).default('audio'),
  });
}

export type SpeechBody = z.output<ReturnType<typeof speechRequestSchema>>;

export interface SpeechPlan {
  voice: string;
  speaker?: string | undefined;
  speed: number;
  format: OutputFormat;
  segments: string[];
  characters: number;
  /** `<sha256>.<ext>`: where the complete clip is stored. */
  key: string;
}

/** Validated body → what to synthesise: resolved voice, normalised sentence segments, clip key. */
export function planSpeech(body: SpeechBody, resolveVoice: VoiceResolver): SpeechPlan {
  if (body.response_format === 'aac') {
    throw new ApiError(
      'unsupported_format',
      `response_format "aac" is not supported: no AAC encoder is available; use one of ${outputFormats.join(', ')}`,
      { param: 'response_format' },
    );
  }
  const format = body.response_format;
  const { voice, speaker } = resolveVoice(body.voice);
  const segments = prepareSegments(body.input);
  if (segments.length === 0)
    throw new ApiError('invalid_request', 'input has nothing to speak', { param: 'input' });
  return {
    voice,
    speaker,
    speed: body.speed,
    format,
    segments,
    characters: [...body.input].length,
    key: clipKey({ voice, speaker, speed: body.speed, format, segments }),
  };
}
