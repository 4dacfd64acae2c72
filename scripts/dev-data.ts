import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The git-ignored directory where the embedded default keeps its generated secrets. */
export const dataDir =
  process.env.SPEECHGATE_DATA_DIR ?? fileURLToPath(new URL('../.data/', import.meta.url));
export const devKeyFile = path.join(dataDir, 'dev-signing-key.json');
const internalSecretFile = path.join(dataDir, 'internal-secret');

/** The gateway → node shared secret of the embedded default, created once. */
export async function ensureInternalSecret(): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(internalSecretFile)) {
    await writeFile(internalSecretFile, randomBytes(32).toString('base64url'), {
      mode: 0o600,
      flag: 'wx',
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  return (await readFile(internalSecretFile, 'utf8')).trim();
}
