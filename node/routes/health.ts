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
    const pipeline = engine.load();

    const ready = lifecycle.accepting && voices.length > 0 && voices.every((v) => v.warm);
    const body: Readyz & Record<string, unknown> = {
      status: ready ? 'ready' : lifecycle.accepting ? 'starting' : 'unavailable',
      region,
      voices: voices.map((v) => {
        const placement = engine.placement(v.entry.id);
        return {
          id: v.entry.id,
          requested_provider: v.opened.requested,
          provider: v.opened.provider,
          warm: v.warm,
          ...(v.opened.fallbackReason ? { fallback_reason: v.opened.fallbackReason } : {}),
          batching: {
            enabled: v.batching.enabled,
            max_batch: v.batching.maxBatch,
            reason: v.batching.reason,
            ...(v.batching.speedup === undefined ? {} : { speedup: Number(v.batching.speedup.toFixed(2)) }),
          },
          // Where ONNX Runtime put the nodes, when the placement probe ran (ORT_PLACEMENT_PROBE).
          placement: placement
            ? {
                reported: placement.reported,
                nodes_by_provider: placement.nodesByProvider,
                cpu_nodes: placement.cpuNodes,
                ...(placement.note ? { note: placement.note } : {}),
              }
            : {
                reported: false,
                note: 'not probed (ORT_PLACEMENT_PROBE=auto probes only when a GPU provider is asked for)',
              },
        };
      }),
      // `estimated_wait_ms` is interactive work queued and running ÷ measured throughput.
      load: {
        queue_depth: load.queueDepth,
        in_flight: load.inFlight,
        estimated_wait_ms: Math.round(load.estimatedWaitMs),
        concurrency: load.concurrency,
      },
      scheduler: {
        estimated_wait_batch_ms: Math.round(load.estimatedWaitBatchMs),
        queued_characters: load.queuedCost,
        throughput_characters_per_s: Math.round(load.throughputPerSecond),
        phonemizer: pipeline.phonemizer,
        batcher: pipeline.batcher,
        inference: { backend: pipeline.backend, session_slots: pipeline.sessionSlots },
      },
      provider_options: {
        requested: provider.requested,
        options: provider.options,
        applied_by_binding: provider.applied,
        // Configured, but the onnxruntime-node 1.30 binding passes only deviceId to GPU providers.
        not_applied_by_binding: provider.notApplied,
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
