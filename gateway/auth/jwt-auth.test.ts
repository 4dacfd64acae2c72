import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createErrorHandler } from '../../shared/http-errors.ts';
import { createSilentLogger, type Logger } from '../../shared/logger.ts';
import { runSecuritySuite, type SecurityRoute } from '../../test/support/security-cases.ts';
import type { AuthEnv } from './auth-context.ts';
import { type DevKey, ensureDevKey, signDevToken } from './dev-key.ts';
import { type JwtAuthOptions, jwtAuth } from './jwt-auth.ts';
import { createKeySource } from './key-source.ts';
import { requireScope } from './require-scope.ts';

const issuer = 'speechgate-test';
const audience = 'speechgate';
const routes: SecurityRoute[] = [
  { method: 'POST', path: '/v1/speak', body: { input: 'hello' } },
  { method: 'GET', path: '/v1/voices' },
];

function buildApp(
  options: Partial<JwtAuthOptions> & Pick<JwtAuthOptions, 'key'>,
  logger: Logger = createSilentLogger(),
) {
  const registry = new Registry();
  const app = new Hono<AuthEnv>();
  app.onError(createErrorHandler(logger));
  app.use('/v1/*', jwtAuth({ issuer, audience, registry, logger, ...options }));
  app.post('/v1/speak', requireScope('tts:speak', { registry }), (c) => c.json(c.get('auth')));
  app.get('/v1/voices', requireScope('tts:speak', { registry }), (c) => c.json(c.get('auth')));
  app.get('/v1/whoami', (c) => c.json(c.get('auth')));
  return { app, registry };
}

async function failureCounts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('gateway_auth_failures_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.reason), v.value]));
}

let dir: string;
let devKey: DevKey;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'speechgate-auth-'));
  devKey = await ensureDevKey(join(dir, 'dev-key.json'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('jwtAuth security suite', () => {
  it('holds with the EdDSA dev key', async (t) => {
    const { app } = buildApp({ key: createKeySource({ devKey }).key });
    await runSecuritySuite(t, {
      request: async (path, init) => app.request(path, init),
      routes,
      issuer,
      audience,
      signingKey: (await importJWK(devKey.privateJwk, 'EdDSA')) as CryptoKey,
      publicJwk: devKey.publicJwk,
      scope: 'tts:speak',
    });
  });

  it('holds with an RS256 PEM key', async (t) => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const { app } = buildApp({ key: createKeySource({ publicKeys: await exportSPKI(pair.publicKey) }).key });
    await runSecuritySuite(t, {
      request: async (path, init) => app.request(path, init),
      routes,
      issuer,
      audience,
      signingKey: pair.privateKey,
      publicJwk: { ...(await exportJWK(pair.publicKey)), alg: 'RS256' },
      scope: 'tts:speak',
    });
  });

  it('holds with an ES256 key from a JWKS document', async (t) => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'es-1', alg: 'ES256' };
    const { app } = buildApp({
      key: createKeySource({ publicKeys: JSON.stringify({ keys: [publicJwk] }) }).key,
    });
    await runSecuritySuite(t, {
      request: async (path, init) => app.request(path, init),
      routes,
      issuer,
      audience,
      signingKey: pair.privateKey,
      publicJwk,
      scope: 'tts:speak',
    });
  });
});

describe('jwtAuth', () => {
  const sign = (claims: JWTPayload, kid = devKey.kid) =>
    importJWK(devKey.privateJwk, 'EdDSA').then((key) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid }).sign(key),
    );
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: JWTPayload = {}): JWTPayload => ({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    exp: now() + 60,
    ...extra,
  });

  it('sets the tenant, subject and scopes from scope and scp', async () => {
    const { app } = buildApp({ key: createKeySource({ devKey }).key });
    const token = await sign(claims({ scope: 'tts:speak  voices:read', scp: ['voices:read', 'admin'] }));
    const res = await app.request('/v1/whoami', { headers: { authorization: `bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      tenant: 'alice',
      subject: 'alice',
      scopes: ['tts:speak', 'voices:read', 'admin'],
    });
  });

  it('reads the tenant from a configured claim and refuses tokens without it', async () => {
    const { app, registry } = buildApp({ key: createKeySource({ devKey }).key, tenantClaim: 'tenant' });
    const token = await signDevToken(devKey, {
      subject: 'alice',
      tenant: 'acme',
      scopes: ['tts:speak'],
      ttlSeconds: 60,
      issuer,
      audience,
    });
    const ok = await app.request('/v1/whoami', { headers: { authorization: `Bearer ${token}` } });
    assert.deepEqual(await ok.json(), { tenant: 'acme', subject: 'alice', scopes: ['tts:speak'] });

    const res = await app.request('/v1/whoami', {
      headers: { authorization: `Bearer ${await sign(claims())}` },
    });
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get('www-authenticate'),
      'Bearer realm="speechgate", error="invalid_token", error_description="token has no tenant claim"',
    );
    assert.deepEqual(await failureCounts(registry), { claims: 1 });
  });

  it('answers with exact challenges and counts each reason', async () => {
    const { app, registry } = buildApp({ key: createKeySource({ devKey }).key });
    const missing = await app.request('/v1/whoami');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="speechgate"');
    const expired = await app.request('/v1/whoami', {
      headers: { authorization: `Bearer ${await sign(claims({ exp: now() - 120 }))}` },
    });
    assert.equal(
      expired.headers.get('www-authenticate'),
      'Bearer realm="speechgate", error="invalid_token", error_description="token expired"',
    );
    assert.equal(((await expired.json()) as { detail: string }).detail, 'token expired');
    const forbidden = await app.request('/v1/voices', {
      headers: { authorization: `Bearer ${await sign(claims({ scope: 'other' }))}` },
    });
    assert.equal(forbidden.status, 403);
    assert.equal(
      forbidden.headers.get('www-authenticate'),
      'Bearer realm="speechgate", error="insufficient_scope", scope="tts:speak"',
    );
    const unknownKid = await app.request('/v1/whoami', {
      headers: { authorization: `Bearer ${await sign(claims(), 'not-a-known-kid')}` },
    });
    assert.equal(unknownKid.status, 401);
    assert.deepEqual(await failureCounts(registry), {
      missing: 1,
      expired: 1,
      insufficient_scope: 1,
      key: 1,
    });
  });

  it('applies the clock tolerance to exp and nbf', async () => {
    const lenient = buildApp({ key: createKeySource({ devKey }).key });
    const strict = buildApp({ key: createKeySource({ devKey }).key, clockToleranceSeconds: 0 });
    const token = await sign(claims({ exp: now() - 10, nbf: now() + 10 }));
    const headers = { authorization: `Bearer ${token}` };
    assert.equal((await lenient.app.request('/v1/whoami', { headers })).status, 200);
    assert.equal((await strict.app.request('/v1/whoami', { headers })).status, 401);
  });

  it('rejects unsafe options when it is built', () => {
    const key = createKeySource({ devKey }).key;
    assert.throws(() => jwtAuth({ key, issuer, audience, algorithms: ['none'] }), /none/);
    assert.throws(() => jwtAuth({ key, issuer, audience, algorithms: ['EdDSA', 'HS256'] }), /HS256/);
    assert.throws(() => jwtAuth({ key, issuer, audience, algorithms: [] }), /at least one/);
    assert.throws(() => jwtAuth({ key, issuer: '', audience }), /issuer/);
    assert.throws(() => jwtAuth({ key, issuer, audience: ' ' }), /audience/);
    assert.throws(() => jwtAuth({ key, issuer, audience, clockToleranceSeconds: -1 }), /clockTolerance/);
    assert.throws(() => jwtAuth({ key: new Uint8Array(32) as never, issuer, audience }), /public keys only/);
    assert.throws(
      () => jwtAuth({ key: createSecretKey(Buffer.alloc(32)), issuer, audience }),
      /public keys only/,
    );
    assert.throws(() => requireScope('two words'), /scope token/);
    assert.equal(jwtAuth({ key, issuer, audience }).name, 'jwtAuth');
  });

  it('never logs the token or the Authorization header', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const { app } = buildApp({ key: createKeySource({ devKey }).key }, logger);
    const tokens = [
      await sign(claims({ exp: now() - 3600 })),
      await sign(claims({ iss: 'evil' })),
      'garbage.token.x',
    ];
    for (const token of tokens) {
      const res = await app.request('/v1/whoami', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401);
    }
    assert.ok(lines.length >= tokens.length, 'refusals are logged');
    const output = lines.join('');
    for (const token of tokens) assert.ok(!output.includes(token), 'token leaked into logs');
    assert.ok(!/authorization/i.test(output));
  });
});

describe('jwtAuth verified-token cache', () => {
  const start = Date.UTC(2026, 0, 1) / 1000;
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: JWTPayload) =>
    importJWK(devKey.privateJwk, 'EdDSA').then((key) =>
      new SignJWT({ iss: issuer, aud: audience, sub: 'alice', scope: 'tts:speak', ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: devKey.kid })
        .sign(key),
    );
  /** The dev key source behind a resolver that counts how often a signature check needs a key. */
  const countingKey = () => {
    const source = createKeySource({ devKey }).key;
    const counter = { calls: 0 };
    const key: JWTVerifyGetKey = async (header, token) => {
      counter.calls++;
      return typeof source === 'function' ? source(header, token) : source;
    };
    return { key, counter };
  };
  const cacheCounts = async (registry: Registry) => {
    const metric = await registry.getSingleMetric('gateway_auth_token_cache_total')?.get();
    return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.result), v.value]));
  };
  const whoami = (app: Hono<AuthEnv>, token: string) =>
    app.request('/v1/whoami', { headers: { authorization: `Bearer ${token}` } });

  it('checks a token’s signature once, then reuses the verification', async () => {
    const { key, counter } = countingKey();
    const clock = { now: start * 1000 };
    const { app, registry } = buildApp({ key, now: () => clock.now });
    const token = await sign({ exp: start + 3600 });
    for (let i = 0; i < 5; i++) {
      const res = await whoami(app, token);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { tenant: 'alice', subject: 'alice', scopes: ['tts:speak'] });
    }
    assert.equal(counter.calls, 1);
    assert.deepEqual(await cacheCounts(registry), { miss: 1, hit: 4 });
    // Another token is its own entry.
    assert.equal((await whoami(app, await sign({ exp: start + 3601 }))).status, 200);
    assert.equal(counter.calls, 2);
  });

  it('never reuses a verification past exp (plus the clock tolerance) or past tokenCacheSeconds', async () => {
    const { key, counter } = countingKey();
    const clock = { now: start * 1000 };
    const { app, registry } = buildApp({ key, now: () => clock.now, clockToleranceSeconds: 5 });
    const shortLived = await sign({ exp: start + 20 });
    assert.equal((await whoami(app, shortLived)).status, 200);
    clock.now += 24_000; // exp + 4 s: still inside the tolerance, served from the cache
    assert.equal((await whoami(app, shortLived)).status, 200);
    assert.equal(counter.calls, 1);
    clock.now += 1000; // exp + 5 s: jwtVerify would refuse it, so the cache must not answer
    const expired = await whoami(app, shortLived);
    assert.equal(expired.status, 401);
    assert.equal(((await expired.json()) as { detail: string }).detail, 'token expired');
    assert.deepEqual(await failureCounts(registry), { expired: 1 });

    const longLived = await sign({ exp: start + 3600 });
    assert.equal((await whoami(app, longLived)).status, 200);
    const verified = counter.calls;
    clock.now += 59_000;
    assert.equal((await whoami(app, longLived)).status, 200);
    assert.equal(counter.calls, verified, 'reused within 60 s');
    clock.now += 1000;
    assert.equal((await whoami(app, longLived)).status, 200);
    assert.equal(counter.calls, verified + 1, 'checked again after 60 s');
  });

  it('does not cache refusals, and tokenCacheSeconds 0 checks every request', async () => {
    const { key, counter } = countingKey();
    const { app, registry } = buildApp({ key });
    const forged = `${(await sign({ exp: now() + 600 })).slice(0, -6)}AAAAAA`;
    for (let i = 0; i < 3; i++) assert.equal((await whoami(app, forged)).status, 401);
    assert.equal(counter.calls, 3);
    assert.deepEqual(await failureCounts(registry), { signature: 3 });

    const uncached = countingKey();
    const off = buildApp({ key: uncached.key, tokenCacheSeconds: 0 });
    const token = await sign({ exp: now() + 600 });
    for (let i = 0; i < 3; i++) assert.equal((await whoami(off.app, token)).status, 200);
    assert.equal(uncached.counter.calls, 3);
  });

  it('shares a frozen identity between the requests of one token', async () => {
    const { app } = buildApp({ key: createKeySource({ devKey }).key });
    app.get('/v1/mutate', (c) => {
      const auth = c.get('auth');
      assert.throws(() => (auth.scopes as string[]).push('tts:admin'), TypeError);
      assert.throws(() => Object.assign(auth, { tenant: 'mallory' }), TypeError);
      return c.json(auth);
    });
    const token = await sign({ exp: now() + 600 });
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/v1/mutate', { headers: { authorization: `Bearer ${token}` } });
      assert.deepEqual(await res.json(), { tenant: 'alice', subject: 'alice', scopes: ['tts:speak'] });
    }
  });
});
