import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { GatewayEnv } from '../app.ts';
import { requireScope } from '../auth/require-scope.ts';

export const ADMIN_SCOPE = 'tts:admin';

/** `GET /v1/regions` (admin scope): the live routing table, with every node's measurements. */
export function registerRegions(app: Hono<GatewayEnv>, options: { registry?: Registry } = {}) {
  const admin = requireScope(ADMIN_SCOPE, options.registry ? { registry: options.registry } : {});
  app.get('/v1/regions', admin, function listRegions(c) {
    const { router } = c.get('services');
    return c.json({ object: 'list', ready: router.ready(), data: router.table() });
  });
}
