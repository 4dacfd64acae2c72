import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL) and removes its data folder. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills the server if it runs and starts it again on the same port and data folder. */
  restart(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

// Servers still alive when the test process ends (a failed test, a missing after(), a runner
// timeout's SIGTERM) die with it.
const alive = new Set<ChildProcess>();
const folders = new Set<string>();
function cleanUp(): void {
  for (const child of alive) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.kill(process.pid, signal);
  });
}

/**
 * A real redis-server for one test file, on a free loopback port, persisting nothing unless
 * `appendOnly` (then with its own temp folder and fsync on every write, so `restart()` keeps data).
 *
 * @example
 * const redis = await startRedisServer();
 * after(() => redis.stop());
 * const client = new Redis(redis.url, { enableOfflineQueue: false });
 */
export async function startRedisServer(options: { appendOnly?: boolean } = {}): Promise<RedisServer> {
  const appendOnly = options.appendOnly ?? false;
  const dir = await mkdtemp(join(tmpdir(), 'speechgate-redis-'));
  folders.add(dir);
  let port = 0;
  let running: Running | undefined;
  for (let attempt = 1; !running; attempt++) {
    port = await freePort();
    try {
      running = await launch(port, dir, appendOnly);
    } catch (err) {
      // Another process may take the port between freePort() and redis-server's bind.
      if (attempt >= 3) throw err;
    }
  }

  async function kill(): Promise<void> {
    const current = running;
    running = undefined;
    if (!current) return;
    current.child.kill('SIGKILL');
    await current.exited;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
      folders.delete(dir);
    },
    async restart() {
      await kill();
      await mkdir(dir, { recursive: true });
      folders.add(dir);
      running = await launch(port, dir, appendOnly);
    },
  };
}

async function launch(port: number, dir: string, appendOnly: boolean): Promise<Running> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  args.push('--appendonly', appendOnly ? 'yes' : 'no');
  if (appendOnly) args.push('--appendfsync', 'always');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      alive.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      output += String(err);
      exitCode = -1;
      alive.delete(child);
      resolve();
    });
  });

  const deadline = Date.now() + 5_000;
  while (!(await answersPing(port))) {
    if (exitCode !== undefined)
      throw new Error(`redis-server exited (${exitCode}) on port ${port}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`redis-server did not answer PING on port ${port} within 5 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, exited };
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
