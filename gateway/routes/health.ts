import type { Hono } from 'hono';
import type { GatewayEnv } from '../app.ts';

/** `/healthz` (the process lives), `/readyz` (a node answers ready), `/metrics`. */
export function registerHealth(app: Hono<GatewayEnv>) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', async function readyz(c) {
    const { node, lifecycle } = c.get('services');
    if (!lifecycle.accepting) return c.json({ status: 'unavailable', reason: 'draining' }, 503);
    try {
      const probe = await node.readyz(1_000);
      return c.json(
        {
          status: probe.ok ? 'ready' : 'unavailable',
          node: { url: node.url, ready: probe.ok, rtt_ms: Math.round(probe.rttMs) },
        },
        probe.ok ? 200 : 503,
      );
    } catch (err) {
      return c.json(
        { status: 'unavailable', node: { url: node.url, ready: false, error: (err as Error).message } },
        503,
      );
    }
  });

  app.get('/metrics', async function metrics(c) {
    const { registry } = c.get('services').metrics;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
