import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { ensureDevKey, signDevToken } from './dev-key.ts';
import { createKeySource } from './key-source.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'speechgate-devkey-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('ensureDevKey', () => {
  it('creates an Ed25519 key file with mode 0600 and parent folders, then reuses it', async () => {
    const file = join(dir, 'nested', 'deeper', 'dev-key.json');
    const created = await ensureDevKey(file);
    assert.equal(created.alg, 'EdDSA');
    assert.equal(created.publicJwk.crv, 'Ed25519');
    assert.equal(created.publicJwk.kid, created.kid);
    assert.equal('d' in created.publicJwk, false);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await ensureDevKey(file), created);
  });

  it('agrees on one key when several callers race', async () => {
    const file = join(dir, 'race', 'dev-key.json');
    const keys = await Promise.all(Array.from({ length: 8 }, () => ensureDevKey(file)));
    assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
  });

  it('refuses a file that is not a dev key', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"kid":"x"}');
    await assert.rejects(ensureDevKey(file), /not a Speechgate dev key/);
    await writeFile(file, 'nope');
    await assert.rejects(ensureDevKey(file), /not JSON/);
  });
});

describe('signDevToken', () => {
  it('signs a token the dev key source verifies, with the documented claims', async () => {
    const key = await ensureDevKey(join(dir, 'sign', 'dev-key.json'));
    const now = Date.UTC(2026, 0, 1) / 1000;
    const token = await signDevToken(key, {
      subject: 'alice',
      tenant: 'acme',
      scopes: ['tts:speak', 'voices:read'],
      ttlSeconds: 600,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
      now: () => now * 1000,
    });
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
    assert.deepEqual(decodeJwt(token), {
      iss: 'speechgate-dev',
      aud: 'speechgate',
      sub: 'alice',
      iat: now,
      exp: now + 600,
      scope: 'tts:speak voices:read',
      tenant: 'acme',
    });
    const fresh = await signDevToken(key, {
      subject: 'bob',
      scopes: [],
      ttlSeconds: 60,
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
    const { payload } = await jwtVerify(fresh, createKeySource({ devKey: key }).key, {
      issuer: 'speechgate-dev',
      audience: 'speechgate',
    });
    assert.equal(payload.sub, 'bob');
    assert.equal('tenant' in payload, false);
    await assert.rejects(
      signDevToken(key, { subject: 'x', scopes: ['a b'], ttlSeconds: 60, issuer: 'i', audience: 'a' }),
      /invalid scope/,
    );
    await assert.rejects(
      signDevToken(key, { subject: 'x', scopes: [], ttlSeconds: 0, issuer: 'i', audience: 'a' }),
      /ttlSeconds/,
    );
  });
});
