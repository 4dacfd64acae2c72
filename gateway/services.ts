import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import type { Logger } from '../shared/logger.ts';
import type { AudioStore } from './audio-store/audio-store.ts';
import { createAudioStore } from './audio-store/create-audio-store.ts';
import { observeAudioStore } from './audio-store/observed-audio-store.ts';
import { type AudioUrlSigner, createAudioUrlSigner, parseSigningKeys } from './audio-urls/url-signer.ts';
import { ensureDevKey } from './auth/dev-key.ts';
import { createKeySource, type KeySource } from './auth/key-source.ts';
import type { GatewayConfig } from './config.ts';
import { createJobServices, type JobServices } from './jobs/create-job-services.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { createTenantLimiter, type TenantLimiter } from './ratelimit/tenant-limiter.ts';
import { startProber } from './regions/prober.ts';
import { createRegionMetrics } from './regions/region-metrics.ts';
import { loadRegionsConfig } from './regions/regions-config.ts';
import { createRegionRouter, type RegionRouter } from './regions/router.ts';
import type { ClipServices } from './speech/synthesize-clip.ts';
import { createNodeClient } from './upstream/node-client.ts';
import { createVoiceResolver, type VoiceResolver } from './voice-map.ts';

export interface GatewayServices {
  logger: Logger;
  metrics: GatewayMetrics;
  keySource: KeySource;
  limiter: TenantLimiter;
  router: RegionRouter;
  audioStore: AudioStore;
  urlSigner: AudioUrlSigner;
  /** What the speech pipeline needs, in one object. */
  clip: ClipServices;
  resolveVoice: VoiceResolver;
  requestTimeoutMs: number;
  /** False while draining: `/readyz` answers 503 so the load balancer stops sending work. */
  lifecycle: { accepting: boolean };
  /** Asynchronous jobs (gateway/jobs); absent without REDIS_URL, and `/v1/jobs` answers 503. */
  jobs?: JobServices;
  close(): Promise<void>;
}

/** Builds the gateway's services once, from its parsed config. */
export async function createGatewayServices(config: GatewayConfig, logger: Logger): Promise<GatewayServices> {
  const metrics = createGatewayMetrics();
  const keySource = createKeySource({
    ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
    ...(config.AUTH_PUBLIC_KEYS ? { publicKeys: config.AUTH_PUBLIC_KEYS } : {}),
    ...(!config.AUTH_JWKS_URL && !config.AUTH_PUBLIC_KEYS && config.AUTH_DEV_KEY_FILE
      ? { devKey: await ensureDevKey(config.AUTH_DEV_KEY_FILE) }
      : {}),
    logger,
    registry: metrics.registry,
  });
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        // A limiter that queues commands while Redis is down would hang requests; fail fast and
        // let the insurance limiter answer instead.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
      }).on('error', (err) => logger.debug({ err }, 'redis connection error'))
    : undefined;
  const limiter = createTenantLimiter({
    ...(redis ? { redis } : {}),
    limits: {
      requests_per_minute: config.RATE_LIMIT_REQUESTS_PER_MINUTE,
      characters_per_minute: config.RATE_LIMIT_CHARACTERS_PER_MINUTE,
      concurrent_requests: config.RATE_LIMIT_CONCURRENT_REQUESTS,
    },
    overrides: config.RATE_LIMIT_OVERRIDES ?? {},
    logger,
    registry: metrics.registry,
  });
  const signer = createInternalTokenSigner(config.INTERNAL_AUTH_SECRET);
  const regionMetrics = createRegionMetrics(metrics.registry);
  const outlier = {
    consecutiveFailures: config.ROUTING_EJECT_AFTER_FAILURES,
    baseEjectionMs: config.ROUTING_EJECT_BASE_MS,
    maxEjectionMs: config.ROUTING_EJECT_MAX_MS,
    failurePenaltyMs: config.ROUTING_FAILURE_PENALTY_MS,
    forgiveAfterMs: 60_000,
  };
  const router = createRegionRouter({
    regions: await loadRegionsConfig(config),
    createClient: (url) =>
      createNodeClient({
        url,
        signer,
        connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
        headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
        bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
        connections: config.UPSTREAM_CONNECTIONS,
      }),
    outlier,
    toleranceMs: config.ROUTING_TOLERANCE_MS,
    retryBudget: { ratio: config.ROUTING_RETRY_RATIO, minPerSecond: config.ROUTING_RETRY_MIN_PER_SECOND },
    maxAttempts: config.ROUTING_MAX_ATTEMPTS,
    attemptTimeoutMs: config.ROUTING_ATTEMPT_TIMEOUT_MS,
    hedging: {
      enabled: config.ROUTING_HEDGE,
      minDelayMs: config.ROUTING_HEDGE_MIN_DELAY_MS,
      minSamples: config.ROUTING_HEDGE_MIN_SAMPLES,
    },
    logger,
    metrics: regionMetrics,
  });
  const prober = startProber(router, {
    intervalMs: config.ROUTING_PROBE_INTERVAL_MS,
    timeoutMs: config.ROUTING_PROBE_TIMEOUT_MS,
    failurePenaltyMs: config.ROUTING_FAILURE_PENALTY_MS,
    metrics: regionMetrics,
  });
  await prober.first;
  const audioStore = observeAudioStore(createAudioStore(config, redis), metrics.audioStoreErrors);
  logger.info({ store: audioStore.kind }, 'audio store');
  if (!config.AUDIO_URL_SIGNING_KEYS) {
    logger.warn(
      'AUDIO_URL_SIGNING_KEYS is not set: audio URLs are signed with a random key and die with this process',
    );
  }
  const urlSigner = createAudioUrlSigner({
    keys: config.AUDIO_URL_SIGNING_KEYS
      ? parseSigningKeys(config.AUDIO_URL_SIGNING_KEYS)
      : [{ id: 'ephemeral', secret: randomBytes(32).toString('base64url') }],
    ttlSeconds: config.AUDIO_URL_TTL_SECONDS,
    ...(config.AUDIO_PUBLIC_BASE_URL ? { baseUrl: config.AUDIO_PUBLIC_BASE_URL } : {}),
    ...(config.CLOUDFRONT_KEY_PAIR_ID && config.CLOUDFRONT_PRIVATE_KEY
      ? {
          cloudfront: {
            keyPairId: config.CLOUDFRONT_KEY_PAIR_ID,
            privateKeyPem: config.CLOUDFRONT_PRIVATE_KEY,
          },
        }
      : {}),
  });
  // Jobs: their own Redis connections and, unless JOBS_WORKER=false, a worker main.ts starts.
  const jobs = config.REDIS_URL
    ? await createJobServices(config, {
        router,
        limiter,
        audioStore,
        urlSigner,
        logger,
        registry: metrics.registry,
      })
    : undefined;
  return {
    ...(jobs ? { jobs } : {}),
    logger,
    audioStore,
    urlSigner,
    clip: {
      router,
      audioStore,
      logger,
      maxStoredBytes: config.AUDIO_STORE_MAX_ENTRY_BYTES,
      lookahead: config.SPEECH_LOOKAHEAD_SEGMENTS,
    },
    metrics,
    keySource,
    limiter,
    router,
    resolveVoice: createVoiceResolver({ map: config.VOICE_MAP, defaultVoice: config.DEFAULT_VOICE }),
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    lifecycle: { accepting: true },
    async close() {
      keySource.close();
      prober.stop();
      await router.close();
      await audioStore.close();
      await jobs?.close();
      redis?.disconnect();
    },
  };
}
