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
  /** Execution provider asked for: `cpu`, `cuda`, or `tensorrt` (TensorRT with CUDA behind it). */
  ORT_EP: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['cpu', 'cuda', 'tensorrt']).default('cpu')),
  /** When CUDA/TensorRT cannot load: run on CPU (loudly, with a metric) instead of refusing to start. */
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
  /** ONNX Runtime's CPU memory arena (applied by the binding). */
  ORT_CPU_MEM_ARENA: env.bool(true),
  /** TensorRT fp16 engines and engine cache directory. The 1.30 Node binding drops both (see /readyz). */
  ORT_TRT_FP16: env.bool(false),
  ORT_TRT_ENGINE_CACHE_PATH: env.text(''),
  /** 0 lets ONNX Runtime choose (one per core). Per session: each inference worker has its own. */
  ORT_INTRA_OP_THREADS: env.int(0, 0, 256),
  ORT_INTER_OP_THREADS: env.int(0, 0, 256),
  /** Let ORT's idle pool threads spin (its own default): faster starts, but it takes cores from espeak-ng and the event loop. */
  ORT_ALLOW_SPINNING: env.bool(false),
  /**
   * Inference worker threads, each with a session per voice running one batch at a time; 0 runs
   * on the event loop. With more than one, a single tenant's batches use all but one.
   */
  ORT_SESSION_WORKERS: env.int(2, 0, 64),
  /** Report ONNX Runtime nodes placed on CPU (a child process with verbose logs): `auto` = when a GPU provider is asked for. */
  ORT_PLACEMENT_PROBE: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['auto', 'always', 'never']).default('auto'),
  ),
  /** Largest dynamic batch per voice (Triton's max_batch_size); 1 turns batching off. */
  BATCH_MAX_SIZE: env.int(8, 1, 256),
  /**
   * Longest a partial batch waits for sentences being phonemized right now (Triton's
   * max_queue_delay). 0: batches form from what queued while the sessions were busy.
   */
  BATCH_MAX_DELAY_MS: env.number(0, 0, 1000),
  /** Padded ÷ real phoneme ids a batch may reach before a sentence waits for a batch of its own length. */
  BATCH_MAX_PADDING: env.number(1.2, 1, 100),
  /** Most padded phoneme ids in one batch (items × longest): a running batch cannot be interrupted, so this bounds another tenant's wait. */
  BATCH_MAX_TOKENS: env.int(1024, 1, 1_000_000),
  /**
   * Batch a voice only when its load-time probe ran batched at least this much faster than one by
   * one (correctness is always required); 0 batches whenever correct. /readyz gives the speed-up.
   */
  BATCH_MIN_SPEEDUP: env.number(1.05, 0, 100),
  /** Pad batch lengths up to a multiple of this so shapes repeat (helps GPU kernels' caches); 1 = off. */
  BATCH_PAD_MULTIPLE: env.int(1, 1, 4096),
  /** `persistent` keeps espeak-ng processes running (≈11 ms of CPU saved per request); `spawn` starts one per text. */
  ESPEAK_MODE: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['persistent', 'spawn']).default('persistent'),
  ),
  /** espeak-ng processes per language; with more than one, a single tenant uses all but one (the rest wait for other tenants). */
  ESPEAK_PROCESSES: env.int(2, 1, 64),
  /** Characters per phonemizer job (whole clauses): another tenant's request waits for one such chunk at most. */
  PHONEME_CHUNK_CHARS: env.int(160, 16, 100_000),
  /** Sentences whose phonemes are cached (LRU); 0 disables. */
  PHONEME_CACHE_ENTRIES: env.int(4096, 0, 10_000_000),
  /** Worker threads that encode long audio off the event loop (short audio is encoded inline); 0 = all inline. */
  ENCODE_WORKERS: env.int(1, 0, 64),
  /** Requests in the synthesis pipeline at once (their sentences meet in the batcher); more wait in fair order. */
  SYNTH_CONCURRENCY: env.int(32, 1, 4096),
  /** Requests that may wait; beyond this the node answers 503 node_overloaded. */
  SYNTH_MAX_QUEUE: env.int(256, 0, 100_000),
  /** Keep one espeak-ng process and one inference worker free of any single tenant (when there are several of each). */
  SCHED_RESERVE_FOR_OTHERS: env.bool(true),
  /** Fair-queuing weight per tenant (`x-tenant-id`), as JSON, e.g. {"acme":2}; others weigh 1. */
  TENANT_WEIGHTS: env.json(z.record(z.string(), z.number().positive())),
  REDIS_URL: env.url(),
  /** A cross-node synthesis lock outlives a dead holder by at most this long. */
  SINGLE_FLIGHT_LOCK_TTL_MS: env.int(30_000, 100),
  /** Longest a request waits for another node's identical synthesis before doing it itself. */
  SINGLE_FLIGHT_WAIT_MS: env.int(10_000, 0),
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
