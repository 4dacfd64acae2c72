import { z } from 'zod';

/**
 * The contract between the gateway and a regional node. The node's routes validate with these
 * schemas and the gateway builds requests and reads responses with them, so the two cannot drift.
 */

/** Formats a node can render today. `pcm` is raw 24 kHz s16le mono, as OpenAI defines it. */
export const audioFormats = ['wav', 'pcm'] as const;
export type AudioFormat = (typeof audioFormats)[number];

export const synthesizeRequestSchema = z.strictObject({
  voice: z.string().min(1).max(200),
  text: z.string().min(1).max(100_000),
  format: z.enum(audioFormats).default('wav'),
  speed: z.number().min(0.25).max(4).default(1),
  speaker: z.union([z.string().min(1), z.number().int().min(0)]).optional(),
  noise_scale: z.number().min(0).max(2).optional(),
  noise_w: z.number().min(0).max(2).optional(),
});
export type SynthesizeRequest = z.input<typeof synthesizeRequestSchema>;
export type SynthesizeParams = z.output<typeof synthesizeRequestSchema>;

/** Response headers the node sets on `POST /v1/synthesize` and the gateway relays or reads. */
export const nodeHeaders = {
  cache: 'x-cache',
  synthesisMs: 'x-synthesis-ms',
  audioDurationMs: 'x-audio-duration-ms',
  sampleRate: 'x-sample-rate',
  voice: 'x-voice',
  provider: 'x-execution-provider',
  region: 'x-region',
  queueMs: 'x-queue-ms',
} as const;

/** Request headers the gateway sends to the node. */
export const gatewayHeaders = {
  requestId: 'x-request-id',
  tenant: 'x-tenant-id',
  /** Milliseconds the node has left to answer; the node refuses work it cannot finish in time. */
  deadlineMs: 'x-deadline-ms',
  priority: 'x-priority',
} as const;

export const voiceInfoSchema = z.object({
  id: z.string(),
  language: z.string(),
  sample_rate: z.number(),
  num_speakers: z.number(),
  speakers: z.array(z.string()),
  provider: z.string(),
  builtin: z.boolean(),
});
export type VoiceInfo = z.infer<typeof voiceInfoSchema>;

export const readyzSchema = z.object({
  status: z.enum(['ready', 'starting', 'unavailable']),
  region: z.string(),
  voices: z.array(
    z.object({
      id: z.string(),
      requested_provider: z.string(),
      provider: z.string(),
      warm: z.boolean(),
    }),
  ),
  load: z.object({
    queue_depth: z.number(),
    in_flight: z.number(),
    estimated_wait_ms: z.number(),
    concurrency: z.number(),
  }),
});
export type Readyz = z.infer<typeof readyzSchema>;
