/** Who is calling, as established by `jwtAuth()` from a verified token. */
export interface AuthContext {
  /** Quota and billing partition, read from the configured tenant claim (default `sub`). */
  tenant: string;
  /** The token's `sub`, or the tenant when the token has none. */
  subject: string;
  /** From `scope` (space separated) and `scp` (array), without duplicates. */
  scopes: string[];
}

/** Hono `Variables` set by `jwtAuth()`; read with `c.get('auth')`. */
export type AuthVariables = { auth: AuthContext };

/** Hono `Env` for apps and routes behind `jwtAuth()`. */
export type AuthEnv = { Variables: AuthVariables };
