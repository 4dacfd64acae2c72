import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TenantLimits } from '../config.ts';
import { type Consumption, createPolicyLimiter, type PolicyLimiter } from './policy-limiter.ts';
import { type PolicyName, type PolicyState, rateLimitHeaders } from './ratelimit-headers.ts';
import { createRateLimitMetrics } from './ratelimit-metrics.ts';

/** Every tenant's limits, in the shape of a `RATE_LIMIT_OVERRIDES` entry; 0 means unlimited. */
export type RateLimits = Required<TenantLimits>;

export interface TenantLimiterOptions {
  /** Limits for every tenant (`RATE_LIMIT_REQUESTS_PER_MINUTE`, …), overridden per tenant by `overrides`. */
  limits: RateLimits;
  /** Per-tenant overrides, the `RATE_LIMIT_OVERRIDES` shape. Default none. */
  overrides?: Record<string, TenantLimits>;
  /** Shared counters across gateway instances; create it with `enableOfflineQueue: false`. Default: memory only. */
  redis?: Redis;
  /** Redis key prefix. Default `speechgate:ratelimit`. */
  keyPrefix?: string;
  /** Longest wait for Redis before falling back to local limits. Default 250 ms. */
  storeTimeoutMs?: number;
  /**
   * Lifetime of a tenant's concurrency count: a slot that is never released (a crashed instance)
   * is forgotten after this, so keep it above the longest request. Default 300 s.
   */
  concurrencyLeaseSeconds?: number;
  /** `Retry-After` when the concurrency limit refuses. Default 1 s. */
  concurrencyRetryAfterSeconds?: number;
  /** At most one warning per this interval while Redis is unavailable. Default 10 000 ms. */
  degradedLogIntervalMs?: number;
  logger?: Logger;
  /** Where `gateway_ratelimit_*` metrics are registered. */
  registry?: Registry;
}

export interface AcquireAllowed {
  allowed: true;
  headers: Record<string, string>;
  /** Frees the concurrency slot; safe to call more than once. */
  release(): Promise<void>;
}

export interface AcquireDenied {
  allowed: false;
  headers: Record<string, string>;
  retryAfterSeconds: number;
  /** The policy that refused (the one with the longest wait when several did). */
  policy: PolicyName;
}

export type AcquireResult = AcquireAllowed | AcquireDenied;

export interface TenantLimiter {
  acquire(tenant: string, characters: number): Promise<AcquireResult>;
}

interface Policy {
  name: PolicyName;
  quota: number;
  windowSeconds: number;
  cost: number;
}

interface Outcome extends Consumption {
  policy: Policy;
  refunded: boolean;
}

/**
 * Per-tenant limits on requests per minute, input characters per minute and concurrent requests,
 * in Redis when a client is given (with per-instance fallback during an outage, counted in
 * `gateway_ratelimit_store_errors_total` and logged) and in memory otherwise.
 *
 * A refused request holds no concurrency slot and spends no characters; it still counts as a
 * request, so hammering a closed limit does not reopen it.
 *
 * @example
 * const limiter = createTenantLimiter({
 *   limits: { requests_per_minute: 120, characters_per_minute: 100_000, concurrent_requests: 8 },
 *   overrides: config.RATE_LIMIT_OVERRIDES,
 *   redis: new Redis(config.REDIS_URL, { enableOfflineQueue: false }),
 *   logger,
 *   registry,
 * });
 * const result = await limiter.acquire('tenant-a', input.length);
 * if (!result.allowed) throw rateLimitError(result);
 */
export function createTenantLimiter(options: TenantLimiterOptions): TenantLimiter {
  const defaults = checkLimits(options.limits);
  const overrides = options.overrides ?? {};
  const keyPrefix = options.keyPrefix ?? 'speechgate:ratelimit';
  const storeTimeoutMs = positive(options.storeTimeoutMs, 250, 'storeTimeoutMs');
  const leaseSeconds = positive(options.concurrencyLeaseSeconds, 300, 'concurrencyLeaseSeconds');
  const concurrencyRetryAfter = positive(
    options.concurrencyRetryAfterSeconds,
    1,
    'concurrencyRetryAfterSeconds',
  );
  const logIntervalMs = positive(options.degradedLogIntervalMs, 10_000, 'degradedLogIntervalMs');
  const metrics = createRateLimitMetrics(options.registry);
  const logger = options.logger;
  const limiters = new Map<string, PolicyLimiter>();

  let degraded = false;
  let lastWarning = Number.NEGATIVE_INFINITY;
  let suppressed = 0;

  function storeFailed(policy: PolicyName, err: unknown): void {
    metrics.storeErrors.inc({ policy });
    const outageStarts = !degraded;
    degraded = true;
    const now = Date.now();
    if (!outageStarts && now - lastWarning < logIntervalMs) {
      suppressed += 1;
      return;
    }
    logger?.warn(
      { err, policy, redisStatus: options.redis?.status, suppressed },
      'rate limit store unavailable; enforcing per-instance limits',
    );
    lastWarning = now;
    suppressed = 0;
  }

  function limiterFor(policy: Policy): PolicyLimiter {
    const id = `${policy.name}:${policy.quota}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      // One limiter per quota value, all on the same keys: an override change keeps the tenant's count.
      limiter = createPolicyLimiter({
        points: policy.quota,
        durationSeconds: policy.windowSeconds,
        keyPrefix: `${keyPrefix}:${policy.name}`,
        redis: options.redis,
        storeTimeoutMs,
        onStoreError: (err) => storeFailed(policy.name, err),
      });
      limiters.set(id, limiter);
    }
    return limiter;
  }

  function policiesFor(tenant: string, characters: number): Policy[] {
    const override = Object.hasOwn(overrides, tenant) ? overrides[tenant] : undefined;
    const policies: Policy[] = [
      {
        name: 'requests',
        quota: override?.requests_per_minute ?? defaults.requests_per_minute,
        windowSeconds: 60,
        cost: 1,
      },
      {
        name: 'characters',
        quota: override?.characters_per_minute ?? defaults.characters_per_minute,
        windowSeconds: 60,
        cost: characters,
      },
      {
        name: 'concurrency',
        quota: override?.concurrent_requests ?? defaults.concurrent_requests,
        windowSeconds: leaseSeconds,
        cost: 1,
      },
    ];
    return policies.filter((p) => p.quota > 0);
  }

  async function refund(tenant: string, outcome: Outcome): Promise<void> {
    outcome.refunded = true;
    await limiterFor(outcome.policy).refund(tenant, outcome.policy.cost, outcome.store);
  }

  return {
    async acquire(tenant, characters) {
      if (typeof tenant !== 'string' || tenant === '') throw new TypeError('acquire needs a tenant');
      if (!Number.isInteger(characters) || characters < 0) {
        throw new TypeError('characters must be a non-negative integer');
      }
      const outcomes: Outcome[] = await Promise.all(
        policiesFor(tenant, characters).map(async (policy) => ({
          policy,
          refunded: false,
          ...(await limiterFor(policy).consume(tenant, policy.cost)),
        })),
      );
      if (degraded && outcomes.length > 0 && outcomes.every((o) => o.store === 'primary')) {
        degraded = false;
        logger?.info({ suppressed }, 'rate limit store recovered');
        suppressed = 0;
      }

      const denied = outcomes.filter((o) => !o.allowed);
      if (denied.length > 0) {
        await Promise.all(outcomes.filter((o) => o.policy.name !== 'requests').map((o) => refund(tenant, o)));
        const waits = denied.map((o) => ({
          policy: o.policy.name,
          seconds: waitSeconds(o, concurrencyRetryAfter),
        }));
        const longest = waits.reduce((a, b) => (b.seconds > a.seconds ? b : a));
        metrics.rejections.inc({ policy: longest.policy });
        return {
          allowed: false,
          headers: rateLimitHeaders(outcomes.map(stateOf)),
          retryAfterSeconds: longest.seconds,
          policy: longest.policy,
        };
      }

      const concurrency = outcomes.find((o) => o.policy.name === 'concurrency');
      let releasing: Promise<void> | undefined;
      return {
        allowed: true,
        headers: rateLimitHeaders(outcomes.map(stateOf)),
        release() {
          releasing ??= concurrency ? refund(tenant, concurrency) : Promise.resolve();
          return releasing;
        },
      };
    },
  };
}

function stateOf(outcome: Outcome): PolicyState {
  const { policy, res } = outcome;
  // consumedPoints still includes this request's cost when it was refunded; give it back here too.
  const consumed = res.consumedPoints - (outcome.refunded ? policy.cost : 0);
  const remaining = Math.max(0, policy.quota - consumed);
  if (policy.name === 'concurrency') return { policy: policy.name, quota: policy.quota, remaining };
  return {
    policy: policy.name,
    quota: policy.quota,
    windowSeconds: policy.windowSeconds,
    remaining,
    resetSeconds: Math.max(0, Math.ceil(res.msBeforeNext / 1000)),
  };
}

function waitSeconds(outcome: Outcome, concurrencyRetryAfter: number): number {
  if (outcome.policy.name === 'concurrency') return concurrencyRetryAfter;
  return Math.max(1, Math.ceil(outcome.res.msBeforeNext / 1000));
}

function checkLimits(limits: RateLimits): RateLimits {
  if (!limits) throw new TypeError('createTenantLimiter needs limits');
  for (const name of ['requests_per_minute', 'characters_per_minute', 'concurrent_requests'] as const) {
    const value = limits[name];
    if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer`);
  }
  return limits;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer`);
  return value;
}
