import type { JWK, JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAuthMetrics } from './auth-metrics.ts';
import { publicJwkResolver, publicKeysResolver } from './public-keys.ts';
import { createRemoteKeySet } from './remote-key-set.ts';

export interface KeySourceOptions {
  /** Remote JWKS (`AUTH_JWKS_URL`), fetched now and refreshed in the background. */
  jwksUrl?: string | URL;
  /** Local keys (`AUTH_PUBLIC_KEYS`): a JWKS JSON document, or one or more PEM SPKI blocks. */
  publicKeys?: string;
  /** The embedded dev key (from `ensureDevKey`); only its public half is used. */
  devKey?: { publicJwk: JWK };
  /** Background JWKS refresh period. Default 300 000 ms. */
  refreshIntervalMs?: number;
  /** Least time between refreshes caused by tokens with an unknown kid. Default 30 000 ms. */
  refreshCooldownMs?: number;
  /** Timeout of one JWKS fetch. Default 5 000 ms. */
  fetchTimeoutMs?: number;
  logger?: Logger;
  /** Where `gateway_jwks_refresh_failures_total` is registered. */
  registry?: Registry;
}

export interface KeySource {
  kind: 'jwks-url' | 'public-keys' | 'dev-key';
  /** The verification key resolver to hand to `jwtAuth({ key })`. */
  key: JWTVerifyGetKey;
  /** Fetches the JWKS again now (never rejects; false when the fetch failed). Local keys: true. */
  refresh(): Promise<boolean>;
  /** Stops the background refresh. */
  close(): void;
}

/**
 * The keys client tokens are verified against, from exactly one of a JWKS URL, local public keys
 * or the dev key. With a JWKS URL a failed fetch never fails a request by itself: the last good
 * key set stays in use, the failure is counted and logged, and a token is refused (401) only
 * when no known key matches it.
 *
 * @example
 * const source = config.AUTH_JWKS_URL || config.AUTH_PUBLIC_KEYS
 *   ? createKeySource({ jwksUrl: config.AUTH_JWKS_URL, publicKeys: config.AUTH_PUBLIC_KEYS, logger, registry })
 *   : createKeySource({ devKey: await ensureDevKey(config.AUTH_DEV_KEY_FILE ?? 'data/dev-key.json') });
 * app.use('/v1/*', jwtAuth({ key: source.key, issuer: 'speechgate-dev', audience: 'speechgate' }));
 */
export function createKeySource(options: KeySourceOptions): KeySource {
  const given = [options.jwksUrl, options.publicKeys, options.devKey].filter(
    (v) => v !== undefined && v !== '',
  );
  if (given.length !== 1) {
    throw new TypeError('createKeySource needs exactly one of jwksUrl, publicKeys or devKey');
  }
  if (options.jwksUrl) {
    const url = new URL(options.jwksUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError('jwksUrl must be an http(s) URL');
    const remote = createRemoteKeySet({
      url,
      refreshIntervalMs: positive(options.refreshIntervalMs, 300_000, 'refreshIntervalMs'),
      refreshCooldownMs: positive(options.refreshCooldownMs, 30_000, 'refreshCooldownMs'),
      fetchTimeoutMs: positive(options.fetchTimeoutMs, 5_000, 'fetchTimeoutMs'),
      metrics: createAuthMetrics(options.registry),
      logger: options.logger,
    });
    return { kind: 'jwks-url', ...remote };
  }
  const key = options.publicKeys
    ? publicKeysResolver(options.publicKeys)
    : publicJwkResolver(options.devKey!.publicJwk);
  return {
    kind: options.publicKeys ? 'public-keys' : 'dev-key',
    key,
    refresh: async () => true,
    close() {},
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer`);
  return value;
}
