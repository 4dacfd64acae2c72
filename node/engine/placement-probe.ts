import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProviderOptions } from './execution-provider.ts';

export interface PlacementReport {
  /** Whether ONNX Runtime's log told where the nodes went. */
  reported: boolean;
  /** Nodes per execution provider, e.g. `{ CUDAExecutionProvider: 150, CPUExecutionProvider: 12 }`. */
  nodesByProvider: Record<string, number>;
  /** Nodes on the CPU provider (shape ops are often put there on purpose; many more mean copies). */
  cpuNodes: number;
  /** Why nothing was reported, when it was not. */
  note?: string;
}

/** Reads ORT's "Node placements" verbose lines: `… placed on [CPUExecutionProvider]. Number of nodes: 12`. */
export function parsePlacement(log: string): PlacementReport {
  const nodesByProvider: Record<string, number> = {};
  for (const match of log.matchAll(/placed on \[(\w+)\]\. Number of nodes: (\d+)/g)) {
    nodesByProvider[match[1]!] = (nodesByProvider[match[1]!] ?? 0) + Number(match[2]);
  }
  const reported = Object.keys(nodesByProvider).length > 0;
  return {
    reported,
    nodesByProvider,
    cpuNodes: nodesByProvider.CPUExecutionProvider ?? 0,
    ...(reported ? {} : { note: 'ONNX Runtime logged no node placements' }),
  };
}

const child = fileURLToPath(new URL('./placement-child.ts', import.meta.url));

/**
 * Where ONNX Runtime puts a model's nodes under these provider options. The binding offers no
 * API for it and writes its log from native code to stderr, so a child process opens the model
 * once with verbose logging and this parses what it printed. It costs one more session load
 * (and, on a GPU, a short-lived second CUDA context) per voice at start-up.
 */
export async function probePlacement(
  modelPath: string,
  options: ProviderOptions,
  timeoutMs = 60_000,
): Promise<PlacementReport> {
  const args = ['--import', import.meta.resolve('tsx'), child, modelPath, JSON.stringify(options)];
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.stdout.on('data', (d: Buffer) => out.push(d));
    proc.stderr.on('data', (d: Buffer) => out.push(d));
    proc.on('error', (err) => {
      clearTimeout(timer);
      resolve({
        reported: false,
        nodesByProvider: {},
        cpuNodes: 0,
        note: `probe could not start: ${err.message}`,
      });
    });
    proc.on('close', (code) => {
      clearTimeout(timer);
      const log = Buffer.concat(out).toString('utf8');
      const report = parsePlacement(log);
      if (!report.reported && code !== 0) {
        const last = log.trim().split('\n').at(-1) ?? `exit ${code}`;
        report.note = `probe failed: ${last.slice(0, 300)}`;
      }
      resolve(report);
    });
  });
}
