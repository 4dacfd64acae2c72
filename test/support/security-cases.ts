import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import type { TestContext } from 'node:test';
import { type CryptoKey, generateKeyPair, type JWK, type JWTPayload, type KeyObject, SignJWT } from 'jose';

/**
 * The one security suite for every protected route: the gateway's route tests and the auth
 * middleware's own tests run the same cases, so a route cannot quietly skip a check.
 */
export interface SecurityCaseOptions {
  issuer: string;
  audience: string;
  /** The private key the server trusts (its public half is `publicJwk`). */
  signingKey: CryptoKey | KeyObject;
  publicJwk: JWK;
  /** The scope the routes require; tokens without it must get 403. */
  scope: string;
  /** Signing algorithm. Default `publicJwk.alg`, else `EdDSA`. */
  alg?: string;
  /** kid in the token header. Default `publicJwk.kid`. */
  kid?: string;
  /** Default `security-suite`. */
  subject?: string;
}

export interface SecurityCase {
  name: string;
  headers: Record<string, string>;
  expectStatus: 401 | 403;
}

export interface SecurityRoute {
  method: string;
  path: string;
  /** Sent as JSON when given, so a route's body validation cannot answer before auth does. */
  body?: unknown;
}

export interface SecuritySuiteOptions extends SecurityCaseOptions {
  request: (path: string, init: RequestInit) => Promise<Response>;
  routes: readonly SecurityRoute[];
}

const hour = 3600;

/** Headers with a token the server must accept (the control that keeps the suite honest). */
export async function validAuthHeaders(opts: SecurityCaseOptions): Promise<Record<string, string>> {
  return bearer(await sign(opts, opts.signingKey, baseClaims(opts)));
}

/** Every way a request must be refused: 401 for bad credentials, 403 for a missing scope. */
export async function securityCases(opts: SecurityCaseOptions): Promise<SecurityCase[]> {
  const claims = baseClaims(opts);
  const now = Math.floor(Date.now() / 1000);
  const alg = algOf(opts);
  const otherKey = (await generateKeyPair(alg)).privateKey;
  const pem = createPublicKey({ key: opts.publicJwk as never, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  const der = createPublicKey({ key: opts.publicJwk as never, format: 'jwk' }).export({
    type: 'spki',
    format: 'der',
  });
  const valid = await sign(opts, opts.signingKey, claims);
  const [validHeader, , validSignature] = valid.split('.');
  const without = (name: keyof JWTPayload) =>
    Object.fromEntries(Object.entries(claims).filter(([k]) => k !== name));

  const unauthorized = (name: string, headers: Record<string, string>): SecurityCase => ({
    name,
    headers,
    expectStatus: 401,
  });
  return [
    unauthorized('missing Authorization header', {}),
    unauthorized('Basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }),
    unauthorized('Bearer with no token', { authorization: 'Bearer' }),
    unauthorized('Bearer with two tokens', { authorization: `Bearer ${valid} ${valid}` }),
    unauthorized('garbage token', { authorization: 'Bearer not-a-jwt' }),
    unauthorized('three garbage segments', { authorization: 'Bearer a.b.c' }),
    unauthorized('header that is not a JSON object', {
      authorization: `Bearer ${b64(JSON.stringify('x'))}.${b64('{}')}.${validSignature}`,
    }),
    unauthorized('payload that is not JSON', {
      authorization: `Bearer ${validHeader}.${b64('not json')}.${validSignature}`,
    }),
    unauthorized('empty signature', {
      authorization: `Bearer ${validHeader}.${b64(JSON.stringify(claims))}.`,
    }),
    unauthorized('signed by another key', bearer(await sign(opts, otherKey, claims))),
    unauthorized('tampered payload', {
      authorization: `Bearer ${validHeader}.${b64(JSON.stringify({ ...claims, sub: 'someone-else' }))}.${validSignature}`,
    }),
    unauthorized('alg none', {
      authorization: `Bearer ${b64(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}.`,
    }),
    unauthorized(
      'HS256 with the public key PEM as secret',
      bearer(await signHmac(opts, Buffer.from(pem), claims)),
    ),
    unauthorized('HS256 with the public key DER as secret', bearer(await signHmac(opts, der, claims))),
    unauthorized(
      'expired',
      bearer(await sign(opts, opts.signingKey, { ...claims, iat: now - 3 * hour, exp: now - 2 * hour })),
    ),
    unauthorized(
      'nbf in the future',
      bearer(await sign(opts, opts.signingKey, { ...claims, nbf: now + 2 * hour })),
    ),
    unauthorized(
      'wrong issuer',
      bearer(await sign(opts, opts.signingKey, { ...claims, iss: `${opts.issuer}-evil` })),
    ),
    unauthorized(
      'wrong audience',
      bearer(await sign(opts, opts.signingKey, { ...claims, aud: `${opts.audience}-evil` })),
    ),
    unauthorized('no exp', bearer(await sign(opts, opts.signingKey, without('exp')))),
    unauthorized(
      'exp that is not a number',
      bearer(await sign(opts, opts.signingKey, { ...claims, exp: 'tomorrow' as never })),
    ),
    unauthorized('no iss', bearer(await sign(opts, opts.signingKey, without('iss')))),
    unauthorized('no aud', bearer(await sign(opts, opts.signingKey, without('aud')))),
    {
      name: 'missing scope',
      headers: bearer(await sign(opts, opts.signingKey, { ...claims, scope: 'unrelated:scope' })),
      expectStatus: 403,
    },
  ];
}

/**
 * Runs every case against every route as subtests of `t`, asserting the exact status, a
 * problem+json body with `error.code` `unauthorized`/`forbidden`, a Bearer challenge on every
 * 401 (with no error code when no token was sent) and on every 403 `insufficient_scope`; first,
 * that a valid token is let through, so a route that refuses everything cannot pass.
 *
 * @example
 * await runSecuritySuite(t, { request: (p, init) => app.request(p, init), routes, ...keys });
 */
export async function runSecuritySuite(t: TestContext, opts: SecuritySuiteOptions): Promise<void> {
  assert.ok(opts.routes.length > 0, 'the security suite needs at least one route');
  const cases = await securityCases(opts);
  const valid = await validAuthHeaders(opts);
  for (const route of opts.routes) {
    await t.test(`${route.method} ${route.path}`, async (t) => {
      await t.test('a valid token is let through', async () => {
        const res = await send(opts, route, valid);
        assert.ok(![401, 403].includes(res.status), `valid token refused with ${res.status}`);
        assert.ok(res.status < 500, `valid token answered ${res.status}`);
        await res.body?.cancel();
      });
      for (const c of cases) {
        await t.test(c.name, async () => {
          const res = await send(opts, route, c.headers);
          assert.equal(res.status, c.expectStatus, `${c.name}: status`);
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
          const body = (await res.json()) as { code?: string; error?: { code?: string } };
          const code = c.expectStatus === 401 ? 'unauthorized' : 'forbidden';
          assert.equal(body.error?.code, code);
          assert.equal(body.code, code);
          const challenge = res.headers.get('www-authenticate') ?? '';
          if (c.expectStatus === 401) {
            assert.match(challenge, /^Bearer realm="[^"]*"/);
            // RFC 6750 §3.1: no credentials (or another scheme) gets a challenge without an error code.
            if (!/^bearer(\s|$)/i.test(c.headers.authorization ?? ''))
              assert.doesNotMatch(challenge, /error=/);
            else assert.match(challenge, /error="invalid_token"/);
          } else {
            assert.match(challenge, /error="insufficient_scope"/);
          }
        });
      }
    });
  }
}

function send(
  opts: SecuritySuiteOptions,
  route: SecurityRoute,
  headers: Record<string, string>,
): Promise<Response> {
  const init: RequestInit = { method: route.method, headers: { ...headers } };
  if (route.body !== undefined) {
    init.body = JSON.stringify(route.body);
    init.headers = { ...headers, 'content-type': 'application/json' };
  }
  return opts.request(route.path, init);
}

function baseClaims(opts: SecurityCaseOptions): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: opts.issuer,
    aud: opts.audience,
    sub: opts.subject ?? 'security-suite',
    iat: now,
    exp: now + hour,
    scope: opts.scope,
  };
}

function algOf(opts: SecurityCaseOptions): string {
  return opts.alg ?? opts.publicJwk.alg ?? 'EdDSA';
}

function sign(opts: SecurityCaseOptions, key: CryptoKey | KeyObject, claims: JWTPayload): Promise<string> {
  const kid = opts.kid ?? opts.publicJwk.kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: algOf(opts), typ: 'JWT', ...(kid ? { kid } : {}) })
    .sign(key);
}

/** The classic confusion: a verifier that trusts the token's alg would use the public key as an HMAC secret. */
function signHmac(opts: SecurityCaseOptions, secret: Uint8Array, claims: JWTPayload): Promise<string> {
  const kid = opts.kid ?? opts.publicJwk.kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) })
    .sign(secret);
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
