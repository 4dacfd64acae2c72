import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';

export type FlightRole = 'leader' | 'follower' | 'remote' | 'fallback';

export interface SingleFlightOptions {
  /** Shared lock store; without it, coalescing is per process only. */
  redis?: Redis | undefined;
  /** A lock outlives a dead holder by at most this long. */
  lockTtlMs: number;
  /** Longest a waiter waits for another process's result before synthesising itself. */
  waitMs: number;
  pollMs: number;
  logger: Logger;
  onRole?: (role: FlightRole) => void;
  prefix?: string;
}

const releaseScript =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Identical concurrent work (same key) runs once. In a process, callers share one promise.
 * Across processes, a Redis lock (SET NX PX) elects one producer; the others poll the result
 * cache for its answer. A waiter never hangs: past `waitMs`, or when the lock vanishes without a
 * result (its holder died), it produces the result itself; a Redis failure degrades to local.
 */
export function createSingleFlight(options: SingleFlightOptions) {
  const prefix = options.prefix ?? 'sg:lock:';
  const local = new Map<string, Promise<unknown>>();
  const role = (r: FlightRole) => options.onRole?.(r);

  async function acrossProcesses<T>(
    key: string,
    lookup: () => Promise<T | undefined>,
    produce: () => Promise<T>,
  ): Promise<{ value: T; role: FlightRole }> {
    const as = async (r: FlightRole, value: T | Promise<T>) => {
      const settled = await value;
      role(r);
      return { value: settled, role: r };
    };
    const redis = options.redis;
    if (!redis) return as('leader', produce());
    const token = randomUUID();
    let locked: boolean;
    try {
      locked = (await redis.set(prefix + key, token, 'PX', options.lockTtlMs, 'NX')) === 'OK';
    } catch (err) {
      options.logger.debug({ err }, 'single-flight lock unavailable: producing locally');
      return as('fallback', produce());
    }
    if (locked) {
      try {
        return await as('leader', produce());
      } finally {
        await redis.eval(releaseScript, 1, prefix + key, token).catch(() => {});
      }
    }
    const deadline = Date.now() + options.waitMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, options.pollMs));
      const found = await lookup().catch(() => undefined);
      if (found !== undefined) return as('remote', found);
      const holder = await redis.exists(prefix + key).catch(() => 0);
      if (holder === 0) {
        // Released without a result, or its holder died and the lock expired: try once more.
        const again = await lookup().catch(() => undefined);
        if (again !== undefined) return as('remote', again);
        break;
      }
    }
    return as('fallback', produce());
  }

  return {
    /** The result, and this caller's part in it: only a `leader` or `fallback` produced it. */
    async run<T>(
      key: string,
      lookup: () => Promise<T | undefined>,
      produce: () => Promise<T>,
    ): Promise<{ value: T; role: FlightRole }> {
      const inFlight = local.get(key) as Promise<{ value: T; role: FlightRole }> | undefined;
      if (inFlight) {
        role('follower');
        return { value: (await inFlight).value, role: 'follower' };
      }
      const flight = acrossProcesses(key, lookup, produce).finally(() => local.delete(key));
      local.set(key, flight);
      return flight;
    },
  };
}

export type SingleFlight = ReturnType<typeof createSingleFlight>;
