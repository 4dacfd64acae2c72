import type { Hono } from 'hono';
import { z } from 'zod';
import { readJsonBody } from '../../shared/json-body.ts';
import { synthesizeRequestSchema } from '../../shared/node-contract.ts';
import type { NodeEnv } from '../app.ts';
import { resultCacheKey } from '../cache/cache-key.ts';

const lookupSchema = z.strictObject({ requests: z.array(synthesizeRequestSchema).min(1).max(1000) });

/**
 * `POST /v1/cache/lookup`: which of these synthesis requests the result cache already holds,
 * so the gateway can say `x-cache: hit | partial | miss` before it streams the first byte.
 * Unknown voices are simply not cached.
 */
export function registerCacheLookup(app: Hono<NodeEnv>) {
  app.post('/v1/cache/lookup', async function cacheLookup(c) {
    const { engine, cache } = c.get('services');
    const { requests } = await readJsonBody(c, lookupSchema, 2 * 1024 * 1024);
    const keys = requests.map((r) => {
      const voice = engine.voice(r.voice);
      return voice ? resultCacheKey(r, voice.entry.modelHash) : undefined;
    });
    const known = keys.filter((k): k is string => k !== undefined);
    const answers = await cache.has(known);
    const present = new Set(known.filter((_, i) => answers[i]));
    return c.json({ results: keys.map((k) => (k !== undefined && present.has(k) ? 'hit' : 'miss')) });
  });
}
