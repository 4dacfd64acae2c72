import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import {
  createFaultProxy,
  type FaultProxy,
  type FaultProxyOptions,
  type ProxyTarget,
} from './fault-proxy.ts';

/** Bytes whose order is checkable: byte i is i mod 251. */
function pattern(length: number) {
  return Buffer.from(Array.from({ length }, (_, i) => i % 251));
}

async function startOrigin(name: string) {
  let handled = 0;
  const server = http.createServer(function handle(req, res) {
    handled++;
    const url = new URL(req.url ?? '/', 'http://origin');
    req.resume();
    req.on('end', () => {
      if (url.pathname === '/big') {
        const body = pattern(Number(url.searchParams.get('bytes')));
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.end(name), 300);
      } else {
        res.end(name);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const target: ProxyTarget = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
  return {
    target,
    url: `http://127.0.0.1:${target.port}`,
    handled: () => handled,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const socketErrors = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

describe('fault proxy', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let agent: Agent;
  const proxies: FaultProxy[] = [];
  const agents: Agent[] = [];

  before(async () => {
    origin = await startOrigin('first');
    agent = newAgent();
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.destroy()));
    await Promise.all(proxies.map((p) => p.close()));
    await origin.close();
  });

  /** One connection per origin, so tests can tell what happens on a reused keep-alive connection. */
  function newAgent() {
    const created = new Agent({ connections: 1, connect: { timeout: 1000 } });
    agents.push(created);
    return created;
  }

  async function startProxy(options: Partial<FaultProxyOptions> = {}) {
    const proxy = await createFaultProxy({ target: origin.target, rttMs: 0, ...options });
    proxies.push(proxy);
    return proxy;
  }

  async function get(
    url: string,
    options: { dispatcher?: Agent; headersTimeout?: number; method?: 'GET' | 'POST'; body?: string } = {},
  ) {
    const started = performance.now();
    const response = await request(url, {
      dispatcher: options.dispatcher ?? agent,
      method: options.method ?? 'GET',
      ...(options.body === undefined ? {} : { body: options.body }),
      headersTimeout: options.headersTimeout ?? 3000,
      bodyTimeout: 3000,
    });
    const headersMs = performance.now() - started;
    const body = Buffer.from(await response.body.arrayBuffer());
    return {
      status: response.statusCode,
      headers: response.headers,
      body,
      headersMs,
      totalMs: performance.now() - started,
    };
  }

  async function rejection(promise: Promise<unknown>) {
    const error = await promise.then(
      () => assert.fail('expected the request to fail'),
      (err: unknown) => err as { code?: string },
    );
    return error.code;
  }

  test('adds about rttMs to each round trip', async () => {
    const proxy = await startProxy({ rttMs: 60 });
    const direct: number[] = [];
    const proxied: number[] = [];
    await get(`${proxy.url}/`);
    for (let i = 0; i < 10; i++) {
      direct.push((await get(`${origin.url}/`)).totalMs);
      proxied.push((await get(`${proxy.url}/`)).totalMs);
    }
    const added = median(proxied) - median(direct);
    assert.ok(added >= 0.8 * 60, `added ${added.toFixed(1)} ms`);
    assert.ok(added < 60 + 40, `added ${added.toFixed(1)} ms`);
    assert.equal(proxy.stats().connections, 1, 'one keep-alive connection carried every request');
    assert.equal(proxy.stats().requests, 11);
  });

  test('keeps bytes in order when jitter exceeds the base delay', async () => {
    const proxy = await startProxy({ rttMs: 4, jitterMs: 20, seed: 3 });
    const response = await get(`${proxy.url}/big?bytes=2000000`);
    assert.equal(response.status, 200);
    assert.ok(response.body.equals(pattern(2_000_000)));
  });

  test('reset: the client sees a connection reset and the node never sees the request', async () => {
    const proxy = await startProxy();
    const before = origin.handled();
    proxy.setFault('reset');
    assert.ok(socketErrors.has((await rejection(get(`${proxy.url}/`))) ?? ''));
    proxy.setFault({ kind: 'reset', after: 'accept' });
    assert.ok(socketErrors.has((await rejection(get(`${proxy.url}/`, { dispatcher: newAgent() }))) ?? ''));
    assert.equal(origin.handled(), before);
    assert.equal(proxy.stats().faults.reset, 2);
    proxy.setFault('none');
    assert.equal((await get(`${proxy.url}/`)).status, 200);
  });

  test('reset: switching it on resets a request already in flight', async () => {
    const proxy = await startProxy();
    const inFlight = get(`${proxy.url}/slow`);
    await sleep(100);
    proxy.setFault('reset');
    assert.ok(socketErrors.has((await rejection(inFlight)) ?? ''));
  });

  test('blackhole: accepts, never answers, never closes, until the fault clears', async () => {
    const proxy = await startProxy();
    const before = origin.handled();
    proxy.setFault('blackhole');
    assert.equal(await rejection(get(`${proxy.url}/`, { headersTimeout: 300 })), 'UND_ERR_HEADERS_TIMEOUT');

    const socket = net.connect(proxy.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await sleep(300);
    assert.equal(received.length, 0);
    assert.equal(socket.destroyed, false);
    assert.equal(origin.handled(), before);

    const closed = once(socket, 'close');
    proxy.setFault('none');
    await closed;
    assert.equal(received.length, 0);
    assert.equal((await get(`${proxy.url}/`)).status, 200);
    assert.equal(proxy.stats().faults.blackhole, 2);
  });

  test('503: answers requests itself with a problem+json body, on open connections too', async () => {
    const proxy = await startProxy({ rttMs: 10 });
    assert.equal((await get(`${proxy.url}/`)).status, 200);
    const before = origin.handled();
    proxy.setFault('503');
    for (const method of ['GET', 'POST'] as const) {
      const response = await get(`${proxy.url}/v1/audio/speech`, { method, body: '{"input":"Hello."}' });
      assert.equal(response.status, 503);
      assert.equal(response.headers['content-type'], 'application/problem+json');
      assert.equal(response.headers.connection, 'close');
      assert.deepEqual(JSON.parse(response.body.toString()), {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        code: 'node_unavailable',
        detail: 'injected by fault proxy',
        error: {
          message: 'injected by fault proxy',
          type: 'server_error',
          code: 'node_unavailable',
          param: null,
        },
      });
      assert.ok(response.totalMs >= 9, 'the injected answer still pays the round trip');
    }
    assert.equal(origin.handled(), before);
    assert.equal(proxy.stats().faults['503'], 2);
  });

  test('slow-body: the head arrives at once, the body trickles', async () => {
    const proxy = await startProxy({ fault: { kind: 'slow-body', bytes: 1024, everyMs: 100 } });
    const response = await get(`${proxy.url}/big?bytes=5120`);
    assert.ok(response.headersMs < 100, `headers after ${response.headersMs.toFixed(1)} ms`);
    assert.ok(response.totalMs >= 400, `body after ${response.totalMs.toFixed(1)} ms`);
    assert.ok(response.body.equals(pattern(5120)));
    assert.equal(proxy.stats().faults['slow-body'], 1);
  });

  test('stall: delays about that fraction of requests on one keep-alive connection', async () => {
    const proxy = await startProxy({ fault: { kind: 'stall', probability: 0.1, ms: 60 }, seed: 42 });
    let slow = 0;
    for (let i = 0; i < 200; i++) {
      if ((await get(`${proxy.url}/`)).totalMs >= 55) slow++;
    }
    const stalled = proxy.stats().faults.stall;
    assert.ok(stalled >= 10 && stalled <= 32, `${stalled} of 200 stalled`);
    assert.ok(slow >= stalled && slow <= stalled + 3, `${slow} slow, ${stalled} stalled`);
    assert.equal(proxy.stats().connections, 1);
  });

  test('setTarget moves new connections; open ones stay where they were', async () => {
    const second = await startOrigin('second');
    try {
      const proxy = await startProxy();
      assert.equal((await get(`${proxy.url}/`)).body.toString(), 'first');
      proxy.setTarget(second.target);
      assert.equal((await get(`${proxy.url}/`)).body.toString(), 'first');
      assert.equal((await get(`${proxy.url}/`, { dispatcher: newAgent() })).body.toString(), 'second');
    } finally {
      await second.close();
    }
  });

  test('close destroys every socket, even blackholed ones', async () => {
    const proxy = await startProxy({ fault: 'blackhole' });
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    const closed = once(socket, 'close');
    await proxy.close();
    await closed;
    assert.equal(proxy.stats().activeConnections, 0);
  });
});
