import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { repoPath, repoRoot } from './support/repo.ts';
import { terraformAvailable, terraformSession } from './support/terraform.ts';

// The topology module's gateway_regions output, computed by `terraform apply` on a provider-free
// fixture with local node URLs, is a document the gateway accepts and routes with.

/** The gateway's regions format, as the Regions work defines it (used until gateway/regions exists). */
const localRegionsSchema = z.strictObject({
  regions: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9-]+$/),
        nodes: z.array(z.url()).min(1),
        weight: z.number().positive().default(1),
        drain: z.boolean().default(false),
      }),
    )
    .min(1),
});

interface Schema {
  safeParse(value: unknown): { success: boolean; error?: unknown };
}

async function gatewayRegionsSchema(): Promise<{ schema: Schema; from: string }> {
  const file = repoPath('gateway/regions/regions-config.ts');
  if (existsSync(file)) {
    const mod = (await import(pathToFileURL(file).href)) as { regionsConfigSchema?: Schema };
    if (mod.regionsConfigSchema)
      return { schema: mod.regionsConfigSchema, from: 'gateway/regions/regions-config.ts' };
  }
  return {
    schema: localRegionsSchema,
    from: 'the local copy in test/infra (gateway/regions/regions-config.ts not found)',
  };
}

interface FakeNode {
  server: Server;
  url: string;
  hits: string[];
}

/** A stand-in node that answers the probes a gateway sends, ready with one warm voice. */
async function startFakeNode(region: string): Promise<FakeNode> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      return json(200, {
        status: 'ready',
        region,
        voices: [{ id: 'speechgate-en', requested_provider: 'cpu', provider: 'cpu', warm: true }],
        load: { queue_depth: 0, in_flight: 0, estimated_wait_ms: 0, concurrency: 1 },
      });
    }
    return json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, hits };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

const skip = terraformAvailable() ? false : 'skipped: terraform CLI not on PATH';

describe('topology gateway_regions feeds the gateway', { skip }, () => {
  const session = terraformSession('topology-local');
  const nodes: Record<string, FakeNode> = {};
  let regionsJson = '';
  let gateway: ChildProcess | undefined;

  before(async () => {
    nodes['eu-west'] = await startFakeNode('eu-west');
    nodes['us-east'] = await startFakeNode('us-east');
    const fixture = repoPath('test/infra/fixtures/topology-local');
    const varFile = join(session.dir, 'local.tfvars.json');
    writeFileSync(
      varFile,
      JSON.stringify({ node_urls: Object.fromEntries(Object.entries(nodes).map(([k, n]) => [k, n.url])) }),
    );
    const state = join(session.dir, 'terraform.tfstate');
    const init = session.run(fixture, ['init', '-backend=false', '-input=false', '-no-color']);
    assert.equal(init.status, 0, init.output);
    const apply = session.run(fixture, [
      'apply',
      '-auto-approve',
      '-input=false',
      '-lock=false',
      '-no-color',
      `-var-file=${varFile}`,
      `-state=${state}`,
    ]);
    assert.equal(apply.status, 0, apply.output);
    const output = session.run(fixture, [
      'output',
      '-no-color',
      `-state=${state}`,
      '-raw',
      'gateway_regions_json',
    ]);
    assert.equal(output.status, 0, output.output);
    regionsJson = output.output.trim();
  });

  after(async () => {
    if (gateway && gateway.exitCode === null) {
      gateway.kill('SIGTERM');
      const exited = await waitFor(
        async () => gateway!.exitCode !== null || gateway!.signalCode !== null,
        5_000,
      );
      if (!exited) gateway.kill('SIGKILL');
    }
    for (const node of Object.values(nodes))
      await new Promise<void>((resolve) => node.server.close(() => resolve()));
    session.cleanup();
  });

  it('terraform apply (offline, no providers) outputs exactly the gateway regions document', async (t) => {
    const document = JSON.parse(regionsJson) as unknown;
    assert.deepEqual(document, {
      regions: [
        { name: 'eu-west', nodes: [nodes['eu-west']!.url], weight: 1, drain: false },
        { name: 'us-east', nodes: [nodes['us-east']!.url], weight: 1, drain: false },
      ],
    });
    const { schema, from } = await gatewayRegionsSchema();
    const parsed = schema.safeParse(document);
    assert.ok(parsed.success, `rejected by ${from}: ${String(parsed.error)}`);
    t.diagnostic(`validated with ${from}`);
  });

  it('a gateway started with GATEWAY_REGIONS from the output reaches both regions and reports ready', async (t) => {
    const port = await freePort();
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let logs = '';
    gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        GATEWAY_REGIONS: regionsJson,
        // Nothing listens here: readiness can only come from the regions document.
        NODE_URL: 'http://127.0.0.1:9',
        INTERNAL_AUTH_SECRET: 'topology-test-internal-secret',
        AUTH_PUBLIC_KEYS: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout?.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
    });
    gateway.stderr?.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    const up = await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 30_000);
    assert.ok(up, `gateway did not start:\n${logs}`);
    const ready = await waitFor(async () => {
      const res = await fetch(`${base}/readyz`);
      await res.arrayBuffer();
      return res.ok && Object.values(nodes).every((n) => n.hits.length > 0);
    }, 15_000);
    const hits = Object.fromEntries(Object.entries(nodes).map(([k, n]) => [k, n.hits.slice(0, 3)]));
    assert.ok(ready, `gateway not ready or a region never contacted: ${JSON.stringify(hits)}\n${logs}`);
    t.diagnostic(`node requests: ${JSON.stringify(hits)}`);
  });
});
