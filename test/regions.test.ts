import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { percentile } from '../bench/stats.ts';
import { type Cluster, startCluster } from './support/cluster.ts';
import { type ServiceProcess, startService } from './support/processes.ts';

/**
 * Regional routing on a local three-region cluster (5, 40 and 120 ms RTT through the fault
 * proxies), real processes and sockets throughout.
 */
describe('regions: fastest healthy region, failover before the client notices', () => {
  const secret = 'regions-test-secret-0123456789';
  let dir: string;
  let cluster: Cluster;
  let token: string;
  let noHedge: ServiceProcess;

  const routing = {
    ROUTING_PROBE_INTERVAL_MS: '1000',
    ROUTING_PROBE_TIMEOUT_MS: '400',
    ROUTING_ATTEMPT_TIMEOUT_MS: '1500',
    ROUTING_EJECT_BASE_MS: '2000',
    // Clips are not kept at the gateway here, so every request is routed to a node.
    AUDIO_STORE_MAX_ENTRY_BYTES: '1024',
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-regions-'));
    cluster = await startCluster({
      secret,
      devKeyFile: path.join(dir, 'dev-key.json'),
      regions: [
        { name: 'eu-west', rttMs: 5, jitterMs: 1, nodeEnv: { SYNTH_CONCURRENCY: '1' } },
        { name: 'us-east', rttMs: 40, jitterMs: 2 },
        { name: 'ap-south', rttMs: 120, jitterMs: 4 },
      ],
      gatewayEnv: routing,
    });
    token = await cluster.token();
  });

  after(async () => {
    await noHedge?.stop();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const speak = async (input: string, base = cluster.gateway.url) => {
    const started = performance.now();
    const res = await fetch(`${base}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input, voice: 'alloy', response_format: 'pcm' }),
    });
    const bytes = (await res.arrayBuffer()).byteLength;
    return {
      status: res.status,
      region: res.headers.get('x-served-region'),
      attempts: Number(res.headers.get('x-route-attempts')),
      bytes,
      ms: performance.now() - started,
    };
  };
  const metric = async (pattern: RegExp, url = cluster.gateway.url) => {
    const match = pattern.exec(await (await fetch(`${url}/metrics`)).text());
    return match ? Number(match[1]) : 0;
  };
  const table = async () => {
    const admin = await cluster.token(['tts:admin']);
    const res = await fetch(`${cluster.gateway.url}/v1/regions`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { data: { name: string; nodes: { state: string }[] }[] }).data;
  };
  const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  test('steady state: at least 99 % of 500 requests are served by the 5 ms region', async () => {
    const served = new Map<string, number>();
    for (let i = 0; i < 500; i++) {
      const r = await speak('Steady state.');
      assert.equal(r.status, 200);
      served.set(r.region!, (served.get(r.region!) ?? 0) + 1);
    }
    assert.ok((served.get('eu-west') ?? 0) >= 495, JSON.stringify(Object.fromEntries(served)));
    const data = await table();
    assert.deepEqual(
      data.map((r) => r.name),
      ['eu-west', 'us-east', 'ap-south'],
    );
    assert.ok((await metric(/gateway_region_rtt_seconds\{region="us-east"[^}]*\} ([\d.e-]+)/)) > 0.03);
  });

  test('a queue at the near region longer than the RTT gap spills to the next region, and traffic returns', async () => {
    // Distinct texts are cache misses: the one-at-a-time eu-west node builds a queue.
    const flood = await Promise.all(
      Array.from({ length: 24 }, (_, i) => speak(`Spill over sentence number ${i} about regional queues.`)),
    );
    assert.ok(flood.every((r) => r.status === 200));
    const spilled = flood.filter((r) => r.region !== 'eu-west').length;
    assert.ok(spilled >= 3, `spilled ${spilled} of 24`);
    assert.ok(flood.filter((r) => r.region === 'ap-south').length <= spilled);
    // Traffic returns once the queue drains: 10 requests in a row to eu-west within 6 s (on a
    // loaded 2-core machine the queue estimate takes a little longer to settle than on an idle one).
    const settleBy = Date.now() + 6000;
    const after: string[] = [];
    let streak = 0;
    while (streak < 10 && Date.now() < settleBy) {
      // New text each time: a repeat would be served from the audio store, not routed.
      const { region } = await speak(`Steady state number ${after.length}.`);
      after.push(region ?? '');
      streak = region === 'eu-west' ? streak + 1 : 0;
    }
    assert.ok(streak >= 10, `traffic came back: ${after.join(' ')}`);
    const exposition = await (await fetch(`${cluster.gateway.url}/metrics`)).text();
    assert.match(exposition, /gateway_region_queue_wait_seconds\{region="eu-west"[^}]*\} [\d.e-]+/);
  });

  test('SIGKILL of the nearest node under load: no client-visible failure', async () => {
    const results: Awaited<ReturnType<typeof speak>>[] = [];
    let killed = false;
    const load = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; i < 40; i++) {
        if (worker === 0 && i === 10 && !killed) {
          killed = true;
          await cluster.regions.get('eu-west')!.node.stop('SIGKILL');
        }
        results.push(await speak(`Kill test ${worker}-${i % 5}.`));
      }
    });
    await Promise.all(load);
    const failures = results.filter((r) => r.status !== 200 || r.bytes === 0);
    assert.equal(failures.length, 0, JSON.stringify(failures.slice(0, 3)));
    assert.ok(results.some((r) => r.region === 'us-east'));
    // At least one request that tried eu-west first was served by another region. The metric
    // lines go into the message: a CI run once saw none from eu-west to us-east, unexplained.
    const exposition = await (await fetch(`${cluster.gateway.url}/metrics`)).text();
    const failedOver = [
      ...exposition.matchAll(/^gateway_failovers_total\{from="eu-west",to="[^"]+"\} (\d+)$/gm),
    ];
    assert.ok(
      failedOver.reduce((n, m) => n + Number(m[1]), 0) >= 1,
      exposition
        .split('\n')
        .filter((l) => /^gateway_(failovers|region_ejections|region_up|region_requests)/.test(l))
        .join('\n'),
    );
    await cluster.restartNode('eu-west');
    assert.ok(
      await until(async () => (await speak('Back again.')).region === 'eu-west', 15_000),
      'eu-west serves again',
    );
  });

  test('blackhole: detected within the attempt timeout, ejected, served elsewhere, re-admitted after recovery', async () => {
    const proxy = cluster.regions.get('eu-west')!.proxy;
    const ejectionsBefore = await metric(/gateway_region_ejections_total\{region="eu-west"\} (\d+)/);
    proxy.setFault({ kind: 'blackhole' });
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await speak(`Blackhole ${i % 3}.`));
    assert.ok(during.every((r) => r.status === 200));
    assert.ok(
      during.every((r) => r.ms < 1500 + 1000),
      `slowest ${Math.max(...during.map((r) => r.ms))} ms`,
    );
    assert.ok(
      await until(async () => (await table())[0]!.nodes[0]!.state !== 'admitted', 5_000),
      'eu-west ejected',
    );
    assert.ok((await metric(/gateway_region_ejections_total\{region="eu-west"\} (\d+)/)) > ejectionsBefore);
    assert.equal(await metric(/gateway_region_up\{region="eu-west"[^}]*\} (\d+)/), 0);
    const served = await speak('While ejected.');
    assert.equal(served.region, 'us-east');
    assert.equal(served.attempts, 1);
    proxy.setFault({ kind: 'none' });
    assert.ok(
      await until(async () => (await table())[0]!.nodes[0]!.state === 'admitted', 10_000),
      're-admitted',
    );
    assert.ok(cluster.gateway.logs.some((l) => l.msg === 'node ejected' && l.region === 'eu-west'));
    assert.ok(cluster.gateway.logs.some((l) => l.msg === 'node re-admitted' && l.region === 'eu-west'));
    assert.ok(await until(async () => (await speak('Recovered.')).region === 'eu-west', 5_000));
  });

  test('500 ms stalls on 5 % of the near region: hedging lowers the p99 against the same run without it', async () => {
    noHedge = await startService('gateway/main.ts', {
      INTERNAL_AUTH_SECRET: secret,
      AUTH_DEV_KEY_FILE: path.join(dir, 'dev-key.json'),
      GATEWAY_REGIONS: cluster.regionsConfig,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      RATE_LIMIT_CHARACTERS_PER_MINUTE: '0',
      RATE_LIMIT_CONCURRENT_REQUESTS: '0',
      ROUTING_HEDGE: 'false',
      ...routing,
    });
    // Warm both gateways' TTFB windows before the stalls begin.
    for (let i = 0; i < 30; i++) {
      await speak('Hedge me.');
      await speak('Hedge me.', noHedge.url);
    }
    cluster.regions.get('eu-west')!.proxy.setFault({ kind: 'stall', probability: 0.05, ms: 500 });
    const hedged: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 300; i++) {
      const a = await speak('Hedge me.');
      const b = await speak('Hedge me.', noHedge.url);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      hedged.push(a.ms);
      plain.push(b.ms);
    }
    cluster.regions.get('eu-west')!.proxy.setFault({ kind: 'none' });
    const p99Hedged = percentile(hedged, 99);
    const p99Plain = percentile(plain, 99);
    assert.ok(p99Plain >= 400, `without hedging p99 is ${p99Plain} ms`);
    assert.ok(
      p99Hedged < p99Plain * 0.7,
      `p99 ${p99Hedged.toFixed(0)} ms hedged vs ${p99Plain.toFixed(0)} ms not`,
    );
    assert.ok((await metric(/gateway_hedges_total\{region="us-east"\} (\d+)/)) >= 1);
    assert.equal(await metric(/gateway_hedges_total\{region="us-east"\} (\d+)/, noHedge.url), 0);
  });
});
