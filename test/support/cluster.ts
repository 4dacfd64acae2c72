import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type DevKey, ensureDevKey, signDevToken } from '../../gateway/auth/dev-key.ts';
import { createFaultProxy, type FaultProxy } from '../../scripts/cluster/fault-proxy.ts';
import { repoRoot, type ServiceProcess, startService } from './processes.ts';

export interface ClusterRegionOptions {
  name: string;
  /** Simulated round trip between the gateway and this region. */
  rttMs: number;
  /** Default 0. */
  jitterMs?: number;
  /** Seed of this region's proxy. Default: the region's position, plus one. */
  seed?: number;
  /** Extra environment for this region's node; overrides the defaults below. */
  nodeEnv?: Record<string, string>;
}

export interface StartClusterOptions {
  regions: readonly ClusterRegionOptions[];
  /** Extra environment for the gateway (PORT included); overrides the defaults below. */
  gatewayEnv?: Record<string, string>;
  /** Gateway → node secret. Default: random per cluster. */
  secret?: string;
  /** Dev signing key file, created when missing. Default: one in a temporary folder. */
  devKeyFile?: string;
  /** How long each process may take to log its ready line. Default 60 s. */
  startTimeoutMs?: number;
}

export interface ClusterRegion {
  readonly name: string;
  /** The region's current node process; `restartNode` replaces it. */
  node: ServiceProcess;
  /** What the gateway talks to: latency and faults in front of `node`. */
  proxy: FaultProxy;
}

export interface Cluster {
  gateway: ServiceProcess;
  regions: Map<string, ClusterRegion>;
  /** The `GATEWAY_REGIONS` document the gateway was started with. */
  regionsConfig: string;
  /** A dev token for the gateway. Default scopes `['tts:speak']`, subject `cluster-client`. */
  token(scopes?: string[], subject?: string): Promise<string>;
  /** Stops the region's node (SIGTERM, if still running), starts a new one, re-targets the proxy. */
  restartNode(name: string): Promise<ServiceProcess>;
  /** Stops the gateway, the proxies and the nodes; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a local multi-region cluster of real processes on loopback, every port chosen freely
 * unless `gatewayEnv.PORT` says otherwise: per region a node (`REGION=<name>`, the built-in voice,
 * `ORT_INTRA_OP_THREADS` sharing the cores between nodes) behind a fault proxy with the region's
 * RTT, and one gateway whose `GATEWAY_REGIONS` lists the proxies (and, for a gateway that reads
 * only `NODE_URL`, the first region's proxy). Rate limits are off unless `gatewayEnv` sets them,
 * since tests here send hundreds of requests. If anything fails to start, what did start is
 * stopped.
 *
 * @example
 * const cluster = await startCluster({ regions: [{ name: 'eu-west', rttMs: 5 }, { name: 'us-east', rttMs: 40 }] });
 * cluster.regions.get('eu-west')!.proxy.setFault('blackhole');
 * await fetch(`${cluster.gateway.url}/v1/audio/speech`, {
 *   method: 'POST',
 *   headers: { authorization: `Bearer ${await cluster.token()}`, 'content-type': 'application/json' },
 *   body: JSON.stringify({ model: 'tts-1', input: 'Hello.', voice: 'alloy' }),
 * });
 * await cluster.stop();
 */
export async function startCluster(options: StartClusterOptions): Promise<Cluster> {
  const names = options.regions.map((region) => region.name);
  if (names.length === 0) throw new TypeError('a cluster needs at least one region');
  if (new Set(names).size !== names.length) throw new TypeError(`region names repeat: ${names.join(', ')}`);
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const temporary = options.devKeyFile ? undefined : await mkdtemp(path.join(os.tmpdir(), 'sg-cluster-'));
  const devKeyFile = options.devKeyFile ?? path.join(temporary!, 'dev-key.json');
  const threads = String(Math.max(1, Math.floor(os.availableParallelism() / names.length)));
  const regions = new Map<string, ClusterRegion>();
  /** Nodes started but not yet in `regions`, so a failed start still stops them. */
  const unowned = new Set<ServiceProcess>();
  let gateway: ServiceProcess | undefined;
  let stopping: Promise<void> | undefined;

  function startNode(region: ClusterRegionOptions) {
    return startService(
      'node/main.ts',
      {
        REGION: region.name,
        INTERNAL_AUTH_SECRET: secret,
        VOICES_DIR: path.join(repoRoot, 'voices'),
        ORT_INTRA_OP_THREADS: threads,
        ...region.nodeEnv,
      },
      { timeoutMs },
    );
  }

  function stop() {
    stopping ??= (async () => {
      await gateway?.stop();
      // Proxies first, so nodes are not left waiting on keep-alive connections while draining.
      await Promise.all([...regions.values()].map((region) => region.proxy.close()));
      const nodes = [...[...regions.values()].map((region) => region.node), ...unowned];
      await Promise.all(nodes.map((node) => node.stop()));
      if (temporary) await rm(temporary, { recursive: true, force: true });
    })();
    return stopping;
  }

  try {
    const devKey: DevKey = await ensureDevKey(devKeyFile);
    const started = await Promise.allSettled(options.regions.map(startNode));
    for (const result of started) if (result.status === 'fulfilled') unowned.add(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const [index, region] of options.regions.entries()) {
      const node = (started[index] as PromiseFulfilledResult<ServiceProcess>).value;
      const proxy = await createFaultProxy({
        target: targetOf(node),
        rttMs: region.rttMs,
        jitterMs: region.jitterMs ?? 0,
        seed: region.seed ?? index + 1,
      });
      regions.set(region.name, { name: region.name, node, proxy });
      unowned.delete(node);
    }
    const regionsConfig = JSON.stringify({
      regions: [...regions.values()].map((region) => ({
        name: region.name,
        nodes: [region.proxy.url],
        weight: 1,
        drain: false,
      })),
    });
    gateway = await startService(
      'gateway/main.ts',
      {
        INTERNAL_AUTH_SECRET: secret,
        AUTH_DEV_KEY_FILE: devKeyFile,
        GATEWAY_REGIONS: regionsConfig,
        NODE_URL: regions.values().next().value!.proxy.url,
        RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
        RATE_LIMIT_CHARACTERS_PER_MINUTE: '0',
        RATE_LIMIT_CONCURRENT_REQUESTS: '0',
        ...options.gatewayEnv,
      },
      { timeoutMs },
    );
    return {
      gateway,
      regions,
      regionsConfig,
      token(scopes = ['tts:speak'], subject = 'cluster-client') {
        return signDevToken(devKey, {
          subject,
          scopes,
          ttlSeconds: 3600,
          issuer: 'speechgate-dev',
          audience: 'speechgate',
        });
      },
      async restartNode(name) {
        const region = regions.get(name);
        const spec = options.regions.find((candidate) => candidate.name === name);
        if (!region || !spec) throw new TypeError(`no region named ${name}`);
        await region.node.stop();
        region.node = await startNode(spec);
        region.proxy.setTarget(targetOf(region.node));
        return region.node;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function targetOf(service: ServiceProcess) {
  const url = new URL(service.url);
  return { host: url.hostname, port: Number(url.port) };
}
