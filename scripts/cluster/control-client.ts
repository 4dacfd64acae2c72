import type { RegionStatus } from './control-server.ts';
import { describeFault, type Fault } from './fault.ts';
import { type ClusterState, clusterStateFile, isRunning, readClusterState } from './state-file.ts';

/** Reads the state file of the running cluster, or explains why there is none. */
export async function runningCluster(): Promise<ClusterState> {
  const state = await readClusterState();
  if (!state)
    throw new Error(`no cluster is running (no ${clusterStateFile}); start one with: npm run cluster`);
  if (!isRunning(state.pid)) {
    throw new Error(
      `the cluster in ${clusterStateFile} (pid ${state.pid}) is gone; start one with: npm run cluster`,
    );
  }
  return state;
}

/** Calls the running cluster's control server and returns its JSON answer, throwing on errors. */
export async function callControl(
  state: ClusterState,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${state.control}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`the cluster's control server at ${state.control} does not answer`, { cause: err });
  }
  const answer = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(answer.error ?? `control server answered ${response.status}`);
  return answer;
}

/** One line per region, for `status` and after each change. */
export function formatRegion(region: RegionStatus): string {
  const { stats, latency } = region;
  const injected = Object.entries(stats.faults)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind}=${count}`)
    .join(' ');
  return [
    region.name.padEnd(10),
    `rtt ${latency.rttMs}±${latency.jitterMs} ms`.padEnd(16),
    `fault ${describeFault(region.fault as Fault)}`.padEnd(30),
    `${region.proxy} → ${region.node}${region.nodeRunning ? '' : ' (down)'}`.padEnd(56),
    `conns ${stats.activeConnections}/${stats.connections} reqs ${stats.requests}`,
    injected ? `injected ${injected}` : '',
  ]
    .join('  ')
    .trimEnd();
}
