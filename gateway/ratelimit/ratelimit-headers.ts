import { type BareItem, serializeList } from 'structured-headers';
import { ApiError } from '../../shared/errors.ts';

export type PolicyName = 'requests' | 'characters' | 'concurrency';

/** One policy's quota and where a tenant stands in it. */
export interface PolicyState {
  policy: PolicyName;
  /** Quota per window (`q`). */
  quota: number;
  /** Window in seconds (`w`); none for concurrency, which has no window. */
  windowSeconds?: number;
  /** Quota units left (`r`). */
  remaining: number;
  /** Seconds until the window resets (`t`); none for concurrency. */
  resetSeconds?: number;
}

/**
 * `RateLimit-Policy` and `RateLimit` in draft-ietf-httpapi-ratelimit-headers-11 syntax: Lists of
 * Items whose value is the policy name as an sf-String, serialised by `structured-headers`, e.g.
 * `"requests";q=120;w=60, "characters";q=100000;w=60;speechgate-unit="characters",
 * "concurrency";q=8;qu="concurrent-requests"` and `"requests";r=119;t=60, …`.
 */
export function rateLimitHeaders(states: readonly PolicyState[]): Record<string, string> {
  if (states.length === 0) return {};
  return {
    'ratelimit-policy': serializeList(states.map((s) => [s.policy, policyParameters(s)])),
    ratelimit: serializeList(states.map((s) => [s.policy, stateParameters(s)])),
  };
}

function policyParameters(state: PolicyState): Map<string, BareItem> {
  const parameters = new Map<string, BareItem>([['q', integer(state.quota)]]);
  if (state.policy === 'concurrency') parameters.set('qu', 'concurrent-requests');
  // Characters are not bytes, and the registry has no unit for them: `qu` is left out and the unit
  // rides in a vendor-prefixed parameter, as the draft asks for service-specific parameters.
  if (state.policy === 'characters') parameters.set('speechgate-unit', 'characters');
  if (state.windowSeconds !== undefined) parameters.set('w', integer(state.windowSeconds));
  return parameters;
}

function stateParameters(state: PolicyState): Map<string, BareItem> {
  const parameters = new Map<string, BareItem>([['r', integer(state.remaining)]]);
  if (state.resetSeconds !== undefined) parameters.set('t', integer(state.resetSeconds));
  return parameters;
}

function integer(value: number): number {
  return Math.max(0, Math.ceil(value));
}

const messages: Record<PolicyName, string> = {
  requests: 'request rate limit exceeded',
  characters: 'input character rate limit exceeded',
  concurrency: 'too many concurrent requests',
};

/**
 * The 429 `rate_limit_exceeded` error for a refused acquisition, carrying `Retry-After` and the
 * RateLimit headers.
 *
 * @example
 * const result = await limiter.acquire(tenant, input.length);
 * if (!result.allowed) throw rateLimitError(result);
 */
export function rateLimitError(result: {
  policy: PolicyName;
  retryAfterSeconds: number;
  headers: Record<string, string>;
}): ApiError {
  return new ApiError(
    'rate_limit_exceeded',
    `${messages[result.policy]}; retry in ${result.retryAfterSeconds} s`,
    {
      retryAfterSeconds: result.retryAfterSeconds,
      headers: result.headers,
    },
  );
}
