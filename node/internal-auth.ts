import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../shared/errors.ts';
import type { InternalTokenVerifier } from '../shared/internal-auth.ts';

/**
 * Only the gateway may ask a node to synthesise: every route behind this middleware requires
 * a gateway-signed internal token.
 */
export function internalAuth(verify: InternalTokenVerifier): MiddlewareHandler {
  return async function requireGatewayToken(c, next) {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token || !(await verify(token))) {
      throw new ApiError('unauthorized', 'a valid gateway token is required', {
        headers: { 'www-authenticate': 'Bearer realm="speechgate-node"' },
      });
    }
    await next();
  };
}
