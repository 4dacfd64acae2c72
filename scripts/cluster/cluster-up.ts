import { type Cluster, type ClusterRegionOptions, startCluster } from '../../test/support/cluster.ts';
import type { ServiceProcess } from '../../test/support/processes.ts';
import { devKeyFile, ensureInternalSecret } from '../dev-data.ts';
import { formatRegion } from './control-client.ts';
import { type ControlServer, createControlServer, describeRegion } from './control-server.ts';
import {
  type ClusterState,
  clusterStateFile,
  isRunning,
  readClusterState,
  removeClusterState,
  writeClusterState,
} from './state-file.ts';

/** The three regions of the integration tests, with a little jitter. */
export const defaultRegions: ClusterRegionOptions[] = [
  { name: 'eu-west', rttMs: 5, jitterMs: 1 },
  { name: 'us-east', rttMs: 40, jitterMs: 2 },
  { name: 'ap-south', rttMs: 120, jitterMs: 4 },
];

/** Log lines at this pino level and above are printed; the rest only with --verbose. */
const warnLevel = 40;

export interface ClusterUpOptions {
  /** Gateway port. */
  port: string;
  /** Print every log line of every process, not only warnings and errors. */
  verbose: boolean;
  /** Passed to each node (VOICES_DIR, BUILTIN_VOICE) and to the gateway (DEFAULT_VOICE) when set. */
  env: Record<string, string | undefined>;
}

/**
 * `npm run cluster`: starts the default cluster (gateway on `port`), writes the state file the
 * fault commands read, prints how to use it, and runs until SIGINT or SIGTERM, or until the
 * gateway dies; then stops everything and removes the state file.
 */
export async function clusterUp(options: ClusterUpOptions): Promise<void> {
  const previous = await readClusterState();
  if (previous && previous.pid !== process.pid && isRunning(previous.pid)) {
    throw new Error(`a cluster is already running (pid ${previous.pid}, gateway ${previous.gateway})`);
  }
  let cluster: Cluster | undefined;
  let control: ControlServer | undefined;
  let tail: NodeJS.Timeout | undefined;
  let stopping: number | undefined;
  // Registered before anything starts: a signal during start-up stops the cluster once it is up.
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  function stop(code: number) {
    if (stopping !== undefined) return;
    stopping = code;
    if (cluster) void shutdown();
  }
  async function shutdown() {
    process.stdout.write('\nStopping the cluster…\n');
    setTimeout(() => process.exit(1), 30_000).unref();
    clearInterval(tail);
    await control?.close();
    await cluster?.stop();
    await removeClusterState();
    process.exit(stopping ?? 0);
  }

  const nodeEnv = pick(options.env, ['VOICES_DIR', 'BUILTIN_VOICE']);
  process.stdout.write('Starting 3 regional nodes, 3 fault proxies and the gateway…\n');
  cluster = await startCluster({
    regions: defaultRegions.map((region) => ({ ...region, nodeEnv })),
    gatewayEnv: { PORT: options.port, ...pick(options.env, ['DEFAULT_VOICE']) },
    secret: await ensureInternalSecret(),
    devKeyFile,
  });
  const started = cluster;
  const startedAt = new Date().toISOString();
  try {
    control = await createControlServer({
      cluster,
      onNodeRestarted: () => void writeClusterState(stateOf(started, control!.url, startedAt)),
    });
    await writeClusterState(stateOf(cluster, control.url, startedAt));
  } catch (err) {
    stopping = 1;
    await control?.close();
    await cluster.stop();
    throw err;
  }
  if (stopping !== undefined) return shutdown();
  cluster.gateway.child.once('exit', (code, signal) => {
    if (stopping !== undefined) return;
    process.stderr.write(`the gateway exited (${code ?? signal}); stopping the cluster\n`);
    stop(1);
  });
  tail = setInterval(() => printLogs(started, options.verbose), 250);
  process.stdout.write(await banner(cluster, control.url));
}

function stateOf(cluster: Cluster, control: string, startedAt: string): ClusterState {
  const regions: ClusterState['regions'] = {};
  for (const region of cluster.regions.values()) {
    regions[region.name] = {
      control: `${control}/regions/${encodeURIComponent(region.name)}`,
      proxy: region.proxy.url,
      node: region.node.url,
      ...region.proxy.latency,
    };
  }
  return { pid: process.pid, startedAt, gateway: cluster.gateway.url, control, regions };
}

/** Prints what the processes logged since the last call, and forgets it so memory stays flat. */
function printLogs(cluster: Cluster, verbose: boolean) {
  const sources: [string, ServiceProcess][] = [
    ['gateway', cluster.gateway],
    ...[...cluster.regions.values()].map((region): [string, ServiceProcess] => [region.name, region.node]),
  ];
  for (const [name, service] of sources) {
    for (const line of service.logs.splice(0)) {
      if (verbose || typeof line.level !== 'number' || line.level >= warnLevel) {
        process.stderr.write(`[${name}] ${JSON.stringify(line)}\n`);
      }
    }
  }
}

async function banner(cluster: Cluster, control: string) {
  const token = await cluster.token(['tts:speak', 'tts:admin'], 'dev-user');
  const gateway = cluster.gateway.url.replace('127.0.0.1', 'localhost');
  const regions = [...cluster.regions.values()].map((region) => `  ${formatRegion(describeRegion(region))}`);
  return `
Speechgate cluster is ready: gateway ${gateway}, through a fault proxy to each region:
${regions.join('\n')}
Control server ${control} (state in ${clusterStateFile}).

Try it (token valid for 1 hour, scopes tts:speak tts:admin; \`npm run -s token\` prints a fresh one):

curl -sS -o hello.wav -D - -H "authorization: Bearer ${token}" -H 'content-type: application/json' \\
  -d '{"model":"tts-1","input":"Hello from the edge.","voice":"alloy","response_format":"wav"}' \\
  ${gateway}/v1/audio/speech

Inject faults from another terminal:
  npm run cluster -- fault us-east blackhole        (or: reset [accept|request], 503, slow-body [bytes] [everyMs],
                                                     stall [probability] [ms], none)
  npm run cluster -- latency us-east 80 5           (rtt and jitter in ms)
  npm run cluster -- kill eu-west                   (SIGKILL the node; restart eu-west brings it back)
  npm run cluster -- status

Ctrl-C stops everything.
`;
}

function pick(env: Record<string, string | undefined>, keys: readonly string[]) {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  return picked;
}
