/** Why a token was refused: the metric label and the `error_description` a client sees. */
export interface VerifyFailure {
  reason: string;
  description: string;
}

/**
 * Maps anything `jwtVerify` or a key resolver throws to a fixed reason and description. It
 * branches on jose's stable error codes, never on messages, and the descriptions are ours, so
 * nothing from the token is echoed back. Whatever is not recognised (jose throws plain
 * TypeErrors for some malformed input) is still a refusal, never a 500.
 */
export function classifyVerifyError(err: unknown): VerifyFailure {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return { reason: 'expired', description: 'token expired' };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimFailure(err as { claim?: unknown; reason?: unknown });
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { reason: 'algorithm', description: 'token algorithm not allowed' };
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { reason: 'signature', description: 'signature verification failed' };
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JOSE_NOT_SUPPORTED':
    case 'ERR_JWK_INVALID':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWKS_TIMEOUT':
      return { reason: 'key', description: 'no known key matches the token' };
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return { reason: 'malformed', description: 'malformed token' };
    default:
      return { reason: 'invalid', description: 'invalid token' };
  }
}

const knownClaims = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'typ']);

function claimFailure(err: { claim?: unknown; reason?: unknown }): VerifyFailure {
  const claim = typeof err.claim === 'string' && knownClaims.has(err.claim) ? err.claim : 'claim';
  if (claim === 'nbf' && err.reason === 'check_failed') {
    return { reason: 'not_yet_valid', description: 'token not yet valid' };
  }
  if (err.reason === 'missing') return { reason: 'claims', description: `token has no ${claim} claim` };
  return { reason: 'claims', description: `invalid ${claim} claim` };
}
