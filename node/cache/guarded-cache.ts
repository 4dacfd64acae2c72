import type { Logger } from '../../shared/logger.ts';
import type { NodeMetrics } from '../metrics.ts';
import type { CachedAudio, ResultCache } from './result-cache.ts';

export type CacheLookup = { status: 'hit'; value: CachedAudio } | { status: 'miss' } | { status: 'error' };

export interface GuardedCache {
  readonly kind: ResultCache['kind'];
  lookup(key: string): Promise<CacheLookup>;
  /** Which keys are cached (all false when the cache is unavailable); not counted as lookups. */
  has(keys: readonly string[]): Promise<boolean[]>;
  /** Stores unless the entry is over the size limit; never throws. */
  store(key: string, value: CachedAudio): Promise<void>;
  close(): Promise<void>;
}

/**
 * A cache failure never fails a request: a lookup that throws counts as an error (a miss for
 * the caller) and a write that throws is dropped, both logged and counted.
 */
export function createGuardedCache(
  cache: ResultCache,
  options: { ttlSeconds: number; maxEntryBytes: number; logger: Logger; metrics: NodeMetrics },
): GuardedCache {
  const { logger, metrics } = options;
  let lastLog = 0;
  function degraded(op: string, err: unknown) {
    metrics.cacheEvents.inc({ result: 'error' });
    // One line per 10 s is enough to see the outage without flooding logs at request rate.
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      logger.warn({ err, op, cache: cache.kind }, 'result cache unavailable: synthesising without it');
    }
  }
  return {
    kind: cache.kind,
    async lookup(key) {
      try {
        const value = await cache.get(key);
        metrics.cacheEvents.inc({ result: value ? 'hit' : 'miss' });
        return value ? { status: 'hit', value } : { status: 'miss' };
      } catch (err) {
        degraded('get', err);
        return { status: 'error' };
      }
    },
    async has(keys) {
      try {
        return await cache.has(keys);
      } catch (err) {
        degraded('has', err);
        return keys.map(() => false);
      }
    },
    async store(key, value) {
      if (value.body.length > options.maxEntryBytes) return;
      try {
        await cache.set(key, value, options.ttlSeconds);
      } catch (err) {
        degraded('set', err);
      }
    },
    close: () => cache.close(),
  };
}
