import type { MiddlewareHandler } from 'hono';
import type { Registry } from 'prom-client';
import { ApiError } from '../../shared/errors.ts';
import type { AuthEnv } from './auth-context.ts';
import { createAuthMetrics } from './auth-metrics.ts';
import { bearerChallenge } from './www-authenticate.ts';

export interface RequireScopeOptions {
  /** Realm in `WWW-Authenticate`. Default `speechgate`. */
  realm?: string;
  /** Where refusals are counted as `gateway_auth_failures_total{reason="insufficient_scope"}`. */
  registry?: Registry;
}

/**
 * Lets a request through only when its token (verified by `jwtAuth()` earlier in the chain)
 * carries `scope`; otherwise a 403 `forbidden` problem with an `insufficient_scope` challenge.
 *
 * @example
 * app.post('/v1/audio/speech', requireScope('tts:speak'), speechHandler);
 */
export function requireScope(scope: string, options: RequireScopeOptions = {}): MiddlewareHandler<AuthEnv> {
  // RFC 6749 §3.3 scope-token: it must also fit inside the challenge's quoted string.
  if (typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)) {
    throw new TypeError(`requireScope needs a scope token, got ${JSON.stringify(scope)}`);
  }
  const challenge = bearerChallenge(options.realm ?? 'speechgate', { error: 'insufficient_scope', scope });
  const metrics = createAuthMetrics(options.registry);

  return async function requireScope(c, next) {
    const auth = c.get('auth');
    if (!auth) throw new Error('requireScope() must run after jwtAuth()');
    if (!auth.scopes.includes(scope)) {
      metrics.failures.inc({ reason: 'insufficient_scope' });
      throw new ApiError('forbidden', `this operation needs the ${scope} scope`, {
        headers: { 'www-authenticate': challenge },
      });
    }
    await next();
  };
}
