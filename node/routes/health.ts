import type { Hono } from 'hono';
import type { Readyz } from '../../shared/node-contract.ts';
import type { NodeEnv } from '../app.ts';

/** `/healthz` (the process lives), `/readyz` (voices loaded and warm, load for routing), `/metrics`. */
export function registerHealth(app: Hono<NodeEnv>) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', function readyz(c) {
    const { engine, queue, region, lifecycle, provider } = c.get('services');
    const voices = engine.voices();
    const load = queue.load();
    const ready = lifecycle.accepting && voices.length > 0 && voices.every((v) => v.warm);
    const body: Readyz & Record<string, unknown> = {
      status: ready ? 'ready' : lifecycle.accepting ? 'starting' : 'unavailable',
      region,
      voices: voices.map((v) => ({
        id: v.entry.id,
        requested_provider: v.opened.requested,
        provider: v.opened.provider,
        warm: v.warm,
        ...(v.opened.fallbackReason ? { fallback_reason: v.opened.fallbackReason } : {}),
      })),
      load: {
        queue_depth: load.queueDepth,
        in_flight: load.inFlight,
        estimated_wait_ms: Math.round(load.estimatedWaitMs),
        concurrency: load.concurrency,
      },
      provider_options: {
        requested: provider.requested,
        options: provider.options,
        applied_by_binding: provider.applied,
      },
      skipped_voices: engine.skipped.length,
    };
    return c.json(body, ready ? 200 : 503);
  });

  app.get('/metrics', async function metrics(c) {
    const { registry } = c.get('services').metrics;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
