import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseList } from 'structured-headers';
import { problemHeaders } from '../../shared/errors.ts';
import { rateLimitError, rateLimitHeaders } from './ratelimit-headers.ts';

describe('rateLimitHeaders', () => {
  it('serialises draft-11 RateLimit-Policy and RateLimit lists', () => {
    const headers = rateLimitHeaders([
      { policy: 'requests', quota: 120, windowSeconds: 60, remaining: 119, resetSeconds: 60 },
      { policy: 'characters', quota: 100_000, windowSeconds: 60, remaining: 99_000, resetSeconds: 59.2 },
      { policy: 'concurrency', quota: 8, remaining: 7 },
    ]);
    assert.deepEqual(headers, {
      'ratelimit-policy':
        '"requests";q=120;w=60, "characters";q=100000;speechgate-unit="characters";w=60, "concurrency";q=8;qu="concurrent-requests"',
      ratelimit: '"requests";r=119;t=60, "characters";r=99000;t=60, "concurrency";r=7',
    });
    // Policy names are sf-Strings, as draft-11 requires, and both fields parse back.
    const [first] = parseList(headers.ratelimit ?? '');
    assert.equal(first?.[0], 'requests');
    assert.equal(parseList(headers['ratelimit-policy'] ?? '').length, 3);
  });

  it('sends nothing when no policy applies', () => {
    assert.deepEqual(rateLimitHeaders([]), {});
  });

  it('never sends negative remaining or reset values', () => {
    const headers = rateLimitHeaders([
      { policy: 'requests', quota: 1, windowSeconds: 60, remaining: -3, resetSeconds: -1 },
    ]);
    assert.equal(headers.ratelimit, '"requests";r=0;t=0');
  });
});

describe('rateLimitError', () => {
  it('is a 429 rate_limit_exceeded with Retry-After and the RateLimit headers', () => {
    const headers = rateLimitHeaders([
      { policy: 'requests', quota: 1, windowSeconds: 60, remaining: 0, resetSeconds: 12 },
    ]);
    const error = rateLimitError({ policy: 'requests', retryAfterSeconds: 12, headers });
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.message, 'request rate limit exceeded; retry in 12 s');
    assert.deepEqual(problemHeaders(error), {
      'content-type': 'application/problem+json',
      ...headers,
      'retry-after': '12',
    });
  });
});
