import { Redis } from 'ioredis';
import { createInternalTokenVerifier, type InternalTokenVerifier } from '../shared/internal-auth.ts';
import type { Logger } from '../shared/logger.ts';
import { createGuardedCache, type GuardedCache } from './cache/guarded-cache.ts';
import { createMemoryResultCache } from './cache/memory-result-cache.ts';
import { createRedisResultCache } from './cache/redis-result-cache.ts';
import { createSingleFlight, type SingleFlight } from './cache/single-flight.ts';
import type { NodeConfig } from './config.ts';
import { createEngine, type Engine } from './engine/create-engine.ts';
import { createEncoderPool, type EncoderPool } from './engine/encode-pool.ts';
import { type ProviderReport, providerReport } from './engine/execution-provider.ts';
import { createNodeMetrics, type NodeMetrics } from './metrics.ts';
import { createFairClock } from './scheduler/fair-clock.ts';
import { createSynthesisQueue, type SynthesisQueue } from './scheduler/synthesis-queue.ts';

export interface NodeServices {
  region: string;
  engine: Engine;
  cache: GuardedCache;
  /** Identical concurrent syntheses run once, in this process and across nodes sharing Redis. */
  singleFlight: SingleFlight;
  queue: SynthesisQueue;
  /** Encodes audio, long audio in worker threads. */
  encoder: EncoderPool;
  metrics: NodeMetrics;
  logger: Logger;
  verifyInternalToken: InternalTokenVerifier;
  /** Provider settings as asked for, and which of them the ONNX Runtime binding applied. */
  provider: ProviderReport;
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
    enableCpuMemArena: config.ORT_CPU_MEM_ARENA,
    trtFp16: config.ORT_TRT_FP16,
    trtEngineCachePath: config.ORT_TRT_ENGINE_CACHE_PATH,
    intraOpThreads: config.ORT_INTRA_OP_THREADS,
    interOpThreads: config.ORT_INTER_OP_THREADS,
    allowSpinning: config.ORT_ALLOW_SPINNING,
  };
  // One fair clock for admission, the phonemizer and the batcher, so a tag orders a request everywhere.
  const clock = createFairClock({ weights: config.TENANT_WEIGHTS ?? {} });
  const engine = await createEngine({
    voicesDir: config.VOICES_DIR,
    includeBuiltin: config.BUILTIN_VOICE,
    espeakBin: config.ESPEAK_BIN,
    provider: config.ORT_EP,
    providerOptions,
    sessionWorkers: config.ORT_SESSION_WORKERS,
    placementProbe: config.ORT_PLACEMENT_PROBE,
    batch: {
      maxSize: config.BATCH_MAX_SIZE,
      maxDelayMs: config.BATCH_MAX_DELAY_MS,
      maxPadding: config.BATCH_MAX_PADDING,
      padMultiple: config.BATCH_PAD_MULTIPLE,
      maxTokens: config.BATCH_MAX_TOKENS,
      minSpeedup: config.BATCH_MIN_SPEEDUP,
    },
    phonemizerOptions: {
      mode: config.ESPEAK_MODE,
      processes: config.ESPEAK_PROCESSES,
      chunkChars: config.PHONEME_CHUNK_CHARS,
      cacheEntries: config.PHONEME_CACHE_ENTRIES,
    },
    reserveForOthers: config.SCHED_RESERVE_FOR_OTHERS,
    clock,
    logger,
    metrics,
  });
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, {
        // Fail fast instead of queueing commands while Redis is away: the cache is optional.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 500,
        lazyConnect: false,
      }).on('error', (err) => logger.debug({ err }, 'redis connection error'))
    : undefined;
  const store = redis
    ? createRedisResultCache(redis)
    : createMemoryResultCache({ maxBytes: config.CACHE_MEMORY_MAX_BYTES });
  const singleFlight = createSingleFlight({
    redis,
    lockTtlMs: config.SINGLE_FLIGHT_LOCK_TTL_MS,
    waitMs: config.SINGLE_FLIGHT_WAIT_MS,
    pollMs: 20,
    logger,
    onRole: (role) => metrics.singleFlight.inc({ role }),
  });
  const cache = createGuardedCache(store, {
    ttlSeconds: config.CACHE_TTL_SECONDS,
    maxEntryBytes: config.CACHE_MAX_ENTRY_BYTES,
    logger,
    metrics,
  });
  const queue = createSynthesisQueue({
    concurrency: config.SYNTH_CONCURRENCY,
    maxQueue: config.SYNTH_MAX_QUEUE,
    clock,
    // Until real traffic is measured, assume the start-up calibration's single-request speed.
    initialRate: engine.calibratedRate,
    metrics,
  });
  const encoder = createEncoderPool({ workers: config.ENCODE_WORKERS });
  return {
    region: config.REGION,
    engine,
    cache,
    singleFlight,
    queue,
    encoder,
    metrics,
    logger,
    verifyInternalToken: createInternalTokenVerifier(config.INTERNAL_AUTH_SECRET),
    provider: providerReport({ ...providerOptions, provider: config.ORT_EP }),
    lifecycle: { accepting: true },
    async close() {
      await cache.close();
      await encoder.close();
      await engine.close();
    },
  };
}
