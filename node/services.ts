import { Redis } from 'ioredis';
import { createInternalTokenVerifier, type InternalTokenVerifier } from '../shared/internal-auth.ts';
import type { Logger } from '../shared/logger.ts';
import { createGuardedCache, type GuardedCache } from './cache/guarded-cache.ts';
import { createMemoryResultCache } from './cache/memory-result-cache.ts';
import { createRedisResultCache } from './cache/redis-result-cache.ts';
import type { NodeConfig } from './config.ts';
import { createEngine, type Engine } from './engine/create-engine.ts';
import { appliedCudaOptions } from './engine/execution-provider.ts';
import { createNodeMetrics, type NodeMetrics } from './metrics.ts';
import { createSynthesisQueue, type SynthesisQueue } from './scheduler/synthesis-queue.ts';

export interface NodeServices {
  region: string;
  engine: Engine;
  cache: GuardedCache;
  queue: SynthesisQueue;
  metrics: NodeMetrics;
  logger: Logger;
  verifyInternalToken: InternalTokenVerifier;
  /** Provider settings as asked for, and which of them the ONNX Runtime binding applied. */
  provider: { requested: string; options: Record<string, unknown>; applied: readonly string[] };
  /** False while draining: `/readyz` answers 503 so routers stop sending work. */
  lifecycle: { accepting: boolean };
  close(): Promise<void>;
}

/** Builds the node's services once: loads and warms every voice, connects the cache. */
export async function createNodeServices(config: NodeConfig, logger: Logger): Promise<NodeServices> {
  const metrics = createNodeMetrics();
  const providerOptions = {
    allowCpuFallback: config.ORT_ALLOW_CPU_FALLBACK,
    deviceId: config.ORT_DEVICE_ID,
    cudnnConvAlgoSearch: config.ORT_CUDNN_CONV_ALGO_SEARCH,
    gpuMemLimitBytes: config.ORT_GPU_MEM_LIMIT_BYTES,
    arenaExtendStrategy: config.ORT_ARENA_EXTEND_STRATEGY,
    intraOpThreads: config.ORT_INTRA_OP_THREADS,
    interOpThreads: config.ORT_INTER_OP_THREADS,
  };
  const engine = await createEngine({
    voicesDir: config.VOICES_DIR,
    includeBuiltin: config.BUILTIN_VOICE,
    espeakBin: config.ESPEAK_BIN,
    provider: config.ORT_EP,
    providerOptions,
    logger,
    metrics,
  });
  const store = config.REDIS_URL
    ? createRedisResultCache(
        new Redis(config.REDIS_URL, {
          // Fail fast instead of queueing commands while Redis is away: the cache is optional.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: 500,
          lazyConnect: false,
        }).on('error', (err) => logger.debug({ err }, 'redis connection error')),
      )
    : createMemoryResultCache({ maxBytes: config.CACHE_MEMORY_MAX_BYTES });
  const cache = createGuardedCache(store, {
    ttlSeconds: config.CACHE_TTL_SECONDS,
    maxEntryBytes: config.CACHE_MAX_ENTRY_BYTES,
    logger,
    metrics,
  });
  const queue = createSynthesisQueue({
    concurrency: config.SYNTH_CONCURRENCY,
    maxQueue: config.SYNTH_MAX_QUEUE,
    metrics,
  });
  return {
    region: config.REGION,
    engine,
    cache,
    queue,
    metrics,
    logger,
    verifyInternalToken: createInternalTokenVerifier(config.INTERNAL_AUTH_SECRET),
    provider: {
      requested: config.ORT_EP,
      options: config.ORT_EP === 'cuda' ? providerOptions : {},
      applied: config.ORT_EP === 'cuda' ? appliedCudaOptions : [],
    },
    lifecycle: { accepting: true },
    async close() {
      await cache.close();
      await engine.close();
    },
  };
}
