import { Counter, Gauge, type Registry } from 'prom-client';

/** Per-region routing metrics: what the router measures and what it did about it. */
export function createRegionMetrics(registry: Registry) {
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['region', 'node'] as const, registers: [registry] });
  const counter = (name: string, help: string, labelNames: readonly string[] = ['region']) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  return {
    up: gauge('gateway_region_up', '1 when the node is admitted and ready, 0 when ejected or not ready.'),
    rtt: gauge('gateway_region_rtt_seconds', 'Smoothed network latency to the node (probes and passive).'),
    queueWait: gauge('gateway_region_queue_wait_seconds', 'Expected queue wait at the node.'),
    score: gauge(
      'gateway_region_score_seconds',
      'Routing score: latency + queue wait + penalties, per weight.',
    ),
    ejections: counter('gateway_region_ejections_total', 'Nodes ejected after consecutive failures.'),
    readmissions: counter(
      'gateway_region_readmissions_total',
      'Ejected nodes re-admitted by a half-open probe.',
    ),
    probeFailures: counter('gateway_region_probe_failures_total', 'Failed /readyz probes.'),
    retries: counter('gateway_retries_total', 'Attempts retried on this region after another failed.'),
    hedges: counter('gateway_hedges_total', 'Hedged attempts sent to this region.'),
    hedgeWins: counter('gateway_hedge_wins_total', 'Hedged attempts that answered first.'),
    failovers: counter(
      'gateway_failovers_total',
      'Requests served by another region than the first choice.',
      ['from', 'to'],
    ),
    retryBudgetExhausted: new Counter({
      name: 'gateway_retry_budget_exhausted_total',
      help: 'Retries or hedges not sent because the retry budget was spent.',
      registers: [registry],
    }),
    panic: new Counter({
      name: 'gateway_routing_panic_total',
      help: 'Requests routed with every node ejected or unready (all tried).',
      registers: [registry],
    }),
    served: counter('gateway_region_requests_total', 'Requests served by a region.'),
  };
}

export type RegionMetrics = ReturnType<typeof createRegionMetrics>;
