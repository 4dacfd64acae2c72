import { createHmac, createSign, timingSafeEqual } from 'node:crypto';

export interface UrlSigningKey {
  id: string;
  secret: string;
}

export interface CloudFrontSigning {
  keyPairId: string;
  /** PEM RSA private key of a key in the distribution's trusted key group. */
  privateKeyPem: string;
}

export interface AudioUrlSignerOptions {
  /** The first key signs; every key verifies, so a rotation keeps old URLs valid. */
  keys: readonly UrlSigningKey[];
  ttlSeconds: number;
  /** Origin the URLs point at (a CDN in production). Default: none, a path-only URL. */
  baseUrl?: string;
  /** Also add CloudFront canned-policy parameters, so the CDN checks URLs at the edge. */
  cloudfront?: CloudFrontSigning;
  now?: () => number;
}

export type Verdict = 'ok' | 'expired' | 'bad_signature';

/**
 * Signed, expiring URLs for stored clips: HMAC-SHA256 over the path and the expiry, tagged with
 * the key id. No bearer token travels, so the CDN cache key stays the URL itself.
 *
 * @example
 * const signer = createAudioUrlSigner({ keys: [{ id: 'k2', secret }], ttlSeconds: 86400 });
 * signer.sign('/v1/audio/ab…12.mp3').url // '/v1/audio/ab…12.mp3?exp=1795…&sig=k2.Qm9…'
 */
export function createAudioUrlSigner(options: AudioUrlSignerOptions) {
  if (options.keys.length === 0) throw new TypeError('at least one URL signing key is required');
  for (const key of options.keys) {
    if (!/^[\w-]{1,32}$/.test(key.id))
      throw new TypeError(`signing key id ${JSON.stringify(key.id)} must be 1-32 word characters`);
    if (key.secret.length < 16) throw new TypeError(`signing key ${key.id} must be at least 16 characters`);
  }
  const now = options.now ?? Date.now;
  const [signingKey] = options.keys;
  const mac = (secret: string, path: string, exp: number) =>
    createHmac('sha256', secret).update(`${path}\n${exp}`).digest('base64url');

  return {
    sign(path: string): { url: string; expiresAt: Date } {
      const exp = Math.floor(now() / 1000) + options.ttlSeconds;
      const query = `exp=${exp}&sig=${signingKey!.id}.${mac(signingKey!.secret, path, exp)}`;
      let url = `${options.baseUrl?.replace(/\/$/, '') ?? ''}${path}?${query}`;
      if (options.cloudfront) url = cloudFrontSign(url, exp, options.cloudfront);
      return { url, expiresAt: new Date(exp * 1000) };
    },
    verify(path: string, expParam: string | undefined, sigParam: string | undefined): Verdict {
      if (!expParam || !sigParam || !/^\d{1,12}$/.test(expParam)) return 'bad_signature';
      const dot = sigParam.indexOf('.');
      const key = options.keys.find((k) => k.id === sigParam.slice(0, dot));
      if (dot < 1 || !key) return 'bad_signature';
      const expected = Buffer.from(mac(key.secret, path, Number(expParam)));
      const given = Buffer.from(sigParam.slice(dot + 1));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
      return Number(expParam) * 1000 <= now() ? 'expired' : 'ok';
    },
  };
}

export type AudioUrlSigner = ReturnType<typeof createAudioUrlSigner>;

/** CloudFront canned policy: RSA-SHA1 over the policy, in CloudFront's URL-safe base64. */
export function cloudFrontSign(url: string, exp: number, signing: CloudFrontSigning): string {
  const policy = JSON.stringify({
    Statement: [{ Resource: url, Condition: { DateLessThan: { 'AWS:EpochTime': exp } } }],
  });
  const signature = createSign('RSA-SHA1').update(policy).sign(signing.privateKeyPem, 'base64');
  const safe = signature.replaceAll('+', '-').replaceAll('=', '_').replaceAll('/', '~');
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}Expires=${exp}&Signature=${safe}&Key-Pair-Id=${encodeURIComponent(signing.keyPairId)}`;
}

/** `AUDIO_URL_SIGNING_KEYS`: `id:secret[,id:secret…]`, the first one signing. */
export function parseSigningKeys(value: string): UrlSigningKey[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      if (colon < 1) throw new TypeError('AUDIO_URL_SIGNING_KEYS entries are id:secret');
      return { id: part.slice(0, colon), secret: part.slice(colon + 1) };
    });
}
