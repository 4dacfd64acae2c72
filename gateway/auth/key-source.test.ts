import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, describe, it } from 'node:test';
import { Hono } from 'hono';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { Registry } from 'prom-client';
import { createErrorHandler } from '../../shared/http-errors.ts';
import { createSilentLogger } from '../../shared/logger.ts';
import type { AuthEnv } from './auth-context.ts';
import { jwtAuth } from './jwt-auth.ts';
import { createKeySource, type KeySource } from './key-source.ts';

const issuer = 'speechgate-test';
const audience = 'speechgate';

async function keyPair(alg: string, kid: string) {
  const pair = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg };
  return { ...pair, publicJwk, kid, alg };
}

function token(key: { privateKey: CryptoKey; alg: string; kid?: string }, kid = key.kid): Promise<string> {
  return new SignJWT({ scope: 'tts:speak' })
    .setProtectedHeader({ alg: key.alg, ...(kid ? { kid } : {}) })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('alice')
    .setExpirationTime('5m')
    .sign(key.privateKey);
}

/** A JWKS endpoint on loopback whose answer the test changes. */
async function jwksServer() {
  const state: { status: number; keys: JWK[]; hits: number } = { status: 200, keys: [], hits: 0 };
  const server: Server = createServer((_req, res) => {
    state.hits += 1;
    res.writeHead(state.status, { 'content-type': 'application/json' });
    res.end(state.status === 200 ? JSON.stringify({ keys: state.keys }) : '{"error":"down"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return { state, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function appFor(source: KeySource) {
  const app = new Hono<AuthEnv>();
  app.onError(createErrorHandler(createSilentLogger()));
  app.use('*', jwtAuth({ key: source.key, issuer, audience, algorithms: ['ES256', 'RS256', 'EdDSA'] }));
  app.get('/', (c) => c.json(c.get('auth')));
  return (jwt: string) => app.request('/', { headers: { authorization: `Bearer ${jwt}` } });
}

async function refreshFailures(registry: Registry): Promise<number> {
  return (
    (await registry.getSingleMetric('gateway_jwks_refresh_failures_total')?.get())?.values[0]?.value ?? 0
  );
}

const sources: KeySource[] = [];
afterEach(() => {
  for (const source of sources.splice(0)) source.close();
});

describe('createKeySource', () => {
  it('needs exactly one source', () => {
    assert.throws(() => createKeySource({}), /exactly one/);
    assert.throws(
      () => createKeySource({ jwksUrl: 'http://127.0.0.1:9/jwks', publicKeys: '{}' }),
      /exactly one/,
    );
    assert.throws(() => createKeySource({ jwksUrl: 'file:///etc/passwd' }), /http/);
  });

  it('refuses public key configuration that holds secrets or nothing usable', async () => {
    const { privateKey } = await keyPair('ES256', 'x');
    const privateJwk = await exportJWK(privateKey);
    assert.throws(
      () => createKeySource({ publicKeys: JSON.stringify({ keys: [privateJwk] }) }),
      /not a public key/,
    );
    assert.throws(
      () => createKeySource({ publicKeys: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}' }),
      /not a public key/,
    );
    assert.throws(() => createKeySource({ publicKeys: '{"keys":[]}' }), /non-empty/);
    assert.throws(() => createKeySource({ publicKeys: 'not a key' }), /PEM/);
    assert.throws(
      () => createKeySource({ publicKeys: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }),
      /cannot be read/,
    );
  });

  it('verifies with several PEM keys, whatever kid the token carries', async () => {
    const rsa = await keyPair('RS256', 'rsa');
    const ec = await keyPair('ES256', 'ec');
    const ec2 = await keyPair('ES256', 'ec2');
    const pems = [
      await exportSPKI(rsa.publicKey),
      await exportSPKI(ec.publicKey),
      await exportSPKI(ec2.publicKey),
    ];
    const request = appFor(createKeySource({ publicKeys: pems.join('\n') }));
    assert.equal((await request(await token(rsa))).status, 200);
    assert.equal((await request(await token(ec))).status, 200);
    // Two EC keys match an ES256 header; the middleware tries each until one verifies.
    assert.equal((await request(await token(ec2, ''))).status, 200);
    const stranger = await keyPair('ES256', 'stranger');
    assert.equal((await request(await token(stranger))).status, 401);
  });

  describe('from a JWKS URL', () => {
    const servers: Array<{ close(): Promise<void> }> = [];
    after(async () => {
      for (const server of servers) await server.close();
    });

    it('keeps the last good key set when the endpoint fails, and counts the failure', async () => {
      const jwks = await jwksServer();
      servers.push(jwks);
      const current = await keyPair('ES256', 'k1');
      jwks.state.keys = [current.publicJwk];
      const registry = new Registry();
      const source = createKeySource({ jwksUrl: jwks.url, registry, logger: createSilentLogger() });
      sources.push(source);
      const request = appFor(source);
      assert.equal((await request(await token(current))).status, 200);

      jwks.state.status = 503;
      assert.equal(await source.refresh(), false);
      assert.equal(await refreshFailures(registry), 1);
      const res = await request(await token(current));
      assert.equal(res.status, 200, 'last good key set still verifies');
      const verified = await jwtVerify(await token(current), source.key, { issuer, audience });
      assert.equal(verified.payload.sub, 'alice');
    });

    it('refuses an unknown kid with 401 while the endpoint is down, and picks up a rotation', async () => {
      const jwks = await jwksServer();
      servers.push(jwks);
      const first = await keyPair('ES256', 'k1');
      const rotated = await keyPair('ES256', 'k2');
      jwks.state.keys = [first.publicJwk];
      const registry = new Registry();
      const source = createKeySource({
        jwksUrl: jwks.url,
        registry,
        refreshCooldownMs: 1,
        logger: createSilentLogger(),
      });
      sources.push(source);
      const request = appFor(source);
      assert.equal((await request(await token(first))).status, 200);

      jwks.state.status = 500;
      const refused = await request(await token(rotated));
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      assert.equal(await refreshFailures(registry), 1, 'the unknown kid triggered one counted refresh');

      jwks.state.status = 200;
      jwks.state.keys = [first.publicJwk, rotated.publicJwk];
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal(
        (await request(await token(rotated))).status,
        200,
        'rotation picked up on the unknown kid',
      );
      assert.equal((await request(await token(first))).status, 200);
    });

    it('answers 401, never 500, when no key set was ever fetched', async () => {
      const jwks = await jwksServer();
      await jwks.close();
      const registry = new Registry();
      const source = createKeySource({
        jwksUrl: jwks.url,
        registry,
        fetchTimeoutMs: 1_000,
        logger: createSilentLogger(),
      });
      sources.push(source);
      const first = await keyPair('ES256', 'k1');
      const res = await appFor(source)(await token(first));
      assert.equal(res.status, 401);
      assert.ok((await refreshFailures(registry)) >= 1);
    });

    it('does not refetch for every unknown kid within the cooldown', async () => {
      const jwks = await jwksServer();
      servers.push(jwks);
      const known = await keyPair('ES256', 'k1');
      jwks.state.keys = [known.publicJwk];
      const source = createKeySource({ jwksUrl: jwks.url, logger: createSilentLogger() });
      sources.push(source);
      const request = appFor(source);
      assert.equal((await request(await token(known))).status, 200);
      const hitsBefore = jwks.state.hits;
      const stranger = await keyPair('ES256', 'stranger');
      for (let i = 0; i < 5; i++)
        assert.equal((await request(await token(stranger, `random-${i}`))).status, 401);
      assert.equal(jwks.state.hits, hitsBefore);
    });
  });
});
