import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dataDir } from '../dev-data.ts';

/** Where a running `npm run cluster` says how to reach it (in the git-ignored data folder). */
export const clusterStateFile = path.join(dataDir, 'cluster.json');

export interface ClusterState {
  pid: number;
  startedAt: string;
  gateway: string;
  /** Base URL of the control server; `GET /status` lists every region. */
  control: string;
  regions: Record<
    string,
    {
      /** This region's control endpoint: `POST …/fault`, `POST …/latency`, `POST …/node`, `GET`. */
      control: string;
      proxy: string;
      node: string;
      rttMs: number;
      jitterMs: number;
    }
  >;
}

export async function writeClusterState(state: ClusterState): Promise<void> {
  await writeFile(clusterStateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The state of the cluster that wrote the file, or undefined when there is no file. */
export async function readClusterState(): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(clusterStateFile, 'utf8')) as ClusterState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function removeClusterState(): Promise<void> {
  await rm(clusterStateFile, { force: true });
}

/** True when a process with this id exists (signal 0 checks without signalling). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
