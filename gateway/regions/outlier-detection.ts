import type { Logger } from '../../shared/logger.ts';
import type { NodeAudio, UpstreamFailure } from '../upstream/node-client.ts';
import { type Endpoint, isEjected } from './endpoint.ts';
import type { RegionMetrics } from './region-metrics.ts';

export interface OutlierOptions {
  /** Consecutive failures that eject a node. */
  consecutiveFailures: number;
  /** First ejection lasts this long; each further one doubles it, up to `maxEjectionMs`. */
  baseEjectionMs: number;
  maxEjectionMs: number;
  /** A failed attempt counts as this much slower than it took, so failing fast never looks fast. */
  failurePenaltyMs: number;
  /** Healthy this long after a re-admission, a node's ejection count starts again from zero. */
  forgiveAfterMs: number;
}

/**
 * The health transitions of an endpoint: what a success, a failure and a probe do to it, and
 * the log line and metric for every ejection and re-admission.
 */
export function createOutlierDetector(options: OutlierOptions, logger: Logger, metrics: RegionMetrics) {
  const labels = (e: Endpoint) => ({ region: e.region.name });

  function readmit(endpoint: Endpoint, via: string) {
    endpoint.ejectedUntil = 0;
    endpoint.consecutiveFailures = 0;
    metrics.readmissions.inc(labels(endpoint));
    logger.info(
      { region: endpoint.region.name, node: endpoint.url, via, ejections: endpoint.ejections },
      'node re-admitted',
    );
  }

  function failed(
    endpoint: Endpoint,
    reason: UpstreamFailure | 'probe',
    elapsedMs: number,
    message: string,
    now: number,
  ) {
    endpoint.lastError = message;
    // An overloaded node is healthy and busy: its queue wait (from Retry-After) scores it down,
    // not a latency penalty or an ejection.
    if (reason === 'overloaded') return;
    endpoint.latency.observe(elapsedMs + options.failurePenaltyMs, { peak: true });
    const quietMs = now - endpoint.lastFailureAt;
    endpoint.lastFailureAt = now;
    if (endpoint.ejections > 0 && quietMs > options.forgiveAfterMs) endpoint.ejections = 0;
    endpoint.consecutiveFailures++;
    if (isEjected(endpoint) || endpoint.consecutiveFailures < options.consecutiveFailures) return;
    endpoint.ejections++;
    const ejectionMs = Math.min(
      options.maxEjectionMs,
      options.baseEjectionMs * 2 ** (endpoint.ejections - 1),
    );
    endpoint.ejectedUntil = now + ejectionMs;
    metrics.ejections.inc(labels(endpoint));
    logger.warn(
      {
        region: endpoint.region.name,
        node: endpoint.url,
        consecutiveFailures: endpoint.consecutiveFailures,
        ejectionMs,
        ejections: endpoint.ejections,
        reason,
        error: message,
      },
      'node ejected',
    );
  }

  return {
    /** A real request succeeded: passive latency sample, TTFB for hedging, service time. */
    succeeded(endpoint: Endpoint, audio: NodeAudio, node: { synthesisMs: number; queueMs: number }) {
      endpoint.latency.observe(Math.max(0, audio.ttfbMs - node.synthesisMs - node.queueMs));
      endpoint.ttfb.add(audio.ttfbMs);
      if (node.synthesisMs > 0) {
        endpoint.serviceMs =
          endpoint.serviceMs === 0 ? node.synthesisMs : 0.8 * endpoint.serviceMs + 0.2 * node.synthesisMs;
      }
      if (isEjected(endpoint)) readmit(endpoint, 'request');
      endpoint.consecutiveFailures = 0;
    },
    failed,
    /** A `/readyz` answer: latency, load and readiness; a good one after the ejection time re-admits. */
    probed(endpoint: Endpoint, probe: { ok: boolean; rttMs: number; body: unknown }, now: number) {
      endpoint.lastProbeAt = now;
      const body = probe.body as
        | { status?: string; load?: { estimated_wait_ms?: number; concurrency?: number } }
        | undefined;
      if (!body?.status || !body.load) {
        failed(endpoint, 'probe', probe.rttMs, `readyz answered without a readiness document`, now);
        return;
      }
      endpoint.latency.observe(probe.rttMs);
      endpoint.ready = probe.ok;
      endpoint.nodeQueueWaitMs = body.load.estimated_wait_ms ?? 0;
      endpoint.nodeConcurrency = body.load.concurrency ?? 1;
      if (!probe.ok) return;
      if (isEjected(endpoint)) {
        if (now >= endpoint.ejectedUntil) readmit(endpoint, 'probe');
        return;
      }
      // A good probe is evidence of health too: without this, one timed-out probe left a
      // failure penalty that only a real request could clear, and none was sent there anymore.
      endpoint.consecutiveFailures = 0;
    },
  };
}

export type OutlierDetector = ReturnType<typeof createOutlierDetector>;
