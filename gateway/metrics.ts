import { Counter, Histogram, Registry } from 'prom-client';

/** The gateway's own Prometheus metrics; auth and rate-limit metrics register on the same registry. */
export function createGatewayMetrics(registry: Registry = new Registry()) {
  return {
    registry,
    requests: new Counter({
      name: 'gateway_requests_total',
      help: 'Requests by route and status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from request to response headers.',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'gateway_upstream_duration_seconds',
      help: 'Time to first byte from a regional node.',
      labelNames: ['region'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    timeToFirstAudio: new Histogram({
      name: 'gateway_time_to_first_audio_seconds',
      help: 'Time from request to the first audio ready to send, by cache status.',
      labelNames: ['cache'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    streamAborts: new Counter({
      name: 'gateway_stream_aborts_total',
      help: 'Audio streams that ended early (a segment failed everywhere, or the client left).',
      registers: [registry],
    }),
    audioStoreErrors: new Counter({
      name: 'gateway_audio_store_errors_total',
      help: 'Failed audio store calls by store and operation; gets fall back to synthesis, failed puts make URLs unavailable.',
      labelNames: ['store', 'op'] as const,
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Failed attempts to a regional node by reason.',
      labelNames: ['region', 'reason'] as const,
      registers: [registry],
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
