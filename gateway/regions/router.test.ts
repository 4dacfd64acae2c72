import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { ApiError } from '../../shared/errors.ts';
import { createSilentLogger } from '../../shared/logger.ts';
import {
  type NodeAudio,
  type NodeClient,
  UpstreamError,
  type UpstreamFailure,
} from '../upstream/node-client.ts';
import { createRegionMetrics } from './region-metrics.ts';
import { createRegionRouter } from './router.ts';

type Behaviour = { fail?: UpstreamFailure | 'client'; delayMs?: number };

/** A node client whose answers the test scripts: the routing logic is what is under test here. */
function scriptedClient(url: string, script: () => Behaviour, log: string[]): NodeClient {
  return {
    url,
    async synthesize(_request, context) {
      log.push(url);
      const b = script();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, b.delayMs ?? 1);
        context.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new UpstreamError('aborted', 'aborted'));
        });
      });
      if (b.fail === 'client') throw new ApiError('voice_not_found', 'no such voice', { param: 'voice' });
      if (b.fail) throw new UpstreamError(b.fail, `${url} ${b.fail}`);
      const audio: NodeAudio = {
        body: Buffer.from(url),
        headers: { 'x-synthesis-ms': '1', 'x-queue-ms': '0' },
        ttfbMs: b.delayMs ?? 1,
      };
      return audio;
    },
    voices: async () => [],
    lookupCache: async (requests) => requests.map(() => 'miss' as const),
    readyz: async () => ({
      ok: true,
      body: { status: 'ready', load: { estimated_wait_ms: 0, concurrency: 1 } },
      rttMs: 1,
    }),
    close: async () => {},
  };
}

function router(
  scripts: Record<string, () => Behaviour>,
  overrides: { hedge?: boolean; maxAttempts?: number } = {},
) {
  const log: string[] = [];
  const registry = new Registry();
  const r = createRegionRouter({
    regions: {
      regions: Object.keys(scripts).map((name) => ({
        name,
        nodes: [`http://${name}`],
        weight: 1,
        drain: false,
      })),
    },
    createClient: (url) => scriptedClient(url, scripts[new URL(url).hostname]!, log),
    outlier: {
      consecutiveFailures: 2,
      baseEjectionMs: 1000,
      maxEjectionMs: 8000,
      failurePenaltyMs: 1000,
      forgiveAfterMs: 60_000,
    },
    toleranceMs: 0,
    retryBudget: { ratio: 0.2, minPerSecond: 10 },
    maxAttempts: overrides.maxAttempts ?? 3,
    attemptTimeoutMs: 1000,
    hedging: { enabled: overrides.hedge ?? false, minDelayMs: 5, minSamples: 5 },
    logger: createSilentLogger(),
    metrics: createRegionMetrics(registry),
  });
  // Seed latencies so the order is near < far < farthest.
  for (const [i, name] of Object.keys(scripts).entries()) {
    r.endpoints.find((e) => e.region.name === name)!.latency.observe(5 + i * 40);
  }
  return { r, log, registry };
}
const ctx = () => ({ requestId: 'r', tenant: 't', deadlineAt: Date.now() + 5_000 });
const request = { voice: 'v', text: 'hello', format: 'wav' as const, speed: 1 };

describe('region router', () => {
  test('serves from the best region when it is healthy', async () => {
    const { r } = router({ near: () => ({}), far: () => ({}) });
    const audio = await r.synthesize(request, ctx());
    assert.equal(audio.region, 'near');
    assert.equal(audio.attempts, 1);
  });

  test('a connection failure fails over to the next region, and the failed node is scored down', async () => {
    const { r, registry } = router({ near: () => ({ fail: 'connect' }), far: () => ({}) });
    const first = await r.synthesize(request, ctx());
    assert.equal(first.region, 'far');
    assert.equal(first.attempts, 2);
    // A failed attempt counts as slow, so the next request goes straight to the healthy region.
    const second = await r.synthesize(request, ctx());
    assert.equal(second.region, 'far');
    assert.equal(second.attempts, 1);
    assert.match(await registry.metrics(), /gateway_failovers_total\{from="near",to="far"\} 1/);
  });

  test('consecutive failures eject a node, logged and counted, for a growing time', async () => {
    const { r, registry } = router({ near: () => ({}), far: () => ({}) });
    const near = r.endpoints.find((e) => e.region.name === 'near')!;
    const t0 = Date.now();
    r.outliers.failed(near, 'timeout', 10, 'timed out', t0);
    assert.equal(near.ejectedUntil, 0);
    r.outliers.failed(near, 'timeout', 10, 'timed out', t0);
    assert.equal(near.ejectedUntil, t0 + 1000);
    assert.equal(r.table()[0]!.nodes[0]!.state, 'ejected');
    assert.equal((await r.synthesize(request, ctx())).region, 'far');
    r.outliers.probed(
      near,
      { ok: true, rttMs: 1, body: { status: 'ready', load: { estimated_wait_ms: 0, concurrency: 1 } } },
      t0 + 1001,
    );
    assert.equal(near.ejectedUntil, 0);
    r.outliers.failed(near, 'reset', 10, 'reset', t0 + 1002);
    r.outliers.failed(near, 'reset', 10, 'reset', t0 + 1003);
    assert.equal(near.ejectedUntil, t0 + 1003 + 2000, 'the second ejection lasts twice as long');
    assert.match(await registry.metrics(), /gateway_region_ejections_total\{region="near"\} 2/);
    // Overload is not an outage: it raises the score but never ejects.
    const far = r.endpoints.find((e) => e.region.name === 'far')!;
    for (let i = 0; i < 5; i++) r.outliers.failed(far, 'overloaded', 1, 'busy', t0);
    assert.equal(far.ejectedUntil, 0);
  });

  test('a client error (4xx from the node) is not retried elsewhere', async () => {
    const { r, log } = router({ near: () => ({ fail: 'client' }), far: () => ({}) });
    await assert.rejects(r.synthesize(request, ctx()), { code: 'voice_not_found' });
    assert.deepEqual(log, ['http://near']);
  });

  test('when every attempt fails the last upstream error surfaces, bounded by maxAttempts', async () => {
    const { r, log } = router(
      { near: () => ({ fail: 'status_5xx' }), far: () => ({ fail: 'reset' }) },
      { maxAttempts: 3 },
    );
    await assert.rejects(r.synthesize(request, ctx()), (err: UpstreamError) => err.status >= 500);
    assert.equal(log.length, 3);
  });

  test('the deadline bounds all attempts together', async () => {
    const { r } = router({ near: () => ({ delayMs: 2_000 }), far: () => ({ delayMs: 2_000 }) });
    const started = Date.now();
    await assert.rejects(r.synthesize(request, { ...ctx(), deadlineAt: Date.now() + 300 }));
    assert.ok(Date.now() - started < 1_500);
  });

  test('a slow first attempt is hedged on the next region after its p95 TTFB; the loser is cancelled', async () => {
    let slow = false;
    const { r, log, registry } = router(
      { near: () => ({ delayMs: slow ? 500 : 10 }), far: () => ({ delayMs: 10 }) },
      { hedge: true },
    );
    for (let i = 0; i < 10; i++) await r.synthesize(request, ctx());
    slow = true;
    log.length = 0;
    const started = Date.now();
    const audio = await r.synthesize(request, ctx());
    assert.equal(audio.region, 'far');
    assert.equal(audio.hedged, true);
    assert.ok(Date.now() - started < 300, `hedged answer took ${Date.now() - started} ms`);
    assert.deepEqual(log, ['http://near', 'http://far']);
    assert.match(await registry.metrics(), /gateway_hedge_wins_total\{region="far"\} 1/);
  });

  test('panic mode: when every node is ejected, all are tried rather than failing everything', async () => {
    const { r, registry } = router({ near: () => ({}), far: () => ({}) });
    for (const e of r.endpoints) e.ejectedUntil = Date.now() + 60_000;
    const audio = await r.synthesize(request, ctx());
    assert.equal(audio.region, 'near');
    assert.equal(r.endpoints[0]!.ejectedUntil, 0, 'a success re-admits the node');
    assert.match(await registry.metrics(), /gateway_routing_panic_total 1/);
  });

  test('a good probe clears the failure penalty a failed probe left on an admitted node', async () => {
    const { r } = router({ near: () => ({}), far: () => ({}) });
    const near = r.endpoints.find((e) => e.region.name === 'near')!;
    r.outliers.failed(near, 'probe', 400, 'probe timed out', Date.now());
    assert.equal(near.consecutiveFailures, 1);
    r.outliers.probed(
      near,
      { ok: true, rttMs: 5, body: { status: 'ready', load: { estimated_wait_ms: 0, concurrency: 1 } } },
      Date.now(),
    );
    assert.equal(near.consecutiveFailures, 0);
  });
});
