import type { MiddlewareHandler } from 'hono';
import {
  type CryptoKey,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
  type KeyObject,
} from 'jose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ApiError } from '../../shared/errors.ts';
import type { AuthContext, AuthEnv } from './auth-context.ts';
import { createAuthMetrics } from './auth-metrics.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';
import { classifyVerifyError } from './verify-failure.ts';
import { bearerChallenge } from './www-authenticate.ts';

/** Asymmetric JWS algorithms a client token may use; HMAC and `none` are never accepted. */
const asymmetricAlgorithms = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

export interface JwtAuthOptions {
  /** Public key or resolver, e.g. `createKeySource(…).key`. Secrets (HMAC keys) are not accepted. */
  key: JWTVerifyGetKey | CryptoKey | KeyObject;
  /** Required `iss`. */
  issuer: string;
  /** Required `aud` (the token's `aud` must contain it). */
  audience: string;
  /** Allowed `alg` values. Default `['RS256', 'ES256', 'EdDSA']`; only asymmetric algorithms. */
  algorithms?: readonly string[];
  /** Leeway for `exp` and `nbf`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Claim holding the tenant id. Default `sub`. */
  tenantClaim?: string;
  /** Realm in `WWW-Authenticate`. Default `speechgate`. */
  realm?: string;
  /** Refusals are logged at debug level, with the reason only: never the token or the header. */
  logger?: Logger;
  /** Where `gateway_auth_failures_total` and `gateway_auth_token_cache_total` are registered. */
  registry?: Registry;
  /**
   * How long a verified token is reused without checking its signature again, in seconds
   * (never past its `exp`). Default 60; 0 verifies every request. See `VerifiedTokenCache`.
   */
  tokenCacheSeconds?: number;
  /** Tokens the cache holds. Default 10 000. */
  tokenCacheEntries?: number;
  /** Clock in ms since the epoch, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Verifies the bearer JWT of every request and sets `c.get('auth')` (`{ tenant, subject,
 * scopes }`). `exp`, `iss` and `aud` are required. Every refusal is a 401 `unauthorized`
 * problem with a `WWW-Authenticate: Bearer` challenge, whatever jose throws.
 *
 * @example
 * const app = new Hono<AuthEnv>();
 * app.use('/v1/*', jwtAuth({ key: keySource.key, issuer: 'speechgate-dev', audience: 'speechgate' }));
 * app.post('/v1/audio/speech', requireScope('tts:speak'), (c) => c.json({ tenant: c.get('auth').tenant }));
 */
export function jwtAuth(options: JwtAuthOptions): MiddlewareHandler<AuthEnv> {
  const verifyOptions = buildVerifyOptions(options);
  const tenantClaim = nonEmpty(options.tenantClaim ?? 'sub', 'tenantClaim');
  const realm = nonEmpty(options.realm ?? 'speechgate', 'realm');
  const metrics = createAuthMetrics(options.registry);
  const { key, logger } = options;
  const noCredentials = bearerChallenge(realm);
  const now = options.now ?? Date.now;
  const cache = new VerifiedTokenCache({
    maxEntries: options.tokenCacheEntries ?? 10_000,
    maxAgeMs: (options.tokenCacheSeconds ?? 60) * 1000,
    now,
  });
  const toleranceMs = (verifyOptions.clockTolerance as number) * 1000;

  function refuse(reason: string, description: string, cause?: unknown): never {
    metrics.failures.inc({ reason });
    logger?.debug({ reason }, 'authentication refused');
    const challenge = reason === 'missing' ? noCredentials : invalidToken(realm, description);
    throw new ApiError('unauthorized', description, { headers: { 'www-authenticate': challenge }, cause });
  }

  return async function jwtAuth(c, next) {
    const header = c.req.header('authorization');
    // RFC 6750 §3.1: no credentials, or another scheme, gets a challenge without an error code.
    if (!header || !/^bearer(?:\s|$)/i.test(header)) refuse('missing', 'a bearer token is required');
    const token = /^bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(header)?.[1];
    if (!token) refuse('malformed', 'malformed bearer token');

    const cached = cache.get(token);
    if (cached) {
      metrics.tokenCache.inc({ result: 'hit' });
      c.set('auth', cached);
      await next();
      return;
    }
    metrics.tokenCache.inc({ result: 'miss' });
    let payload: JWTPayload;
    try {
      payload = await verify(token, key, { ...verifyOptions, currentDate: new Date(now()) });
    } catch (err) {
      const failure = classifyVerifyError(err);
      refuse(failure.reason, failure.description, err);
    }
    const tenant = payload[tenantClaim];
    if (typeof tenant !== 'string' || tenant === '') refuse('claims', `token has no ${tenantClaim} claim`);
    const auth: AuthContext = Object.freeze({
      tenant,
      subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : tenant,
      scopes: Object.freeze(readScopes(payload)),
    });
    // jwtVerify accepts a token until exp + clock tolerance; `exp` is required, so it is a number.
    cache.set(token, auth, (payload.exp as number) * 1000 + toleranceMs);
    c.set('auth', auth);
    await next();
  };
}

/** Verifies with jose; when several keys match (PEM keys without kid), tries each in turn. */
async function verify(
  token: string,
  key: JwtAuthOptions['key'],
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    const result =
      typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
    return result.payload;
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    for await (const candidate of err) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function buildVerifyOptions(options: JwtAuthOptions): JWTVerifyOptions {
  if (!options?.key) throw new TypeError('jwtAuth needs a key');
  const keyType = typeof options.key === 'object' ? (options.key as { type?: unknown }).type : undefined;
  if (options.key instanceof Uint8Array || keyType === 'secret') {
    throw new TypeError('jwtAuth accepts public keys only, not secrets');
  }
  const algorithms = [...(options.algorithms ?? ['RS256', 'ES256', 'EdDSA'])];
  if (algorithms.length === 0) throw new TypeError('jwtAuth needs at least one algorithm');
  for (const alg of algorithms) {
    if (!asymmetricAlgorithms.has(alg)) throw new TypeError(`jwtAuth does not allow the ${alg} algorithm`);
  }
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  if (!Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 600) {
    throw new TypeError('clockToleranceSeconds must be an integer from 0 to 600');
  }
  return {
    issuer: nonEmpty(options.issuer, 'issuer'),
    audience: nonEmpty(options.audience, 'audience'),
    algorithms,
    clockTolerance,
    requiredClaims: ['exp', 'iss', 'aud'],
  };
}

function readScopes(payload: JWTPayload): string[] {
  const scopes = new Set<string>();
  if (typeof payload.scope === 'string') for (const s of payload.scope.split(/\s+/)) if (s) scopes.add(s);
  const scp = payload.scp;
  if (Array.isArray(scp)) for (const s of scp) if (typeof s === 'string' && s) scopes.add(s);
  return [...scopes];
}

function invalidToken(realm: string, description: string): string {
  return bearerChallenge(realm, { error: 'invalid_token', error_description: description });
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`jwtAuth needs a non-empty ${name}`);
  return value;
}
