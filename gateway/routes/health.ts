import type { Hono } from 'hono';
import type { GatewayEnv } from '../app.ts';

/** `/healthz` (the process lives), `/readyz` (some region has a ready node), `/metrics`. */
export function registerHealth(app: Hono<GatewayEnv>) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', function readyz(c) {
    const { router, lifecycle } = c.get('services');
    if (!lifecycle.accepting) return c.json({ status: 'unavailable', reason: 'draining' }, 503);
    // Readiness comes from the prober's last round: no upstream call on the probe path.
    const ready = router.ready();
    const regions = router.table().map((r) => ({
      name: r.name,
      nodes: r.nodes.map((n) => ({ url: n.url, state: n.state })),
    }));
    return c.json({ status: ready ? 'ready' : 'unavailable', regions }, ready ? 200 : 503);
  });

  app.get('/metrics', async function metrics(c) {
    const { registry } = c.get('services').metrics;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
