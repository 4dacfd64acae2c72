import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Hcl, parseModule, tfRef, unwrap } from './hcl.ts';
import { repoPath } from './repo.ts';

/**
 * Lays out terraform/ in `dir` with every provider module replaced by a provider-free stub
 * that keeps its variables (types, defaults, validations) and outputs (unknown values of any
 * type). The env roots, minus their provider requirements, can then be validated and planned
 * offline: module arguments, for_each keys, references, cycles and the example tfvars going
 * through the topology module's validations are all checked without a provider binary.
 */
export async function writeStubbedTree(dir: string): Promise<void> {
  const modulesDir = repoPath('terraform/modules');
  for (const name of readdirSync(modulesDir)) {
    const target = join(dir, 'modules', name);
    mkdirSync(target, { recursive: true });
    if (name === 'topology') {
      cpSync(join(modulesDir, name), target, { recursive: true });
      continue;
    }
    const module = await parseModule(`terraform/modules/${name}`);
    writeFileSync(join(target, 'main.tf.json'), JSON.stringify(stubOf(module), null, 2));
  }
  const envsDir = repoPath('terraform/envs');
  for (const env of readdirSync(envsDir)) {
    const target = join(dir, 'envs', env);
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(join(envsDir, env))) {
      // versions.tf and providers.tf only name providers; everything else is copied as is.
      const keep =
        (file.endsWith('.tf') && file !== 'versions.tf' && file !== 'providers.tf') ||
        file.endsWith('.tfvars');
      if (keep) cpSync(join(envsDir, env, file), join(target, file));
    }
  }
}

function stubOf(module: Hcl): Hcl {
  const variable: Hcl = {};
  for (const [name, blocks] of Object.entries((module.variable ?? {}) as Record<string, Hcl[]>)) {
    const block = { ...blocks[0] };
    if (block.type) block.type = unwrap(block.type);
    variable[name] = block;
  }
  const output: Hcl = {};
  // jsondecode(timestamp()) is unknown at plan time and of no fixed type, like a real attribute.
  for (const name of Object.keys(module.output ?? {}))
    output[name] = { value: tfRef('jsondecode(timestamp())') };
  return { variable, output };
}
