import type { NodeClient } from '../upstream/node-client.ts';
import { createPeakEwma, createSampleWindow } from './estimators.ts';
import type { RegionConfig } from './regions-config.ts';

/** One node URL of one region, and everything the router knows about it. */
export interface Endpoint {
  region: RegionConfig;
  url: string;
  client: NodeClient;
  /** Network cost in ms: probe round trips, request TTFB minus node time, failures as slow. */
  latency: ReturnType<typeof createPeakEwma>;
  /** Recent successful TTFBs, for the hedge delay. */
  ttfb: ReturnType<typeof createSampleWindow>;
  /** The node's own estimate of queue wait, from its last `/readyz`. */
  nodeQueueWaitMs: number;
  nodeConcurrency: number;
  /** Smoothed synthesis time reported by the node on misses. */
  serviceMs: number;
  /** Requests this gateway has in flight to the endpoint. */
  outstanding: number;
  /** False when the last probe said the node is not ready (starting, draining). */
  ready: boolean;
  consecutiveFailures: number;
  ejections: number;
  ejectedUntil: number;
  lastFailureAt: number;
  lastProbeAt: number;
  lastError?: string;
}

/** A node with no measurement yet is assumed this slow, so measured regions win ties. */
export const UNKNOWN_LATENCY_MS = 250;

export function createEndpoint(region: RegionConfig, url: string, client: NodeClient): Endpoint {
  return {
    region,
    url,
    client,
    latency: createPeakEwma({ decayMs: 1_000 }),
    ttfb: createSampleWindow(200),
    nodeQueueWaitMs: 0,
    nodeConcurrency: 1,
    serviceMs: 0,
    outstanding: 0,
    ready: true,
    consecutiveFailures: 0,
    ejections: 0,
    ejectedUntil: 0,
    lastFailureAt: 0,
    lastProbeAt: 0,
  };
}

/** Ejected until a probe after `ejectedUntil` re-admits it (half-open), which sets it back to 0. */
export function isEjected(endpoint: Endpoint): boolean {
  return endpoint.ejectedUntil > 0;
}

export interface ScoreParts {
  latencyMs: number;
  queueMs: number;
  penaltyMs: number;
  scoreMs: number;
}

/**
 * Score = network latency + expected queue wait + failure penalty, divided by the region's
 * weight. The queue part takes the larger of the node's published estimate (up to one probe
 * interval old) and what this gateway's own in-flight requests imply right now.
 */
export function scoreEndpoint(endpoint: Endpoint, failurePenaltyMs: number): ScoreParts {
  const latencyMs = endpoint.latency.get() ?? UNKNOWN_LATENCY_MS;
  const ownQueue = (endpoint.outstanding * endpoint.serviceMs) / Math.max(1, endpoint.nodeConcurrency);
  const queueMs = Math.max(endpoint.nodeQueueWaitMs, ownQueue);
  const penaltyMs = endpoint.consecutiveFailures * failurePenaltyMs;
  return {
    latencyMs,
    queueMs,
    penaltyMs,
    scoreMs: (latencyMs + queueMs + penaltyMs) / endpoint.region.weight,
  };
}
