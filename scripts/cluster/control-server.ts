import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Cluster, ClusterRegion } from '../../test/support/cluster.ts';
import { latencySchema, parseFault } from './fault.ts';

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export interface ControlServerOptions {
  cluster: Cluster;
  /** Default 0 (a free port), always on 127.0.0.1. */
  port?: number;
  /** Called after a region's node was restarted (its URL changed). */
  onNodeRestarted?: (region: ClusterRegion) => void;
}

const nodeActionSchema = z.object({ action: z.enum(['kill', 'restart']) });
const maxBodyBytes = 16 * 1024;

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What `GET /status` and `GET /regions/:name` report about one region. */
export function describeRegion(region: ClusterRegion) {
  const { child } = region.node;
  return {
    name: region.name,
    proxy: region.proxy.url,
    node: region.node.url,
    nodeRunning: child.exitCode === null && child.signalCode === null,
    fault: region.proxy.fault,
    latency: region.proxy.latency,
    stats: region.proxy.stats(),
  };
}
export type RegionStatus = ReturnType<typeof describeRegion>;

/**
 * The loopback HTTP endpoint through which `npm run cluster -- fault …` steers a running
 * cluster. Routes:
 * - `GET /status`: the gateway URL and every region's status;
 * - `GET /regions/:name`: one region's status;
 * - `POST /regions/:name/fault` with a fault (`{"kind":"stall","probability":0.05,"ms":500}` or `"blackhole"`);
 * - `POST /regions/:name/latency` with `{"rttMs":80,"jitterMs":5}`;
 * - `POST /regions/:name/node` with `{"action":"kill"}` (SIGKILL) or `{"action":"restart"}`.
 * Errors answer `{"error": message}` with 400 or 404.
 *
 * @example
 * const control = await createControlServer({ cluster });
 * await fetch(`${control.url}/regions/us-east/fault`, { method: 'POST', body: '"blackhole"' });
 */
export async function createControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { cluster } = options;

  function regionNamed(name: string) {
    const region = cluster.regions.get(decodeURIComponent(name));
    if (!region) throw new ControlError(404, `no region named ${name}`);
    return region;
  }

  async function route(method: string, pathname: string, body: () => Promise<unknown>): Promise<unknown> {
    if (method === 'GET' && pathname === '/status') {
      return { gateway: cluster.gateway.url, regions: [...cluster.regions.values()].map(describeRegion) };
    }
    const match = /^\/regions\/([^/]+)(?:\/(fault|latency|node))?$/.exec(pathname);
    if (!match) throw new ControlError(404, `no route ${method} ${pathname}`);
    const region = regionNamed(match[1]!);
    const action = match[2];
    if (method === 'GET' && !action) return describeRegion(region);
    if (method !== 'POST' || !action) throw new ControlError(404, `no route ${method} ${pathname}`);
    if (action === 'fault') region.proxy.setFault(parseFault(await body()));
    if (action === 'latency') region.proxy.setLatency(latencySchema.parse(await body()));
    if (action === 'node') {
      const { action: verb } = nodeActionSchema.parse(await body());
      if (verb === 'kill') await region.node.stop('SIGKILL');
      else {
        await cluster.restartNode(region.name);
        options.onNodeRestarted?.(region);
      }
    }
    return describeRegion(region);
  }

  const server = http.createServer(async function control(req, res) {
    let status = 200;
    let payload: unknown;
    try {
      payload = await route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://control').pathname, () =>
        readJson(req),
      );
    } catch (err) {
      status = err instanceof ControlError ? err.status : err instanceof z.ZodError ? 400 : 500;
      payload = { error: err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message };
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(payload)}\n`);
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new ControlError(400, `body over ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlError(400, 'body is not JSON');
  }
}
