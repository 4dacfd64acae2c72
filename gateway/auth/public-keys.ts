import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';

const pemBlock = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g;

/**
 * A resolver over `AUTH_PUBLIC_KEYS`: a JWKS JSON document, or one or more PEM SPKI blocks.
 * Throws at startup on anything that is not a set of public signature keys.
 */
export function publicKeysResolver(text: string): JWTVerifyGetKey {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return createLocalJWKSet(parseJwks(trimmed));
  const blocks = trimmed.match(pemBlock) ?? [];
  if (blocks.length === 0)
    throw new TypeError('public keys must be a JWKS document or PEM "PUBLIC KEY" blocks');
  const jwks: JSONWebKeySet = {
    keys: blocks.map((pem, index) => {
      try {
        return createPublicKey(pem).export({ format: 'jwk' }) as JWK;
      } catch (cause) {
        throw new TypeError(`PEM public key #${index + 1} cannot be read`, { cause });
      }
    }),
  };
  const local = createLocalJWKSet(jwks);
  // PEM keys carry no kid, so a token's kid can never match one: select on the algorithm alone.
  return function resolvePemKey(protectedHeader, token) {
    const { kid: _kid, ...header } = { ...protectedHeader, ...token?.header };
    return local(header);
  };
}

/** A `createLocalJWKSet` resolver for one public JWK (the dev key). */
export function publicJwkResolver(jwk: JWK): JWTVerifyGetKey {
  assertPublic(jwk, 0);
  return createLocalJWKSet({ keys: [jwk] });
}

function parseJwks(text: string): JSONWebKeySet {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new TypeError('public keys look like JSON but do not parse', { cause });
  }
  const keys = (document as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new TypeError('a JWKS document needs a non-empty "keys" array');
  for (const [index, jwk] of keys.entries()) assertPublic(jwk as JWK, index);
  return { keys: keys as JWK[] };
}

function assertPublic(jwk: JWK, index: number): void {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') {
    throw new TypeError(`JWK #${index + 1} has no "kty"`);
  }
  // A symmetric or private key here would mean a secret sits in configuration meant for public keys.
  if (jwk.kty === 'oct' || 'd' in jwk) throw new TypeError(`JWK #${index + 1} is not a public key`);
}
