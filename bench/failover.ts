import os from 'node:os';
import { createEndpoint } from '../gateway/regions/endpoint.ts';
import { rankEndpoints } from '../gateway/regions/rank.ts';
import type { NodeClient } from '../gateway/upstream/node-client.ts';
import { startCluster } from '../test/support/cluster.ts';
import { fmt, percentile, table } from './stats.ts';

/**
 * `npm run bench:failover`: a three-region cluster (5, 40, 120 ms) under steady load; the
 * nearest region's node is SIGKILLed and later restarted. Prints errors and latency before,
 * during and after, the failover window as a ratio of the probe interval, and what one routing
 * decision costs.
 */
const PROBE_INTERVAL_MS = 1000;
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 6000);
const WORKERS = 4;

interface Sample {
  start: number;
  end: number;
  ok: boolean;
  attempts: number;
  region: string | null;
  tried: string;
}

const cluster = await startCluster({
  regions: [
    { name: 'eu-west', rttMs: 5, jitterMs: 1 },
    { name: 'us-east', rttMs: 40, jitterMs: 2 },
    { name: 'ap-south', rttMs: 120, jitterMs: 4 },
  ],
  gatewayEnv: { ROUTING_PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS), AUDIO_STORE_MAX_ENTRY_BYTES: '1024' },
});
try {
  const token = await cluster.token();
  const samples: Sample[] = [];
  const started = performance.now();
  let stop = false;
  const speak = async (i: number) => {
    const start = performance.now() - started;
    try {
      const res = await fetch(`${cluster.gateway.url}/v1/audio/speech`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'tts-1',
          input: `Failover sample ${i % 20}.`,
          voice: 'alloy',
          response_format: 'pcm',
        }),
      });
      await res.arrayBuffer();
      samples.push({
        start,
        end: performance.now() - started,
        ok: res.status === 200,
        attempts: Number(res.headers.get('x-route-attempts') ?? 0),
        region: res.headers.get('x-served-region'),
        tried: res.headers.get('x-route-regions') ?? '',
      });
    } catch {
      samples.push({
        start,
        end: performance.now() - started,
        ok: false,
        attempts: 0,
        region: null,
        tried: '',
      });
    }
  };
  const load = Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = w; !stop; i += WORKERS) await speak(i);
  });
  await new Promise((r) => setTimeout(r, PHASE_MS));
  const killAt = performance.now() - started;
  await cluster.regions.get('eu-west')!.node.stop('SIGKILL');
  await new Promise((r) => setTimeout(r, PHASE_MS));
  const restartAt = performance.now() - started;
  await cluster.restartNode('eu-west');
  await new Promise((r) => setTimeout(r, PHASE_MS));
  stop = true;
  await Promise.all(load);

  const phase = (from: number, to: number) => samples.filter((s) => s.start >= from && s.start < to);
  const row = (name: string, list: Sample[]) => {
    const ms = list.filter((s) => s.ok).map((s) => s.end - s.start);
    const regions = new Map<string, number>();
    for (const s of list) if (s.region) regions.set(s.region, (regions.get(s.region) ?? 0) + 1);
    return [
      name,
      list.length,
      list.filter((s) => !s.ok).length,
      fmt(percentile(ms, 50)),
      fmt(percentile(ms, 99)),
      [...regions].map(([r, n]) => `${r}:${n}`).join(' '),
    ];
  };
  // Only requests in flight or started while the node was dead: after the restart, retries
  // belong to the re-admission, not to the failover.
  const afterKill = samples.filter((s) => s.end >= killAt && s.start < restartAt);
  // The window closes with the last request that failed, or that tried the dead region first
  // and had to fail over (x-route-regions lists the regions tried, in order).
  const affected = afterKill.filter((s) => !s.ok || (s.attempts > 1 && s.tried.startsWith('eu-west')));
  const windowMs = affected.length > 0 ? Math.max(...affected.map((s) => s.end)) - killAt : 0;

  // Routing decision cost: ranking three scored endpoints, as every request does.
  const client = {} as NodeClient;
  const endpoints = ['eu-west', 'us-east', 'ap-south'].map((name, i) => {
    const e = createEndpoint(
      { name, nodes: [`http://${name}`], weight: 1, drain: false },
      `http://${name}`,
      client,
    );
    e.latency.observe(5 + i * 40);
    return e;
  });
  const rounds = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) rankEndpoints(endpoints, { failurePenaltyMs: 1000, toleranceMs: 5 });
  const decisionUs = ((performance.now() - t0) * 1000) / rounds;

  console.log(
    `Speechgate failover bench — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log(
    `3 regions (eu-west 5 ms, us-east 40 ms, ap-south 120 ms), ${WORKERS} clients in a loop, probe every ${PROBE_INTERVAL_MS} ms`,
  );
  console.log(
    `eu-west's node SIGKILLed at ${(killAt / 1000).toFixed(1)} s, restarted at ${(restartAt / 1000).toFixed(1)} s\n`,
  );
  console.log(
    table([
      ['phase', 'requests', 'errors', 'p50 ms', 'p99 ms', 'served by'],
      row('before kill', phase(0, killAt)),
      row('after kill', phase(killAt, restartAt)),
      row('after restart', phase(restartAt, Number.POSITIVE_INFINITY)),
    ]),
  );
  console.log(
    `\nrequests failed or retried after the kill: ${affected.length} (failed: ${affected.filter((s) => !s.ok).length})`,
  );
  console.log(
    `failover window: ${fmt(windowMs, 0)} ms = ${fmt(windowMs / PROBE_INTERVAL_MS, 3)} × the probe interval (target ≤ 0.2)`,
  );
  console.log(`routing decision: ${fmt(decisionUs, 2)} µs per request (rank 3 endpoints, ${rounds} rounds)`);
} finally {
  await cluster.stop();
}
