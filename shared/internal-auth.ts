import { jwtVerify, SignJWT } from 'jose';

/**
 * Gateway → node credential: a short-lived HS256 JWT signed with a shared secret. The node
 * accepts nothing else on its synthesis routes, so a node reachable by mistake is not an open
 * synthesis service.
 */
const issuer = 'speechgate-gateway';
const audience = 'speechgate-node';

export interface InternalTokenSigner {
  /** A bearer token valid for a minute, cached and renewed before it expires. */
  token(): Promise<string>;
}

export function createInternalTokenSigner(secret: string, now: () => number = Date.now): InternalTokenSigner {
  const key = new TextEncoder().encode(secret);
  let cached: { value: string; expiresAt: number } | undefined;
  return {
    async token() {
      const t = now();
      if (cached && cached.expiresAt - t > 15_000) return cached.value;
      const iat = Math.floor(t / 1000);
      const value = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(key);
      cached = { value, expiresAt: (iat + 60) * 1000 };
      return value;
    },
  };
}

export type InternalTokenVerifier = (token: string) => Promise<boolean>;

export function createInternalTokenVerifier(secret: string): InternalTokenVerifier {
  const key = new TextEncoder().encode(secret);
  return async function verifyInternalToken(token) {
    try {
      await jwtVerify(token, key, { issuer, audience, algorithms: ['HS256'], clockTolerance: 5 });
      return true;
    } catch {
      return false;
    }
  };
}
