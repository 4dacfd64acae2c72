import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { type ProcessName, processArgs } from '../shared/process-flags.ts';
import { dataDir, devKeyFile, ensureInternalSecret } from './dev-data.ts';

/**
 * The embedded default: one regional node and the gateway as child processes, memory stores
 * (or Redis when REDIS_URL is set), the built-in voice, and a dev signing key in `.data/`.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const gatewayPort = process.env.PORT ?? '8080';
const nodePort = process.env.NODE_PORT ?? '8081';
const children: ChildProcess[] = [];

function run(name: ProcessName, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, processArgs(name), {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    process.stderr.write(`${name}/main.ts exited (${code ?? signal}); stopping\n`);
    shutdown(1);
  });
  children.push(child);
  return child;
}

async function waitReady(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

let shuttingDown = false;
function shutdown(code: number) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 12_000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(
    () => process.exit(code),
  );
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

const secret = await ensureInternalSecret();
const key = await ensureDevKey(devKeyFile);
run('node', {
  PORT: nodePort,
  HOST: '127.0.0.1',
  INTERNAL_AUTH_SECRET: secret,
  REGION: process.env.REGION ?? 'local',
});
await waitReady(`http://127.0.0.1:${nodePort}/readyz`, 120_000);
run('gateway', {
  PORT: gatewayPort,
  NODE_URL: `http://127.0.0.1:${nodePort}`,
  INTERNAL_AUTH_SECRET: secret,
  AUTH_DEV_KEY_FILE: devKeyFile,
});
await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`, 30_000);

const token = await signDevToken(key, {
  subject: 'dev-user',
  scopes: ['tts:speak'],
  ttlSeconds: 3600,
  issuer: 'speechgate-dev',
  audience: 'speechgate',
});
process.stdout.write(`
Speechgate is ready: gateway http://localhost:${gatewayPort} → node http://127.0.0.1:${nodePort}
(dev signing key and secrets in ${dataDir}; ${process.env.REDIS_URL ? `Redis at ${process.env.REDIS_URL}` : 'memory cache and limits'})

Try it (token valid for 1 hour; \`npm run -s token\` prints a fresh one):

curl -sS -o hello.wav -D - -H "authorization: Bearer ${token}" -H 'content-type: application/json' \\
  -d '{"model":"tts-1","input":"Hello from the edge.","voice":"alloy","response_format":"wav"}' \\
  http://localhost:${gatewayPort}/v1/audio/speech

`);
