import { isEjected, scoreEndpoint } from './endpoint.ts';
import type { RegionMetrics } from './region-metrics.ts';
import type { RegionRouter } from './router.ts';

export interface ProberOptions {
  intervalMs: number;
  timeoutMs: number;
  failurePenaltyMs: number;
  metrics: RegionMetrics;
  now?: () => number;
}

/**
 * Probes every node's `/readyz` on an interval: round-trip time, readiness and published load
 * feed the scores, and a good probe after an ejection has run out re-admits the node
 * (half-open). A probe still in flight is not started again.
 */
export function startProber(router: RegionRouter, options: ProberOptions) {
  const now = options.now ?? Date.now;
  const inFlight = new Set<string>();

  async function probeAll() {
    await Promise.all(
      router.endpoints.map(async (endpoint) => {
        if (inFlight.has(endpoint.url)) return;
        inFlight.add(endpoint.url);
        const started = performance.now();
        try {
          const probe = await endpoint.client.readyz(options.timeoutMs);
          router.outliers.probed(endpoint, probe, now());
        } catch (err) {
          options.metrics.probeFailures.inc({ region: endpoint.region.name });
          router.outliers.failed(
            endpoint,
            'probe',
            performance.now() - started,
            `probe: ${(err as Error).message}`,
            now(),
          );
        } finally {
          inFlight.delete(endpoint.url);
        }
      }),
    );
    publish();
  }

  function publish() {
    for (const endpoint of router.endpoints) {
      const labels = { region: endpoint.region.name, node: endpoint.url };
      const score = scoreEndpoint(endpoint, options.failurePenaltyMs);
      options.metrics.up.set(labels, endpoint.ready && !isEjected(endpoint) ? 1 : 0);
      options.metrics.rtt.set(labels, score.latencyMs / 1000);
      options.metrics.queueWait.set(labels, score.queueMs / 1000);
      options.metrics.score.set(labels, score.scoreMs / 1000);
    }
  }

  const timer = setInterval(() => void probeAll(), options.intervalMs);
  timer.unref();
  return {
    /** Resolves after the first round, so a new gateway routes on measurements. */
    first: probeAll(),
    probeAll,
    publish,
    stop: () => clearInterval(timer),
  };
}
