import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { AuthMetrics } from './auth-metrics.ts';

export interface RemoteKeySetOptions {
  url: URL;
  refreshIntervalMs: number;
  refreshCooldownMs: number;
  fetchTimeoutMs: number;
  metrics: AuthMetrics;
  logger: Logger | undefined;
}

export interface RemoteKeySet {
  key: JWTVerifyGetKey;
  refresh(): Promise<boolean>;
  close(): void;
}

/**
 * A JWKS fetched from `url` and refreshed in the background. jose's own reloads are turned off
 * (infinite cache age and cooldown) so that every fetch goes through `refresh()`, which keeps the
 * last good set when a fetch fails and counts and logs the failure. A token whose kid is not in
 * the set triggers one refresh per cooldown, which is how key rotation is picked up between
 * background refreshes without letting random kids hammer the endpoint.
 */
export function createRemoteKeySet(options: RemoteKeySetOptions): RemoteKeySet {
  const remote = createRemoteJWKSet(options.url, {
    cacheMaxAge: Number.POSITIVE_INFINITY,
    cooldownDuration: Number.POSITIVE_INFINITY,
    timeoutDuration: options.fetchTimeoutMs,
  });
  let loaded = false;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let pending: Promise<boolean> | undefined;

  function refresh(): Promise<boolean> {
    pending ??= remote
      .reload()
      .then(
        () => {
          loaded = true;
          return true;
        },
        (err: unknown) => {
          options.metrics.jwksRefreshFailures.inc();
          options.logger?.warn(
            { err, jwksUrl: options.url.href, keptLastGoodSet: loaded },
            'JWKS refresh failed; verifying with the last good key set',
          );
          return false;
        },
      )
      .finally(() => {
        lastAttempt = Date.now();
        pending = undefined;
      });
    return pending;
  }

  const timer = setInterval(refresh, options.refreshIntervalMs);
  timer.unref();
  void refresh();

  async function resolveRemoteKey(...args: Parameters<JWTVerifyGetKey>) {
    if (!loaded) await refresh();
    if (!loaded) throw new errors.JWKSNoMatchingKey('no JSON Web Key Set has been fetched yet');
    try {
      return await remote(...args);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || Date.now() - lastAttempt < options.refreshCooldownMs)
        throw err;
      await refresh();
      return remote(...args);
    }
  }

  return {
    key: resolveRemoteKey,
    refresh,
    close() {
      clearInterval(timer);
    },
  };
}
