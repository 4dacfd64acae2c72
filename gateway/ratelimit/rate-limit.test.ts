import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { ApiError } from '../../shared/errors.ts';
import { createErrorHandler } from '../../shared/http-errors.ts';
import { createSilentLogger } from '../../shared/logger.ts';
import type { AuthEnv } from '../auth/auth-context.ts';
import { rateLimit } from './rate-limit.ts';
import { createTenantLimiter, type RateLimits } from './tenant-limiter.ts';

function buildApp(limits: RateLimits) {
  const limiter = createTenantLimiter({ limits });
  let gate: Promise<void> = Promise.resolve();
  const app = new Hono<AuthEnv>();
  app.onError(createErrorHandler(createSilentLogger()));
  // Stands in for jwtAuth(): the tenant comes from a header.
  app.use('*', async (c, next) => {
    c.set('auth', { tenant: c.req.header('x-tenant') ?? 't', subject: 's', scopes: [] });
    await next();
  });
  app.use(
    '*',
    rateLimit({
      limiter,
      cost: async (c) => ((await c.req.json().catch(() => ({}))) as { input?: string }).input?.length ?? 0,
    }),
  );
  app.post('/speak', async (c) => {
    const body = (await c.req.json()) as { input: string };
    await gate;
    return new Response(`spoke ${body.input.length}`);
  });
  app.post('/json', (c) => c.json({ ok: true }));
  app.post('/fail', () => {
    throw new ApiError('node_unavailable', 'no node');
  });
  const speak = (input: string, path = '/speak') =>
    app.request(path, {
      method: 'POST',
      body: JSON.stringify({ input }),
      headers: { 'content-type': 'application/json' },
    });
  return {
    speak,
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => open();
    },
  };
}

describe('rateLimit', () => {
  it('adds RateLimit headers to successful answers, raw Responses included', async () => {
    const { speak } = buildApp({
      requests_per_minute: 10,
      characters_per_minute: 100,
      concurrent_requests: 2,
    });
    const res = await speak('hello');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'spoke 5');
    assert.equal(
      res.headers.get('ratelimit-policy'),
      '"requests";q=10;w=60, "characters";q=100;speechgate-unit="characters";w=60, "concurrency";q=2;qu="concurrent-requests"',
    );
    assert.match(
      res.headers.get('ratelimit') ?? '',
      /^"requests";r=9;t=60, "characters";r=95;t=60, "concurrency";r=1$/,
    );
    const json = await speak('x', '/json');
    assert.match(json.headers.get('ratelimit') ?? '', /"requests";r=8;/);
  });

  it('refuses with a 429 problem, Retry-After and RateLimit headers', async () => {
    const { speak } = buildApp({ requests_per_minute: 10, characters_per_minute: 8, concurrent_requests: 0 });
    assert.equal((await speak('hello')).status, 200);
    const res = await speak('hello');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter >= 59 && retryAfter <= 60);
    assert.equal(
      res.headers.get('ratelimit'),
      `"requests";r=8;t=${retryAfter}, "characters";r=3;t=${retryAfter}`,
    );
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.equal(body.error.type, 'rate_limit_error');
    assert.equal(body.error.message, `input character rate limit exceeded; retry in ${retryAfter} s`);
  });

  it('holds the concurrency slot until the handler is done, then releases it', async () => {
    const { speak, hold } = buildApp({
      requests_per_minute: 0,
      characters_per_minute: 0,
      concurrent_requests: 1,
    });
    const open = hold();
    const first = speak('slow');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const busy = await speak('fast');
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get('retry-after'), '1');
    open();
    assert.equal((await first).status, 200);
    assert.equal((await speak('again')).status, 200);
  });

  it('releases the slot when the handler fails, and still sends the headers', async () => {
    const { speak } = buildApp({ requests_per_minute: 0, characters_per_minute: 0, concurrent_requests: 1 });
    const failed = await speak('x', '/fail');
    assert.equal(failed.status, 502);
    assert.equal(failed.headers.get('ratelimit'), '"concurrency";r=0');
    assert.equal((await speak('x')).status, 200);
  });

  it('checks its options when built', () => {
    assert.throws(() => rateLimit({} as never), /limiter/);
    assert.equal(
      rateLimit({
        limiter: createTenantLimiter({
          limits: { requests_per_minute: 1, characters_per_minute: 0, concurrent_requests: 0 },
        }),
      }).name,
      'rateLimit',
    );
  });
});
