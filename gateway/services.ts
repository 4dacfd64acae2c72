import { Redis } from 'ioredis';
import { createInternalTokenSigner } from '../shared/internal-auth.ts';
import type { Logger } from '../shared/logger.ts';
import { ensureDevKey } from './auth/dev-key.ts';
import { createKeySource, type KeySource } from './auth/key-source.ts';
import type { GatewayConfig } from './config.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { createTenantLimiter, type TenantLimiter } from './ratelimit/tenant-limiter.ts';
import { createNodeClient, type NodeClient } from './upstream/node-client.ts';
import { createVoiceResolver, type VoiceResolver } from './voice-map.ts';

export interface GatewayServices {
  logger: Logger;
  metrics: GatewayMetrics;
  keySource: KeySource;
  limiter: TenantLimiter;
  node: NodeClient;
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
  const node = createNodeClient({
    url: config.NODE_URL,
    signer: createInternalTokenSigner(config.INTERNAL_AUTH_SECRET),
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
    connections: config.UPSTREAM_CONNECTIONS,
  });
  return {
    logger,
    metrics,
    keySource,
    limiter,
    node,
    resolveVoice: createVoiceResolver({ map: config.VOICE_MAP, defaultVoice: config.DEFAULT_VOICE }),
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    lifecycle: { accepting: true },
    async close() {
      keySource.close();
      await node.close();
      redis?.disconnect();
    },
  };
}
