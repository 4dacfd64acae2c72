import { z } from 'zod';
import { env, parseConfig } from '../shared/config.ts';

/** Every setting of a regional node, read once from the environment by `node/main.ts`. */
export const nodeEnvSchema = z.object({
  HOST: env.text('0.0.0.0'),
  PORT: env.int(8081, 0, 65535),
  REGION: env.text('local'),
  LOG_LEVEL: env.text('info'),
  /** Directory scanned for `*.onnx` + `*.onnx.json` Piper voices; the built-in voice is always added. */
  VOICES_DIR: env.text('voices'),
  /** Also load the repository's built-in voice (in `voices/`) when VOICES_DIR points elsewhere. */
  BUILTIN_VOICE: env.bool(true),
  ESPEAK_BIN: env.text('espeak-ng'),
  /** Execution provider asked for: `cpu` or `cuda`. */
  ORT_EP: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['cpu', 'cuda']).default('cpu')),
  /** When CUDA cannot load: run on CPU (loudly, with a metric) instead of refusing to start. */
  ORT_ALLOW_CPU_FALLBACK: env.bool(false),
  ORT_DEVICE_ID: env.int(0, 0, 64),
  ORT_CUDNN_CONV_ALGO_SEARCH: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['EXHAUSTIVE', 'HEURISTIC', 'DEFAULT']).default('HEURISTIC'),
  ),
  ORT_GPU_MEM_LIMIT_BYTES: env.int(0, 0),
  ORT_ARENA_EXTEND_STRATEGY: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['kNextPowerOfTwo', 'kSameAsRequested']).default('kSameAsRequested'),
  ),
  /** 0 lets ONNX Runtime choose (one per core). */
  ORT_INTRA_OP_THREADS: env.int(0, 0, 256),
  ORT_INTER_OP_THREADS: env.int(0, 0, 256),
  /** Synthesis runs at once per node; more requests wait in the queue. */
  SYNTH_CONCURRENCY: env.int(1, 1, 256),
  /** Requests that may wait; beyond this the node answers 503 node_overloaded. */
  SYNTH_MAX_QUEUE: env.int(256, 0, 100_000),
  REDIS_URL: env.url(),
  CACHE_TTL_SECONDS: env.int(86_400, 1),
  CACHE_MAX_ENTRY_BYTES: env.int(8 * 1024 * 1024, 1024),
  /** Memory cache budget when no REDIS_URL is set. */
  CACHE_MEMORY_MAX_BYTES: env.int(256 * 1024 * 1024, 0),
  /** Shared secret the gateway signs its internal tokens with. Required. */
  INTERNAL_AUTH_SECRET: z.string().min(16, 'INTERNAL_AUTH_SECRET must be at least 16 characters'),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(),
  OTEL_SERVICE_NAME: env.text('speechgate-node'),
  SHUTDOWN_GRACE_MS: env.int(10_000, 0),
});

export type NodeConfig = z.output<typeof nodeEnvSchema>;

export function loadNodeConfig(source: Record<string, string | undefined>): NodeConfig {
  return parseConfig(nodeEnvSchema, source);
}
