import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import { createDelayQueue, type DelayQueue } from './delay-queue.ts';
import {
  type Fault,
  type FaultInput,
  type FaultKind,
  type Latency,
  latencySchema,
  parseFault,
} from './fault.ts';
import { headEnd, serviceUnavailableResponse, startsRequest } from './http-bytes.ts';
import { createPrng } from './prng.ts';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  /** The node the proxy forwards to; `setTarget` changes it for new connections. */
  target: ProxyTarget;
  /** Port to listen on, always on 127.0.0.1. Default 0 (a free port). */
  listenPort?: number;
  /** Round-trip time added to each request/response exchange. Default 0. */
  rttMs?: number;
  /** The round trip varies by up to ± this much. Default 0. */
  jitterMs?: number;
  /** Seed for jitter and stall draws. Default 1. */
  seed?: number;
  /** Fault in force from the start. Default `none`. */
  fault?: FaultInput | FaultKind;
}

export type InjectedFaultKind = Exclude<FaultKind, 'none'>;

export interface FaultProxyStats {
  /** Connections accepted since the proxy started. */
  connections: number;
  activeConnections: number;
  /** Request lines seen from clients, whatever happened to them. */
  requests: number;
  /** reset/blackhole: connections; 503/stall: requests; slow-body: responses. */
  faults: Record<InjectedFaultKind, number>;
}

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  readonly fault: Fault;
  readonly latency: Latency;
  readonly target: ProxyTarget;
  setFault(fault: FaultInput | FaultKind): void;
  setLatency(latency: { rttMs: number; jitterMs?: number }): void;
  /** Points new connections at another node; open ones stay with the old one. */
  setTarget(target: ProxyTarget): void;
  stats(): FaultProxyStats;
  /** Stops listening and destroys every socket, client and upstream. */
  close(): Promise<void>;
}

interface Connection {
  client: Socket;
  toClient: DelayQueue;
  upstream?: Socket;
  toUpstream?: DelayQueue;
  /** Swallowing everything (blackhole) until the fault clears. */
  blackholed: boolean;
  /** Head bytes of a request the proxy is about to answer with 503 itself. */
  pending503?: Buffer;
  /** Answered with 503; the rest of what the client sends is dropped. */
  answered: boolean;
  /** The next request line starts a new request (the previous response has begun). */
  expectingRequest: boolean;
  awaitingResponseHead: boolean;
  /** Extra delay for the first response chunk of the current request. */
  stallMs: number;
}

/**
 * A TCP proxy on loopback in front of one regional node that adds latency and injects faults,
 * switchable while it runs (see `Fault`). Each chunk waits rttMs/2 ± jitterMs/2 in each
 * direction, in order. Requests are told apart crudely: a chunk starting with a request line,
 * after the previous response began, opens one; the response head is what precedes the first
 * blank line. That holds for the gateway's keep-alive HTTP/1.1 traffic without pipelining.
 *
 * Faults reach open connections too: `blackhole` swallows them at once (upstreams are dropped)
 * and clearing it destroys them; `reset` resets every open connection; `503` answers their next
 * request; `stall` and `slow-body` apply from their next request or chunk. The TCP handshake
 * itself costs no simulated latency, and a target that refuses or drops the upstream
 * connection is seen by the client as a reset.
 *
 * @example
 * const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: 8081 }, rttMs: 40, jitterMs: 2 });
 * proxy.setFault({ kind: 'stall', probability: 0.05, ms: 500 });
 * await fetch(`${proxy.url}/readyz`);
 * await proxy.close();
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let target = { ...options.target };
  let latency = latencySchema.parse({ rttMs: options.rttMs ?? 0, jitterMs: options.jitterMs ?? 0 });
  let fault = parseFault(options.fault ?? 'none');
  const seed = options.seed ?? 1;
  // Separate streams, so stall decisions depend only on the order of requests, not on how TCP
  // happened to split the bytes into chunks.
  const jitterRandom = createPrng(seed);
  const stallRandom = createPrng(seed ^ 0x9e3779b9);
  const connections = new Set<Connection>();
  const stats = {
    connections: 0,
    requests: 0,
    faults: { reset: 0, blackhole: 0, 'slow-body': 0, '503': 0, stall: 0 },
  };

  function oneWayDelay() {
    const jitter = ((jitterRandom() * 2 - 1) * latency.jitterMs) / 2;
    return Math.max(0, latency.rttMs / 2 + jitter);
  }

  function dropUpstream(conn: Connection) {
    conn.toUpstream?.clear();
    conn.upstream?.destroy();
    conn.upstream = undefined;
    conn.toUpstream = undefined;
  }

  function reset(conn: Connection) {
    if (conn.client.destroyed) return;
    stats.faults.reset++;
    conn.toClient.clear();
    dropUpstream(conn);
    conn.client.resetAndDestroy();
  }

  function swallow(conn: Connection) {
    if (conn.blackholed) return;
    stats.faults.blackhole++;
    conn.blackholed = true;
    conn.pending503 = undefined;
    conn.toClient.clear();
    dropUpstream(conn);
  }

  function answer503(conn: Connection, chunk: Buffer) {
    const head = conn.pending503 ? Buffer.concat([conn.pending503, chunk]) : chunk;
    // A head that never ends is answered anyway once it is implausibly long.
    if (headEnd(head) === -1 && head.length < 64 * 1024) {
      conn.pending503 = head;
      return;
    }
    stats.faults['503']++;
    conn.pending503 = undefined;
    conn.answered = true;
    dropUpstream(conn);
    // The answer comes from the region, so it costs the whole round trip.
    conn.toClient.push(serviceUnavailableResponse, oneWayDelay() + oneWayDelay());
    conn.toClient.end();
  }

  function connectUpstream(conn: Connection) {
    const upstream = net.connect({ ...target, allowHalfOpen: true, noDelay: true });
    conn.upstream = upstream;
    conn.toUpstream = createDelayQueue(upstream, () => conn.client);
    upstream.on('data', (chunk: Buffer) => fromUpstream(conn, upstream, chunk));
    upstream.on('end', () => {
      if (conn.upstream === upstream) conn.toClient.end();
    });
    upstream.on('error', () => {
      if (conn.upstream === upstream) conn.toClient.end({ reset: true });
    });
  }

  function fromClient(conn: Connection, chunk: Buffer) {
    const opensRequest = conn.expectingRequest && startsRequest(chunk);
    if (opensRequest) {
      stats.requests++;
      conn.expectingRequest = false;
      conn.awaitingResponseHead = true;
      conn.stallMs = 0;
    }
    if (conn.blackholed || conn.answered) return;
    if (conn.pending503) return answer503(conn, chunk);
    switch (fault.kind) {
      case 'reset':
        return reset(conn);
      case 'blackhole':
        return swallow(conn);
      case '503':
        // The body of a request forwarded before the fault was set keeps flowing to the node.
        if (opensRequest || !conn.upstream) return answer503(conn, chunk);
        break;
      case 'stall':
        if (opensRequest && stallRandom() < fault.probability) {
          stats.faults.stall++;
          conn.stallMs = fault.ms;
        }
        break;
    }
    if (!conn.upstream) connectUpstream(conn);
    conn.toUpstream!.push(chunk, oneWayDelay());
  }

  function fromUpstream(conn: Connection, upstream: Socket, chunk: Buffer) {
    if (conn.upstream !== upstream || conn.blackholed) return;
    conn.expectingRequest = true;
    const delay = oneWayDelay() + conn.stallMs;
    conn.stallMs = 0;
    let body = chunk;
    if (conn.awaitingResponseHead) {
      const end = headEnd(chunk);
      if (end === -1) return conn.toClient.push(chunk, delay);
      conn.awaitingResponseHead = false;
      if (fault.kind !== 'slow-body') return conn.toClient.push(chunk, delay);
      stats.faults['slow-body']++;
      conn.toClient.push(chunk.subarray(0, end), delay);
      body = chunk.subarray(end);
    }
    if (fault.kind === 'slow-body') conn.toClient.pace(body, delay, fault.bytes, fault.everyMs);
    else conn.toClient.push(body, delay);
  }

  function accept(client: Socket) {
    stats.connections++;
    const conn: Connection = {
      client,
      toClient: createDelayQueue(client, () => conn.upstream),
      blackholed: false,
      answered: false,
      expectingRequest: true,
      awaitingResponseHead: false,
      stallMs: 0,
    };
    connections.add(conn);
    // Errors always end in 'close', where the connection is cleaned up.
    client.on('error', () => {});
    client.on('close', () => {
      connections.delete(conn);
      conn.toClient.clear();
      dropUpstream(conn);
    });
    client.on('data', (chunk: Buffer) => fromClient(conn, chunk));
    client.on('end', () => {
      if (conn.blackholed) return;
      if (conn.toUpstream) conn.toUpstream.end();
      else conn.toClient.end();
    });
    if (fault.kind === 'reset' && fault.after === 'accept') reset(conn);
    else if (fault.kind === 'blackhole') swallow(conn);
    // Under these two the node is never asked; otherwise connect now, in parallel with the request.
    else if (fault.kind !== 'reset' && fault.kind !== '503') connectUpstream(conn);
  }

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, accept);
  server.listen(options.listenPort ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get fault() {
      return fault;
    },
    get latency() {
      return latency;
    },
    get target() {
      return { ...target };
    },
    setFault(input) {
      const previous = fault;
      fault = parseFault(input);
      for (const conn of connections) {
        if (fault.kind === 'blackhole') swallow(conn);
        else if (previous.kind === 'blackhole' && conn.blackholed) conn.client.destroy();
        else if (fault.kind === 'reset') reset(conn);
      }
    },
    setLatency(next) {
      latency = latencySchema.parse(next);
    },
    setTarget(next) {
      target = { ...next };
    },
    stats() {
      return { ...stats, activeConnections: connections.size, faults: { ...stats.faults } };
    },
    close() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      for (const conn of connections) {
        conn.toClient.clear();
        dropUpstream(conn);
        conn.client.destroy();
      }
      return closing;
    },
  };
}
