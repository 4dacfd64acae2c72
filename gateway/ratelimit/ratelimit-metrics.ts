import type { Counter, Registry } from 'prom-client';
import { registeredCounter as counter } from '../../shared/metrics.ts';

export interface RateLimitMetrics {
  /** Requests refused with 429, by the policy that refused them. */
  rejections: Counter<'policy'>;
  /** Limiter calls the shared store could not answer in time, served by the local limiter instead. */
  storeErrors: Counter<'policy'>;
}

/** The rate limit metrics on `registry`; calling it again for the same registry reuses them. */
export function createRateLimitMetrics(registry?: Registry): RateLimitMetrics {
  return {
    rejections: counter(registry, {
      name: 'gateway_ratelimit_rejections_total',
      help: 'Requests refused by a rate limit policy (requests, characters, concurrency).',
      labelNames: ['policy'] as const,
    }),
    storeErrors: counter(registry, {
      name: 'gateway_ratelimit_store_errors_total',
      help: 'Rate limiter calls that failed or timed out on Redis and fell back to per-instance limits.',
      labelNames: ['policy'] as const,
    }),
  };
}
