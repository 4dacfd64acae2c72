import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { z } from 'zod';

/** The embedded development signing key: an Ed25519 pair stored as JWKs sharing one `kid`. */
export interface DevKey {
  kid: string;
  alg: 'EdDSA';
  privateJwk: JWK;
  publicJwk: JWK;
}

const okpJwk = z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1) });
const devKeySchema = z.object({
  kid: z.string().min(1),
  alg: z.literal('EdDSA'),
  privateJwk: okpJwk.extend({ d: z.string().min(1) }),
  publicJwk: okpJwk.refine((jwk) => !('d' in jwk), 'publicJwk must not hold the private part'),
});

/**
 * Returns the dev key pair stored in `file`, creating it first when the file does not exist
 * (parent folders included; the file is written with mode 0600). Two processes starting at
 * once agree on one key: the file is created atomically and never overwritten.
 *
 * @example
 * const key = await ensureDevKey('data/dev-key.json');
 * const source = createKeySource({ devKey: key });
 */
export async function ensureDevKey(file: string): Promise<DevKey> {
  const existing = await readDevKey(file);
  if (existing) return existing;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const created = await generateDevKey();
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails with EEXIST instead of replacing, so a racing process keeps its key and we read it.
    await link(temporary, file);
    return created;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readDevKey(file);
    if (!winner) throw new Error(`dev key file ${file} vanished while being created`, { cause: err });
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}

export interface DevTokenOptions {
  subject: string;
  /** Sent as the `tenant` claim when given. */
  tenant?: string;
  scopes: readonly string[];
  ttlSeconds: number;
  issuer: string;
  audience: string;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Signs a development JWT with the dev key: `iss`, `aud`, `sub`, `iat`, `exp`, `scope` (space
 * separated) and, when given, `tenant`.
 *
 * @example
 * const token = await signDevToken(key, {
 *   subject: 'alice', scopes: ['tts:speak'], ttlSeconds: 3600, issuer: 'speechgate-dev', audience: 'speechgate',
 * });
 */
export async function signDevToken(key: DevKey, options: DevTokenOptions): Promise<string> {
  if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
    throw new TypeError('ttlSeconds must be a positive integer');
  }
  for (const scope of options.scopes) {
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))
      throw new TypeError(`invalid scope ${JSON.stringify(scope)}`);
  }
  const privateKey = await importJWK(key.privateJwk, 'EdDSA');
  const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
  return new SignJWT({
    scope: options.scopes.join(' '),
    ...(options.tenant ? { tenant: options.tenant } : {}),
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .sign(privateKey);
}

async function generateDevKey(): Promise<DevKey> {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg: 'EdDSA',
    privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: 'EdDSA', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'EdDSA', use: 'sig' },
  };
}

async function readDevKey(file: string): Promise<DevKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: ReturnType<typeof devKeySchema.safeParse>;
  try {
    parsed = devKeySchema.safeParse(JSON.parse(text));
  } catch (cause) {
    throw new Error(`dev key file ${file} is not JSON`, { cause });
  }
  if (!parsed.success)
    throw new Error(`dev key file ${file} is not a Speechgate dev key: ${parsed.error.message}`);
  return parsed.data as DevKey;
}
