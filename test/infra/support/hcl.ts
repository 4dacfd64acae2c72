import { readdirSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import { readRepoFile, repoPath } from './repo.ts';

/** A Terraform configuration as @cdktf/hcl2json renders it: blocks become arrays of objects. */
// biome-ignore lint/suspicious/noExplicitAny: hcl2json returns untyped JSON
export type Hcl = Record<string, any>;

export async function parseHclFile(file: string): Promise<Hcl> {
  return parse(file, readRepoFile(file));
}

/** Every `.tf` file of one module directory merged into one document. */
export async function parseModule(dir: string): Promise<Hcl> {
  const merged: Hcl = {};
  const files = readdirSync(repoPath(dir)).filter((f) => f.endsWith('.tf'));
  for (const file of files) mergeInto(merged, await parseHclFile(`${dir}/${file}`));
  return merged;
}

function mergeInto(target: Hcl, source: Hcl) {
  for (const [key, value] of Object.entries(source)) {
    if (Array.isArray(value)) target[key] = [...((target[key] as unknown[]) ?? []), ...value];
    else if (value && typeof value === 'object') {
      target[key] ??= {};
      mergeInto(target[key], value);
    } else target[key] = value;
  }
}

/** Resources of one type as [name, block] pairs. */
export function resources(module: Hcl, type: string): [string, Hcl][] {
  const byName = (module.resource?.[type] ?? {}) as Record<string, Hcl[]>;
  return Object.entries(byName).map(([name, blocks]) => [name, blocks[0]!]);
}

/** A Terraform interpolation as hcl2json renders references: `tfRef('var.x')` is `${var.x}`. */
export const tfRef = (expr: string): string => `\${${expr}}`;

/** `${x}` → `x`; anything else unchanged. */
export function unwrap(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^\$\{([\s\S]*)\}$/.exec(value);
  return match ? match[1]!.trim() : value;
}
