/**
 * Who is calling, as established by `jwtAuth()` from a verified token. Frozen: requests that send
 * the same token share one.
 */
export interface AuthContext {
  /** Quota and billing partition, read from the configured tenant claim (default `sub`). */
  readonly tenant: string;
  /** The token's `sub`, or the tenant when the token has none. */
  readonly subject: string;
  /** From `scope` (space separated) and `scp` (array), without duplicates. */
  readonly scopes: readonly string[];
}

/** Hono `Variables` set by `jwtAuth()`; read with `c.get('auth')`. */
export type AuthVariables = { auth: AuthContext };

/** Hono `Env` for apps and routes behind `jwtAuth()`. */
export type AuthEnv = { Variables: AuthVariables };
