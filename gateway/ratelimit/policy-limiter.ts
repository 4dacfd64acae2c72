import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';

/** Which limiter answered: Redis (or the memory limiter in memory-only mode), or the insurance one. */
export type Store = 'primary' | 'insurance';

export interface Consumption {
  res: RateLimiterRes;
  allowed: boolean;
  store: Store;
}

/** One policy at one quota: consume points, and give them back to the store that took them. */
export interface PolicyLimiter {
  consume(key: string, points: number): Promise<Consumption>;
  refund(key: string, points: number, store: Store): Promise<void>;
}

export interface PolicyLimiterOptions {
  points: number;
  durationSeconds: number;
  keyPrefix: string;
  redis?: Redis | undefined;
  /** Longest wait for Redis before the insurance limiter answers. */
  storeTimeoutMs: number;
  /** Called each time the insurance limiter answers for Redis. */
  onStoreError(err: unknown): void;
}

/**
 * rate-limiter-flexible's increment script, plus a floor at zero: a refund that lands after its
 * window expired (or in a fresh Redis after a restart) must not leave a negative count that
 * would admit extra requests for a whole window.
 */
const incrementScript = `redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX')
local consumed = redis.call('incrby', KEYS[1], ARGV[1])
if consumed < 0 then
  redis.call('incrby', KEYS[1], -consumed)
  consumed = 0
end
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * ARGV[2]
end
return {consumed, ttl}`;

/**
 * The `options` object of each limiter call. rate-limiter-flexible hands it unchanged to the
 * insurance limiter when Redis fails, which is how we learn which store served a call and why.
 */
interface CallContext {
  storeError?: unknown;
  servedLocally?: boolean;
  /** A refund of points Redis took: if Redis cannot take it, the local count must not drop. */
  sharedOnly?: boolean;
  /** A refund sent straight to the insurance limiter, not a fallback. */
  direct?: boolean;
}

class ObservedRedisLimiter extends RateLimiterRedis {
  override consume(key: string | number, points = 1, options: CallContext = {}): Promise<RateLimiterRes> {
    return observe(super.consume(key, points, options), options);
  }

  override reward(key: string | number, points = 1, options: CallContext = {}): Promise<RateLimiterRes> {
    return observe(super.reward(key, points, options), options);
  }
}

function observe(call: Promise<RateLimiterRes>, context: CallContext): Promise<RateLimiterRes> {
  return call.catch((err: unknown) => {
    if (!(err instanceof RateLimiterRes)) context.storeError = err;
    throw err;
  });
}

class InsuranceLimiter extends RateLimiterMemory {
  readonly #onFallback: (context: CallContext) => void;

  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    onFallback: (context: CallContext) => void,
  ) {
    super(options);
    this.#onFallback = onFallback;
  }

  override consume(key: string | number, points = 1, options: CallContext = {}): Promise<RateLimiterRes> {
    this.#fallingBack(options);
    return super.consume(key, points, options);
  }

  override reward(key: string | number, points = 1, options: CallContext = {}): Promise<RateLimiterRes> {
    this.#fallingBack(options);
    if (options.sharedOnly) return Promise.resolve(new RateLimiterRes(0, 0, 0, false));
    return super.reward(key, points, options);
  }

  #fallingBack(context: CallContext): void {
    if (context.direct) return;
    context.servedLocally = true;
    this.#onFallback(context);
  }
}

/**
 * A limiter for one policy at one quota. With Redis: `RateLimiterRedis` behind a timeout, with an
 * in-memory `insuranceLimiter` that answers whenever Redis errors or is slow, so an outage
 * degrades to per-instance limits rather than hanging or letting everything through.
 */
export function createPolicyLimiter(options: PolicyLimiterOptions): PolicyLimiter {
  const base = { points: options.points, duration: options.durationSeconds, keyPrefix: options.keyPrefix };
  if (!options.redis) {
    const memory = new RateLimiterMemory(base);
    return {
      consume: (key, points) => settle(memory.consume(key, points), () => 'primary'),
      async refund(key, points) {
        if (points > 0) await memory.reward(key, points);
      },
    };
  }

  const insurance = new InsuranceLimiter(base, (context) =>
    options.onStoreError(
      context.storeError ?? new Error(`no answer from Redis within ${options.storeTimeoutMs} ms`),
    ),
  );
  const redis = new ObservedRedisLimiter({
    ...base,
    storeClient: options.redis,
    // Fail over at once while ioredis reconnects, instead of waiting for the timeout.
    rejectIfRedisNotReady: true,
    customIncrTtlLuaScript: incrementScript,
  });
  // A Redis answer that arrives after the timeout is dropped; the points it took expire with their window.
  const limiter = new RLWrapperTimeouts({
    limiter: redis,
    timeoutMs: options.storeTimeoutMs,
    insuranceLimiter: insurance,
  });

  return {
    consume(key, points) {
      const context: CallContext = {};
      return settle(limiter.consume(key, points, context), () =>
        context.servedLocally ? 'insurance' : 'primary',
      );
    },
    async refund(key, points, store) {
      if (points <= 0) return;
      if (store === 'insurance') await insurance.reward(key, points, { direct: true } satisfies CallContext);
      else await limiter.reward(key, points, { sharedOnly: true } satisfies CallContext);
    },
  };
}

async function settle(call: Promise<RateLimiterRes>, store: () => Store): Promise<Consumption> {
  try {
    const res = await call;
    return { res, allowed: true, store: store() };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { res: err, allowed: false, store: store() };
    throw err;
  }
}
