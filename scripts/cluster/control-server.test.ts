import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cluster, ClusterRegion } from '../../test/support/cluster.ts';
import type { ServiceProcess } from '../../test/support/processes.ts';
import { type ControlServer, createControlServer } from './control-server.ts';
import { createFaultProxy } from './fault-proxy.ts';

/** A stand-in for a node process: records the signals it was stopped with. */
function fakeService(url: string, signals: string[] = []) {
  const child = { exitCode: null, signalCode: null as string | null };
  const service = {
    url,
    child,
    logs: [],
    async stop(signal = 'SIGTERM') {
      signals.push(signal);
      child.signalCode = signal;
    },
  };
  return service as unknown as ServiceProcess;
}

describe('control server', () => {
  const signals: string[] = [];
  const restarted: string[] = [];
  let region: ClusterRegion;
  let control: ControlServer;

  before(async () => {
    const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: 9 }, rttMs: 5 });
    region = { name: 'us-east', node: fakeService('http://127.0.0.1:1111', signals), proxy };
    const cluster: Cluster = {
      gateway: fakeService('http://127.0.0.1:8080'),
      regions: new Map([[region.name, region]]),
      regionsConfig: '{"regions":[]}',
      token: async () => 'token',
      async restartNode(name) {
        region.node = fakeService('http://127.0.0.1:2222', signals);
        restarted.push(name);
        return region.node;
      },
      async stop() {},
    };
    control = await createControlServer({
      cluster,
      onNodeRestarted: (r) => restarted.push(`hook:${r.name}`),
    });
  });

  after(async () => {
    await control.close();
    await region.proxy.close();
  });

  async function call(path: string, body?: string) {
    const response = await fetch(`${control.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  test('GET /status lists the gateway and every region', async () => {
    const { status, json } = await call('/status');
    assert.equal(status, 200);
    assert.equal(json.gateway, 'http://127.0.0.1:8080');
    const [only, ...others] = json.regions as Record<string, unknown>[];
    assert.equal(others.length, 0);
    assert.deepEqual(
      { ...only, stats: undefined },
      {
        name: 'us-east',
        proxy: region.proxy.url,
        node: 'http://127.0.0.1:1111',
        nodeRunning: true,
        fault: { kind: 'none' },
        latency: { rttMs: 5, jitterMs: 0 },
        stats: undefined,
      },
    );
    assert.deepEqual(only?.stats, region.proxy.stats());
  });

  test('POST …/fault takes a bare kind or a full fault, with defaults', async () => {
    assert.equal((await call('/regions/us-east/fault', '"blackhole"')).status, 200);
    assert.deepEqual(region.proxy.fault, { kind: 'blackhole' });
    const { json } = await call('/regions/us-east/fault', '{"kind":"stall","probability":0.1}');
    assert.deepEqual(json.fault, { kind: 'stall', probability: 0.1, ms: 500 });
    assert.deepEqual(region.proxy.fault, { kind: 'stall', probability: 0.1, ms: 500 });
  });

  test('POST …/latency changes the region RTT', async () => {
    await call('/regions/us-east/latency', '{"rttMs":80,"jitterMs":5}');
    assert.deepEqual(region.proxy.latency, { rttMs: 80, jitterMs: 5 });
  });

  test('POST …/node kills with SIGKILL and restarts', async () => {
    const killed = await call('/regions/us-east/node', '{"action":"kill"}');
    assert.equal(killed.json.nodeRunning, false);
    assert.deepEqual(signals, ['SIGKILL']);
    const again = await call('/regions/us-east/node', '{"action":"restart"}');
    assert.equal(again.json.node, 'http://127.0.0.1:2222');
    assert.equal(again.json.nodeRunning, true);
    assert.deepEqual(restarted, ['us-east', 'hook:us-east']);
  });

  test('bad input answers 400, unknown regions and routes 404, and nothing changes', async () => {
    const before = region.proxy.fault;
    assert.equal((await call('/regions/us-east/fault', '"meltdown"')).status, 400);
    assert.equal((await call('/regions/us-east/fault', 'not json')).status, 400);
    assert.equal((await call('/regions/us-east/latency', '{"rttMs":-1}')).status, 400);
    assert.equal((await call('/regions/us-east/node', '{"action":"explode"}')).status, 400);
    const missing = await call('/regions/nowhere/fault', '"503"');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'no region named nowhere');
    assert.equal((await call('/elsewhere')).status, 404);
    assert.deepEqual(region.proxy.fault, before);
  });
});
