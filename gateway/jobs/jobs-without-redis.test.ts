import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createSilentLogger } from '../../shared/logger.ts';
import { createGatewayApp } from '../app.ts';
import { ensureDevKey, signDevToken } from '../auth/dev-key.ts';
import { loadGatewayConfig } from '../config.ts';
import { createGatewayServices, type GatewayServices } from '../services.ts';

let dir: string;
let services: GatewayServices;
let app: ReturnType<typeof createGatewayApp>;
let token: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sg-jobs-embedded-'));
  const config = loadGatewayConfig({
    INTERNAL_AUTH_SECRET: 'x'.repeat(32),
    NODE_URL: 'http://127.0.0.1:9',
    AUTH_DEV_KEY_FILE: path.join(dir, 'key.json'),
    ROUTING_PROBE_TIMEOUT_MS: '50',
  });
  services = await createGatewayServices(config, createSilentLogger());
  app = createGatewayApp(services, config);
  token = await signDevToken(await ensureDevKey(path.join(dir, 'key.json')), {
    subject: 'tenant-a',
    scopes: ['tts:speak'],
    ttlSeconds: 60,
    issuer: 'speechgate-dev',
    audience: 'speechgate',
  });
});
after(async () => {
  await services.close();
  await rm(dir, { recursive: true, force: true });
});

test('without Redis (embedded mode) every job route is a 503 not_ready problem that says why', async () => {
  assert.equal(services.jobs, undefined);
  const requests: [string, string][] = [
    ['POST', '/v1/jobs'],
    ['GET', '/v1/jobs'],
    ['GET', `/v1/jobs/job_${'0'.repeat(28)}`],
    ['DELETE', `/v1/jobs/job_${'0'.repeat(28)}`],
  ];
  for (const [method, route] of requests) {
    const res = await app.request(route, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify({ voice: 'alloy', input: 'Hello.' }) } : {}),
    });
    assert.equal(res.status, 503, `${method} ${route}`);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const body = (await res.json()) as { code: string; detail: string };
    assert.equal(body.code, 'not_ready');
    assert.match(body.detail, /REDIS_URL/);
  }
  const anonymous = await app.request('/v1/jobs');
  assert.equal(anonymous.status, 401, 'auth still comes first');
});
