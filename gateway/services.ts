import { Redis } from 'ioredis';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import type { Logger } from '../shared/logger.ts';
import { ensureDevKey } from './auth/dev-key.ts';
import { createKeySource, type KeySource } from './auth/key-source.ts';
import type { GatewayConfig } from './config.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { createTenantLimiter, type TenantLimiter } from './ratelimit/tenant-limiter.ts';
import { startProber } from './regions/prober.ts';
import { createRegionMetrics } from './regions/region-metrics.ts';
import { loadRegionsConfig } from './regions/regions-config.ts';
import { createRegionRouter, type RegionRouter } from './regions/router.ts';
import { createNodeClient } from './upstream/node-client.ts';
import { createVoiceResolver, type VoiceResolver } from './voice-map.ts';

export interface GatewayServices {
  logger: Logger;
  metrics: GatewayMetrics;
  keySource: KeySource;
  limiter: TenantLimiter;
  router: RegionRouter;
  resolveVoice: VoiceResolver;
  requestTimeoutMs: number;
  /** False while draining: `/readyz` answers 503 so the load balancer stops sending work. */
  lifecycle: { accepting: boolean };
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
  return {
    logger,
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
      redis?.disconnect();
    },
  };
}
