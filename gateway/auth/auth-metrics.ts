import type { Counter, Registry } from 'prom-client';
import { registeredCounter as counter } from '../../shared/metrics.ts';

export interface AuthMetrics {
  /** Rejected requests by reason (`missing`, `expired`, `signature`, `insufficient_scope`, …). */
  failures: Counter<'reason'>;
  /** Failed JWKS fetches; verification goes on with the last key set that was fetched. */
  jwksRefreshFailures: Counter;
  /** Bearer tokens answered from the verified-token cache (`hit`) or checked by signature (`miss`). */
  tokenCache: Counter<'result'>;
}

/**
 * The authentication metrics on `registry`. Safe to call more than once per registry (the
 * middleware and the key source each ask for them): an existing metric is reused.
 */
export function createAuthMetrics(registry?: Registry): AuthMetrics {
  return {
    failures: counter(registry, {
      name: 'gateway_auth_failures_total',
      help: 'Requests rejected by authentication or authorization, by reason.',
      labelNames: ['reason'] as const,
    }),
    jwksRefreshFailures: counter(registry, {
      name: 'gateway_jwks_refresh_failures_total',
      help: 'JWKS fetches that failed; the last good key set stays in use.',
    }),
    tokenCache: counter(registry, {
      name: 'gateway_auth_token_cache_total',
      help: 'Bearer tokens found in the verified-token cache (hit) or verified by signature (miss).',
      labelNames: ['result'] as const,
    }),
  };
}
