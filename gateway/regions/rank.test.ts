import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeClient } from '../upstream/node-client.ts';
import { createEndpoint, type Endpoint } from './endpoint.ts';
import { rankEndpoints } from './rank.ts';

const client = {} as NodeClient;
function endpoint(
  name: string,
  latencyMs: number,
  extra: Partial<Endpoint> = {},
  region: Partial<{ weight: number; drain: boolean }> = {},
) {
  const e = createEndpoint(
    { name, nodes: [`http://${name}`], weight: region.weight ?? 1, drain: region.drain ?? false },
    `http://${name}`,
    client,
  );
  e.latency.observe(latencyMs);
  return Object.assign(e, extra);
}
const names = (r: { endpoints: Endpoint[] }) => r.endpoints.map((e) => e.region.name);
const options = { failurePenaltyMs: 1000, toleranceMs: 5, random: () => 0 };

test('orders by latency + queue wait: a near region with a long queue loses to a farther idle one', () => {
  const near = endpoint('near', 5, { nodeQueueWaitMs: 100 });
  const far = endpoint('far', 40);
  assert.deepEqual(names(rankEndpoints([near, far], options)), ['far', 'near']);
  near.nodeQueueWaitMs = 10;
  assert.deepEqual(names(rankEndpoints([near, far], options)), ['near', 'far']);
});

test("this gateway's own in-flight requests count as queue before the next probe sees them", () => {
  const near = endpoint('near', 5, { outstanding: 8, serviceMs: 20, nodeConcurrency: 1 });
  const far = endpoint('far', 40);
  assert.deepEqual(names(rankEndpoints([near, far], options)), ['far', 'near']);
});

test('drained regions, unready and ejected nodes are skipped; weight divides the score', () => {
  const a = endpoint('a', 5, {}, { drain: true });
  const b = endpoint('b', 6, { ready: false });
  const c = endpoint('c', 7, { ejectedUntil: Date.now() + 1000 });
  const d = endpoint('d', 60);
  const e = endpoint('e', 100, {}, { weight: 4 });
  const ranking = rankEndpoints([a, b, c, d, e], options);
  assert.equal(ranking.panic, false);
  assert.deepEqual(names(ranking), ['e', 'd']);
});

test('panic mode: with nothing usable, every node is tried, best score first', () => {
  const a = endpoint('a', 50, { ejectedUntil: 1 });
  const b = endpoint('b', 5, { ejectedUntil: 1 });
  const ranking = rankEndpoints([a, b], options);
  assert.equal(ranking.panic, true);
  assert.deepEqual(names(ranking), ['b', 'a']);
});

test('power of two choices among near-equal nodes prefers the less loaded', () => {
  const a = endpoint('a', 10, { outstanding: 3 });
  const b = endpoint('b', 11, { outstanding: 0 });
  const far = endpoint('far', 80);
  let i = 0;
  const picks = new Set<string>();
  for (let n = 0; n < 20; n++) {
    const r = rankEndpoints([a, b, far], { ...options, random: () => [0, 0.99, 0.5, 0.2][i++ % 4]! });
    picks.add(r.endpoints[0]!.region.name);
    assert.equal(r.endpoints.at(-1)!.region.name, 'far');
  }
  assert.deepEqual([...picks], ['b']);
});
