import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArg = string | number | Buffer;

/**
 * A Lua script run by SHA, sent in full only when Redis does not know it (first use, or after a
 * restart emptied its script cache). Scripts are how a job's state and its queue change together.
 */
export function createScript(lua: string) {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async function run(
    redis: Redis,
    keys: readonly string[],
    args: readonly ScriptArg[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
