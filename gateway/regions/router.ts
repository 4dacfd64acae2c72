import { ApiError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { nodeHeaders, type SynthesizeRequest, type VoiceInfo } from '../../shared/node-contract.ts';
import {
  type NodeAudio,
  type NodeCallContext,
  type NodeClient,
  UpstreamError,
} from '../upstream/node-client.ts';
import { createEndpoint, type Endpoint, isEjected, scoreEndpoint } from './endpoint.ts';
import { createOutlierDetector, type OutlierOptions } from './outlier-detection.ts';
import { rankEndpoints } from './rank.ts';
import type { RegionMetrics } from './region-metrics.ts';
import type { RegionsConfig } from './regions-config.ts';
import { createRetryBudget } from './retry-budget.ts';

export interface RouterOptions {
  regions: RegionsConfig;
  createClient(url: string): NodeClient;
  outlier: OutlierOptions;
  /** Endpoints within this many ms of the best are equal for power-of-two-choices. */
  toleranceMs: number;
  retryBudget: { ratio: number; minPerSecond: number };
  /** Attempts per request at most, first one included. */
  maxAttempts: number;
  /** Longest wait for one attempt's response headers. */
  attemptTimeoutMs: number;
  hedging: { enabled: boolean; minDelayMs: number; minSamples: number };
  logger: Logger;
  metrics: RegionMetrics;
  now?: () => number;
}

export interface RouteContext extends Omit<NodeCallContext, 'deadlineMs' | 'attemptTimeoutMs'> {
  /** Epoch ms by which every attempt together must be done. */
  deadlineAt: number;
}

export interface RoutedAudio extends NodeAudio {
  region: string;
  node: string;
  attempts: number;
  /** Regions tried, in order (a hedge adds the region it went to). */
  tried: string[];
  hedged: boolean;
}

type Outcome = ({ ok: true; audio: NodeAudio } | { ok: false; error: unknown }) & {
  endpoint: Endpoint;
  controller: AbortController;
};

const retryable = new Set(['connect', 'timeout', 'reset', 'status_5xx', 'overloaded']);

/**
 * Routes each synthesis to the best-scoring node and fails over before the client notices:
 * a retryable failure before the response moves to the next-best node within a retry budget;
 * a slow first attempt is hedged once on the next-best node after that node's recent p95 TTFB,
 * and the loser is cancelled. The client's deadline bounds every attempt together.
 */
export function createRegionRouter(options: RouterOptions) {
  const now = options.now ?? Date.now;
  const { logger, metrics } = options;
  const endpoints = options.regions.regions.flatMap((region) =>
    region.nodes.map((url) => createEndpoint(region, url, options.createClient(url))),
  );
  const outliers = createOutlierDetector(options.outlier, logger, metrics);
  const budget = createRetryBudget(options.retryBudget);

  function hedgeDelay(endpoint: Endpoint): number | undefined {
    if (!options.hedging.enabled) return undefined;
    const window = endpoint.ttfb.count() >= options.hedging.minSamples ? endpoint.ttfb : undefined;
    const p95 = window?.percentile(95);
    return p95 === undefined ? undefined : Math.max(options.hedging.minDelayMs, p95);
  }

  function isRetryable(err: unknown): boolean {
    return err instanceof UpstreamError && retryable.has(err.reason);
  }

  async function attempt(
    endpoint: Endpoint,
    request: SynthesizeRequest,
    context: RouteContext,
    controller: AbortController,
  ): Promise<Outcome> {
    const { signal } = controller;
    const started = performance.now();
    const remaining = context.deadlineAt - now();
    endpoint.outstanding++;
    try {
      const audio = await endpoint.client.synthesize(request, {
        ...context,
        deadlineMs: remaining,
        attemptTimeoutMs: Math.max(1, Math.min(options.attemptTimeoutMs, remaining)),
        signal,
      });
      outliers.succeeded(endpoint, audio, {
        synthesisMs: Number(audio.headers[nodeHeaders.synthesisMs] ?? 0),
        queueMs: Number(audio.headers[nodeHeaders.queueMs] ?? 0),
      });
      return { ok: true, audio, endpoint, controller };
    } catch (error) {
      // A cancelled loser or a client that went away says nothing about the node.
      if (!signal.aborted && error instanceof UpstreamError && isRetryable(error)) {
        outliers.failed(endpoint, error.reason, performance.now() - started, error.message, now());
        if (error.reason === 'overloaded' && error.retryAfterSeconds !== undefined) {
          endpoint.nodeQueueWaitMs = Math.max(endpoint.nodeQueueWaitMs, error.retryAfterSeconds * 1000);
        }
      }
      return { ok: false, error, endpoint, controller };
    } finally {
      endpoint.outstanding--;
    }
  }

  async function synthesize(request: SynthesizeRequest, context: RouteContext): Promise<RoutedAudio> {
    budget.request();
    const ranking = rankEndpoints(endpoints, {
      failurePenaltyMs: options.outlier.failurePenaltyMs,
      toleranceMs: options.toleranceMs,
    });
    if (ranking.panic) metrics.panic.inc();
    const candidates = ranking.endpoints;
    if (candidates.length === 0) throw new ApiError('node_unavailable', 'no regions are configured');
    const first = candidates[0]!;
    const pending = new Map<AbortController, Promise<Outcome>>();
    let next = 0;
    let attempts = 0;
    const tried: string[] = [];
    let hedged = false;
    let lastError: unknown;

    const launch = (kind: 'first' | 'retry' | 'hedge') => {
      const endpoint = candidates[next++ % candidates.length]!;
      attempts++;
      tried.push(endpoint.region.name);
      if (kind === 'retry') metrics.retries.inc({ region: endpoint.region.name });
      if (kind === 'hedge') metrics.hedges.inc({ region: endpoint.region.name });
      const controller = new AbortController();
      const onClientAbort = () => controller.abort();
      context.signal?.addEventListener('abort', onClientAbort, { once: true });
      const run = attempt(endpoint, request, context, controller).finally(() =>
        context.signal?.removeEventListener('abort', onClientAbort),
      );
      pending.set(controller, run);
    };

    launch('first');
    let deadlineTimer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      deadlineTimer = setTimeout(() => resolve('deadline'), Math.max(0, context.deadlineAt - now()));
    });
    try {
      for (;;) {
        const delay =
          !hedged && pending.size === 1 && candidates.length > 1
            ? hedgeDelay(candidates[(next - 1) % candidates.length]!)
            : undefined;
        let timer: NodeJS.Timeout | undefined;
        const hedgeTimer =
          delay === undefined
            ? undefined
            : new Promise<'hedge'>((resolve) => {
                timer = setTimeout(() => resolve('hedge'), delay);
              });
        const settled = await Promise.race([
          ...pending.values(),
          deadline,
          ...(hedgeTimer ? [hedgeTimer] : []),
        ]);
        clearTimeout(timer);

        if (settled === 'deadline') {
          throw new ApiError(
            'deadline_exceeded',
            `no region answered within the request deadline (${attempts} attempts)`,
          );
        }
        if (settled === 'hedge') {
          hedged = true;
          if (now() < context.deadlineAt && budget.tryRetry()) launch('hedge');
          else metrics.retryBudgetExhausted.inc();
          continue;
        }
        pending.delete(settled.controller);
        if (settled.ok) {
          const endpoint = settled.endpoint;
          if (hedged && endpoint !== first) metrics.hedgeWins.inc({ region: endpoint.region.name });
          if (endpoint.region.name !== first.region.name) {
            metrics.failovers.inc({ from: first.region.name, to: endpoint.region.name });
          }
          metrics.served.inc({ region: endpoint.region.name });
          return {
            ...settled.audio,
            region: endpoint.region.name,
            node: endpoint.url,
            attempts,
            tried,
            hedged,
          };
        }
        lastError = settled.error;
        if (!isRetryable(lastError)) throw lastError;
        if (pending.size > 0) continue;
        if (attempts >= options.maxAttempts || now() >= context.deadlineAt || context.signal?.aborted) break;
        if (!budget.tryRetry()) {
          metrics.retryBudgetExhausted.inc();
          break;
        }
        launch('retry');
      }
      throw lastError;
    } finally {
      clearTimeout(deadlineTimer);
      for (const controller of pending.keys()) controller.abort();
    }
  }

  /** A small call on the best node that answers, trying the next on a retryable failure. */
  async function onBestNode<T>(
    call: (client: NodeClient, deadlineMs: number) => Promise<T>,
    deadlineAt: number,
  ): Promise<T> {
    let lastError: unknown = new ApiError('node_unavailable', 'no regions are configured');
    const ranked = rankEndpoints(endpoints, {
      failurePenaltyMs: options.outlier.failurePenaltyMs,
      toleranceMs: 0,
    });
    for (const endpoint of ranked.endpoints) {
      try {
        return await call(endpoint.client, Math.min(options.attemptTimeoutMs, deadlineAt - now()));
      } catch (err) {
        lastError = err;
        if (!isRetryable(err) || now() >= deadlineAt) throw err;
      }
    }
    throw lastError;
  }

  return {
    endpoints,
    synthesize,
    outliers,
    /** The catalogue from the best node that answers. */
    voices(context: Omit<RouteContext, 'tenant'>): Promise<VoiceInfo[]> {
      return onBestNode(
        (client, deadlineMs) => client.voices({ ...context, deadlineMs }),
        context.deadlineAt,
      );
    },
    /** Which segments the best node's result cache holds. */
    lookupCache(
      requests: SynthesizeRequest[],
      context: Omit<RouteContext, 'tenant'>,
    ): Promise<('hit' | 'miss')[]> {
      return onBestNode(
        (client, deadlineMs) => client.lookupCache(requests, { ...context, deadlineMs }),
        context.deadlineAt,
      );
    },
    /** True when at least one node is admitted and ready in an undrained region. */
    ready(): boolean {
      return endpoints.some((e) => !e.region.drain && e.ready && !isEjected(e));
    },
    /** The live routing table, as `GET /v1/regions` shows it. */
    table() {
      const t = now();
      return options.regions.regions.map((region) => ({
        name: region.name,
        weight: region.weight,
        drain: region.drain,
        nodes: endpoints
          .filter((e) => e.region === region)
          .map((e) => {
            const score = scoreEndpoint(e, options.outlier.failurePenaltyMs);
            return {
              url: e.url,
              state: isEjected(e)
                ? t >= e.ejectedUntil
                  ? 'half_open'
                  : 'ejected'
                : e.ready
                  ? 'admitted'
                  : 'not_ready',
              latency_ms: round(score.latencyMs),
              queue_wait_ms: round(score.queueMs),
              penalty_ms: round(score.penaltyMs),
              score_ms: round(score.scoreMs),
              ttfb_p95_ms: round(e.ttfb.percentile(95) ?? Number.NaN),
              outstanding: e.outstanding,
              consecutive_failures: e.consecutiveFailures,
              ejections: e.ejections,
              ejected_until: e.ejectedUntil > 0 ? new Date(e.ejectedUntil).toISOString() : null,
              last_probe_at: e.lastProbeAt > 0 ? new Date(e.lastProbeAt).toISOString() : null,
              last_error: e.lastError ?? null,
            };
          }),
      }));
    },
    async close() {
      await Promise.all(endpoints.map((e) => e.client.close()));
    },
  };
}

export type RegionRouter = ReturnType<typeof createRegionRouter>;

function round(n: number): number | null {
  return Number.isFinite(n) ? Math.round(n * 10) / 10 : null;
}
