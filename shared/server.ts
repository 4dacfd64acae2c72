import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from './logger.ts';

export interface RunningServer {
  port: number;
  url: string;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

/** Serves a fetch handler over HTTP on `host:port` (port 0 picks a free one). */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { host: string; port: number },
) {
  return new Promise<RunningServer>((resolve, reject) => {
    const server = serve({ fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
      resolve({
        port: info.port,
        url: `http://${host}:${info.port}`,
        close(graceMs = 10_000) {
          return new Promise<void>((done) => {
            const force = setTimeout(() => {
              if ('closeAllConnections' in server) server.closeAllConnections();
            }, graceMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          });
        },
      });
    });
    server.once('error', reject);
  });
}

/** SIGTERM/SIGINT → `shutdown` once; a second signal exits at once. */
export function onShutdownSignal(logger: Logger, shutdown: (signal: string) => Promise<void>) {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.info({ signal }, 'shutting down: draining in-flight requests');
      shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
