import type { AuthContext } from './auth-context.ts';

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the least recently used goes first. */
  maxEntries: number;
  /** Longest a verification is reused, in ms; 0 turns the cache off. */
  maxAgeMs: number;
  /** Clock in ms since the epoch (tests move it). */
  now: () => number;
}

interface Entry {
  auth: AuthContext;
  expiresAt: number;
}

/**
 * Tokens that passed verification, so a client that sends the same token on every request pays
 * for one signature check per `maxAgeMs` instead of one per request (an Ed25519 or RSA verify is
 * most of a cached request's gateway time). Only exact token strings that verified are kept,
 * each until the earlier of `maxAgeMs` and the moment `jwtVerify` would call it expired, so a
 * refused token is never cached and a cached one never outlives its `exp`. What it does not see
 * is a key withdrawn from the key set: a token signed by it stays accepted for up to `maxAgeMs`.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: VerifiedTokenCacheOptions;

  constructor(options: VerifiedTokenCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new TypeError('maxEntries must be a positive integer');
    if (!Number.isFinite(options.maxAgeMs) || options.maxAgeMs < 0)
      throw new TypeError('maxAgeMs must be 0 or more');
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The identity a still-valid cached verification established, or undefined. */
  get(token: string): AuthContext | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    this.#entries.delete(token);
    if (entry.expiresAt <= this.#options.now()) return undefined;
    this.#entries.set(token, entry); // most recently used last
    return entry.auth;
  }

  /** Keeps a verification until `validUntil` (ms) or `maxAgeMs` from now, whichever is first. */
  set(token: string, auth: AuthContext, validUntil: number): void {
    if (this.#options.maxAgeMs === 0) return;
    const expiresAt = Math.min(validUntil, this.#options.now() + this.#options.maxAgeMs);
    if (!(expiresAt > this.#options.now())) return;
    this.#entries.delete(token);
    this.#entries.set(token, { auth, expiresAt });
    if (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
