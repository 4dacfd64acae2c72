import { parseArgs } from 'node:util';
import { ensureDevKey, signDevToken } from '../gateway/auth/dev-key.ts';
import { devKeyFile } from './dev-data.ts';

/**
 * Prints a token signed with the embedded dev key, for the gateway that `npm start` runs.
 * Usage: npm run -s token -- [--sub alice] [--tenant acme] [--scope "tts:speak tts:admin"] [--ttl 3600]
 */
const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'dev-user' },
    tenant: { type: 'string' },
    scope: { type: 'string', default: 'tts:speak' },
    ttl: { type: 'string', default: '3600' },
    issuer: { type: 'string', default: 'speechgate-dev' },
    audience: { type: 'string', default: 'speechgate' },
  },
});
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  process.stderr.write('--ttl must be a positive number of seconds\n');
  process.exit(2);
}
const key = await ensureDevKey(devKeyFile);
const token = await signDevToken(key, {
  subject: values.sub,
  ...(values.tenant ? { tenant: values.tenant } : {}),
  scopes: values.scope.split(/[\s,]+/).filter(Boolean),
  ttlSeconds,
  issuer: values.issuer,
  audience: values.audience,
});
process.stdout.write(`${token}\n`);
