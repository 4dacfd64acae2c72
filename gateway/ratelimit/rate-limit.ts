import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../auth/auth-context.ts';
import { rateLimitError } from './ratelimit-headers.ts';
import type { TenantLimiter } from './tenant-limiter.ts';

export interface RateLimitOptions {
  limiter: Pick<TenantLimiter, 'acquire'>;
  /** Input characters this request spends (may read the body; Hono caches it). Default 0. */
  cost?: (c: Context<AuthEnv>) => number | Promise<number>;
}

/**
 * Applies the tenant's rate limits to each request: a 429 `rate_limit_exceeded` problem with
 * `Retry-After` when refused, `RateLimit-Policy`/`RateLimit` headers on every answer, and the
 * concurrency slot held until the handler is done. Must run after `jwtAuth()`.
 *
 * @example
 * app.post(
 *   '/v1/audio/speech',
 *   rateLimit({ limiter, cost: async (c) => ((await c.req.json()) as { input?: string }).input?.length ?? 0 }),
 *   speechHandler,
 * );
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AuthEnv> {
  if (!options?.limiter || typeof options.limiter.acquire !== 'function') {
    throw new TypeError('rateLimit needs a limiter');
  }
  const cost = options.cost ?? (() => 0);

  return async function rateLimit(c, next) {
    const auth = c.get('auth');
    if (!auth) throw new Error('rateLimit() must run after jwtAuth()');
    const characters = await cost(c);
    const result = await options.limiter.acquire(auth.tenant, Math.max(0, Math.ceil(characters)));
    if (!result.allowed) throw rateLimitError(result);
    try {
      await next();
    } finally {
      // The slot is released once the handler has produced its Response. A streamed body is still
      // being sent then, so a stream holds no slot while it plays out; to count it, release from
      // the body stream's end (and cancel) instead.
      await result.release();
    }
    // Set after next(): headers set before would be lost when a handler returns a new Response.
    for (const [name, value] of Object.entries(result.headers)) c.header(name, value);
  };
}
