import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

const skippedDirs = new Set(['node_modules', '.terraform', '.git']);

/** Files under `dir` (repository-relative) whose name passes `keep`, as repository-relative paths. */
export function listRepoFiles(dir: string, keep: (name: string) => boolean): string[] {
  const root = repoPath(dir);
  const found: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs)) {
      if (skippedDirs.has(entry)) continue;
      const child = join(abs, entry);
      if (statSync(child).isDirectory()) walk(child);
      else if (keep(entry)) found.push(relative(repoRoot, child));
    }
  };
  walk(root);
  return found.sort();
}
