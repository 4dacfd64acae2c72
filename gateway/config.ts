import { z } from 'zod';
import { env, parseConfig } from '../shared/config.ts';

const tenantLimitsSchema = z.object({
  requests_per_minute: z.number().int().min(0).optional(),
  characters_per_minute: z.number().int().min(0).optional(),
  concurrent_requests: z.number().int().min(0).optional(),
});
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;

/** Asynchronous jobs (gateway/jobs): long documents on a Redis queue; they need REDIS_URL. */
const jobsEnvSchema = {
  /** Run job workers in this process; false makes it accept and report jobs only. */
  JOBS_WORKER: env.bool(true),
  /** Tasks (segments, assemblies, webhooks) one process runs at once. */
  JOBS_WORKERS: env.int(4, 1, 256),
  /** Largest `POST /v1/jobs` body. */
  JOBS_MAX_BODY_BYTES: env.int(2 * 1024 * 1024, 1024),
  /** Largest document, in characters (titles included); larger is a 413. */
  JOBS_MAX_DOCUMENT_CHARACTERS: env.int(500_000, 1),
  /** A sentence longer than this is split at a clause or word boundary. */
  JOBS_SEGMENT_MAX_CHARACTERS: env.int(300, 20, 4_000),
  /**
   * Most characters in one chapter (one audio file, about 11 min of speech per 10 000): a longer
   * chapter is a 413, a longer plain-text `input` is split into parts of this size.
   */
  JOBS_MAX_CHAPTER_CHARACTERS: env.int(10_000, 100),
  /** Per tenant: jobs queued or running at once (0: unlimited); beyond it a 429. */
  JOBS_MAX_IN_FLIGHT: env.int(10, 0),
  /** Per tenant: characters submitted per UTC day (0: unlimited); beyond it a 429. */
  JOBS_CHARACTERS_PER_DAY: env.int(2_000_000, 0),
  /** Per-tenant job limits: `{"tenant-id": {"jobs_in_flight": 50, "characters_per_day": 10000000}}`. */
  JOBS_LIMIT_OVERRIDES: env.json(
    z.record(
      z.string(),
      z.object({
        jobs_in_flight: z.number().int().min(0).optional(),
        characters_per_day: z.number().int().min(0).optional(),
      }),
    ),
  ),
  /** Charge each segment to the tenant's realtime limits (RATE_LIMIT_*), postponing it when they refuse. */
  JOBS_TENANT_LIMITS: env.bool(true),
  /** Attempts per segment or assembly task before it is dead-lettered and the job fails. */
  JOBS_TASK_ATTEMPTS: env.int(10, 1, 100),
  /** Backoff between attempts: doubles from the base up to the max, jittered. */
  JOBS_RETRY_BASE_MS: env.int(1_000, 1),
  JOBS_RETRY_MAX_MS: env.int(60_000, 1),
  /** Deadline for one segment's synthesis, every routing attempt included. */
  JOBS_TASK_TIMEOUT_MS: env.int(60_000, 100),
  /** A task held this long without a worker heartbeat is redelivered to another worker. */
  JOBS_CLAIM_IDLE_MS: env.int(30_000, 200),
  /** How long a finished job, its manifest and its URLs stay readable. */
  JOBS_RETENTION_SECONDS: env.int(7 * 86_400, 60),
  /** Default webhook signing secret; tenants without one in JOBS_WEBHOOK_SECRETS use it. Unset: such tenants cannot set webhooks. */
  JOBS_WEBHOOK_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16).optional()),
  /** Per-tenant webhook secrets: `{"tenant-id": "whsec_…"}`. */
  JOBS_WEBHOOK_SECRETS: env.json(z.record(z.string(), z.string().min(16))),
  /** Let webhooks reach private, loopback and link-local addresses (refused by default: SSRF). */
  JOBS_WEBHOOK_ALLOW_PRIVATE: env.bool(false),
  JOBS_WEBHOOK_ATTEMPTS: env.int(8, 1, 100),
  JOBS_WEBHOOK_TIMEOUT_MS: env.int(10_000, 100),
};

const gatewayFields = z.object({
  HOST: env.text('0.0.0.0'),
  PORT: env.int(8080, 0, 65535),
  LOG_LEVEL: env.text('info'),
  /** The regional node in single-region mode (used when no GATEWAY_REGIONS is given). */
  NODE_URL: env.text('http://127.0.0.1:8081'),
  /** Regions as JSON: `{"regions":[{"name":"eu-west","nodes":["http://10.0.0.5:8081"],"weight":1,"drain":false}]}`. */
  GATEWAY_REGIONS: env.string(),
  /** Path to a file holding the same JSON document as GATEWAY_REGIONS. */
  GATEWAY_REGIONS_FILE: env.string(),
  /** Shared secret for gateway → node tokens. Required. */
  INTERNAL_AUTH_SECRET: z.string().min(16, 'INTERNAL_AUTH_SECRET must be at least 16 characters'),
  /** Remote JWKS for client tokens; keys are refreshed in the background, last good set kept. */
  AUTH_JWKS_URL: env.url(),
  /** Local public keys: a JWKS JSON document, or one or more PEM SPKI blocks. */
  AUTH_PUBLIC_KEYS: env.string(),
  /** File holding the embedded dev key pair (created by `npm start` in the data directory). */
  AUTH_DEV_KEY_FILE: env.string(),
  AUTH_ISSUER: env.text('speechgate-dev'),
  AUTH_AUDIENCE: env.text('speechgate'),
  AUTH_ALGORITHMS: env.list(),
  AUTH_CLOCK_TOLERANCE_SECONDS: env.int(30, 0, 600),
  AUTH_TENANT_CLAIM: env.text('sub'),
  /**
   * Seconds a verified bearer token is reused without checking its signature again (never past
   * its `exp`); 0 checks every request. A key removed from the key set keeps verifying the tokens
   * it signed for up to this long.
   */
  AUTH_TOKEN_CACHE_SECONDS: env.int(60, 0, 3600),
  REDIS_URL: env.url(),
  RATE_LIMIT_REQUESTS_PER_MINUTE: env.int(120, 0),
  RATE_LIMIT_CHARACTERS_PER_MINUTE: env.int(100_000, 0),
  RATE_LIMIT_CONCURRENT_REQUESTS: env.int(8, 0),
  /** Per-tenant overrides: `{"tenant-id": {"requests_per_minute": 600, ...}}`. */
  RATE_LIMIT_OVERRIDES: env.json(z.record(z.string(), tenantLimitsSchema)),
  MAX_INPUT_CHARACTERS: env.int(4096, 1, 1_000_000),
  MAX_BODY_BYTES: env.int(64 * 1024, 1024),
  /** OpenAI voice names → catalogue voice ids (optionally `voice:speaker`). */
  VOICE_MAP: env.json(z.record(z.string(), z.string())),
  DEFAULT_VOICE: env.text('speechgate-en'),
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(2_000, 1),
  UPSTREAM_HEADERS_TIMEOUT_MS: env.int(30_000, 1),
  UPSTREAM_BODY_TIMEOUT_MS: env.int(30_000, 1),
  UPSTREAM_CONNECTIONS: env.int(64, 1),
  /** Deadline for a whole request, including every upstream attempt. */
  REQUEST_TIMEOUT_MS: env.int(60_000, 100),
  /** Active `/readyz` probe of every node. */
  ROUTING_PROBE_INTERVAL_MS: env.int(1_000, 50),
  ROUTING_PROBE_TIMEOUT_MS: env.int(500, 10),
  /** Longest wait for one attempt's response headers before it counts as failed and fails over. */
  ROUTING_ATTEMPT_TIMEOUT_MS: env.int(10_000, 10),
  ROUTING_MAX_ATTEMPTS: env.int(3, 1, 10),
  /** Consecutive failures that eject a node; it is re-admitted by a good probe after the ejection time. */
  ROUTING_EJECT_AFTER_FAILURES: env.int(3, 1, 100),
  ROUTING_EJECT_BASE_MS: env.int(5_000, 10),
  ROUTING_EJECT_MAX_MS: env.int(120_000, 10),
  /** A failed attempt counts as this much slower than it took. */
  ROUTING_FAILURE_PENALTY_MS: env.int(1_000, 0),
  /** Nodes scoring within this many ms (or 10 %) of the best are chosen by power of two choices. */
  ROUTING_TOLERANCE_MS: env.int(5, 0),
  /** Retries and hedges may add this fraction of requests, plus ROUTING_RETRY_MIN_PER_SECOND. */
  ROUTING_RETRY_RATIO: env.number(0.2, 0, 10),
  ROUTING_RETRY_MIN_PER_SECOND: env.number(10, 0),
  /** Hedge a slow first attempt on the next-best node after that node's recent p95 TTFB. */
  ROUTING_HEDGE: env.bool(true),
  ROUTING_HEDGE_MIN_DELAY_MS: env.int(20, 0),
  ROUTING_HEDGE_MIN_SAMPLES: env.int(20, 1),
  /** Where complete clips are kept for signed URLs: memory, filesystem, redis or s3 (auto: redis when REDIS_URL is set). */
  AUDIO_STORE: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['auto', 'memory', 'filesystem', 'redis', 's3']).default('auto'),
  ),
  AUDIO_STORE_DIR: env.text('.data/audio'),
  AUDIO_STORE_MAX_BYTES: env.int(256 * 1024 * 1024, 0),
  /** With AUDIO_STORE=s3: the bucket (required), its region and an S3-compatible endpoint (MinIO, R2, GCS interop; unset: AWS). */
  S3_BUCKET: env.string(),
  S3_REGION: env.string(),
  S3_ENDPOINT: env.url(),
  /** Bucket in the path rather than the host name (MinIO and most self-hosted stores). */
  S3_FORCE_PATH_STYLE: env.bool(false),
  /** Object names are `<prefix><key>`; the bucket's lifecycle rule on this prefix expires them. */
  S3_PREFIX: env.text('audio/'),
  /** Static credentials; unset: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. */
  S3_ACCESS_KEY_ID: env.string(),
  S3_SECRET_ACCESS_KEY: env.string(),
  S3_SESSION_TOKEN: env.string(),
  AWS_REGION: env.string(),
  AWS_ACCESS_KEY_ID: env.string(),
  AWS_SECRET_ACCESS_KEY: env.string(),
  AWS_SESSION_TOKEN: env.string(),
  /** Per S3 attempt (two retries on 5xx, 429 and network errors). */
  S3_TIMEOUT_MS: env.int(2_000, 50),
  /** With the Redis or S3 store: hot clips also kept in this process, up to this many bytes. */
  AUDIO_STORE_MEMORY_BYTES: env.int(64 * 1024 * 1024, 0),
  AUDIO_STORE_TTL_SECONDS: env.int(7 * 86_400, 60),
  /** Clips larger than this are streamed but not stored. */
  AUDIO_STORE_MAX_ENTRY_BYTES: env.int(32 * 1024 * 1024, 1024),
  /** Sentences synthesised ahead of the one being streamed. */
  SPEECH_LOOKAHEAD_SEGMENTS: env.int(2, 0, 16),
  /** `id:secret[,id:secret]`: the first signs audio URLs, all verify (rotation). Random per process when unset. */
  AUDIO_URL_SIGNING_KEYS: env.string(),
  AUDIO_URL_TTL_SECONDS: env.int(86_400, 1),
  /** Origin put in front of audio URLs (the CDN); unset gives path-only URLs on this gateway. */
  AUDIO_PUBLIC_BASE_URL: env.url(),
  /** CloudFront trusted key group: also sign audio URLs with a canned policy the edge checks. */
  CLOUDFRONT_KEY_PAIR_ID: env.string(),
  CLOUDFRONT_PRIVATE_KEY: env.string(),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.url(),
  OTEL_SERVICE_NAME: env.text('speechgate-gateway'),
  SHUTDOWN_GRACE_MS: env.int(10_000, 0),
  ...jobsEnvSchema,
});

/** The S3 store's settings with their AWS_* fallbacks applied; what is missing is undefined. */
export function s3Settings(config: z.output<typeof gatewayFields>) {
  const sessionToken = config.S3_SESSION_TOKEN ?? config.AWS_SESSION_TOKEN;
  return {
    bucket: config.S3_BUCKET,
    region: config.S3_REGION ?? config.AWS_REGION ?? 'us-east-1',
    accessKeyId: config.S3_ACCESS_KEY_ID ?? config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY ?? config.AWS_SECRET_ACCESS_KEY,
    ...(sessionToken ? { sessionToken } : {}),
  };
}

/** Every setting of the gateway, read once from the environment by `gateway/main.ts`. */
export const gatewayEnvSchema = gatewayFields.superRefine((config, ctx) => {
  if (config.AUDIO_STORE !== 's3') return;
  const s3 = s3Settings(config);
  if (!s3.bucket)
    ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'AUDIO_STORE=s3 needs S3_BUCKET' });
  if (!s3.accessKeyId || !s3.secretAccessKey) {
    ctx.addIssue({
      code: 'custom',
      path: ['S3_ACCESS_KEY_ID'],
      message:
        'AUDIO_STORE=s3 needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    });
  }
});

export type GatewayConfig = z.output<typeof gatewayEnvSchema>;

export function loadGatewayConfig(source: Record<string, string | undefined>): GatewayConfig {
  return parseConfig(gatewayEnvSchema, source);
}
