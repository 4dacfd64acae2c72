import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { type Hcl, parseModule } from './support/hcl.ts';
import { repoPath } from './support/repo.ts';
import { writeStubbedTree } from './support/stub-modules.ts';
import { terraformAvailable, terraformSession } from './support/terraform.ts';

// The Terraform CLI checks that work without network access: fmt, the provider-free topology
// module's init/validate/test, and the env roots wired against stubbed provider modules.
const skip = terraformAvailable() ? false : 'skipped: terraform CLI not on PATH';
const envs = readdirSync(repoPath('terraform/envs'));

describe('terraform CLI (offline)', { skip }, () => {
  const session = terraformSession('tf-cli');
  after(() => session.cleanup());

  it('terraform fmt -check -recursive finds nothing to rewrite', () => {
    for (const dir of ['terraform', 'test/infra/fixtures']) {
      const result = session.run(repoPath(), ['fmt', '-check', '-recursive', '-no-color', dir]);
      assert.equal(
        result.status,
        0,
        `terraform fmt would rewrite (run terraform fmt -recursive ${dir}):\n${result.output}`,
      );
    }
  });

  it('modules/topology: init -backend=false, validate and test pass', (t) => {
    const dir = repoPath('terraform/modules/topology');
    const init = session.run(dir, ['init', '-backend=false', '-input=false', '-no-color']);
    assert.equal(init.status, 0, init.output);
    const validate = session.run(dir, ['validate', '-no-color']);
    assert.equal(validate.status, 0, validate.output);
    assert.match(validate.output, /The configuration is valid/);
    const test = session.run(dir, ['test', '-no-color']);
    assert.equal(test.status, 0, test.output);
    const summary = /Success! (\d+) passed, (\d+) failed/.exec(test.output);
    assert.ok(summary, test.output);
    assert.equal(summary[2], '0');
    assert.ok(Number(summary[1]) >= 20, `expected the valid and invalid suites to run, got ${summary[0]}`);
    t.diagnostic(summary[0]);
    assert.equal(
      existsSync(join(dir, '.terraform')),
      false,
      'TF_DATA_DIR keeps .terraform out of the repository',
    );
    assert.equal(existsSync(join(dir, '.terraform.lock.hcl')), false);
  });

  it('every templatefile() renders with exactly the variables its module passes', async (t) => {
    const outputs: string[] = [];
    const files: string[] = [];
    for (const name of readdirSync(repoPath('terraform/modules'))) {
      const module = await parseModule(`terraform/modules/${name}`);
      const locals: Hcl = Object.assign({}, ...((module.locals ?? []) as Hcl[]));
      for (const call of templateCalls(module)) {
        const keys = call.vars.startsWith('local.')
          ? Object.keys(locals[call.vars.slice('local.'.length)] ?? {})
          : [...call.vars.matchAll(/^\s*([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1]!);
        assert.ok(keys.length > 0, `${name}: no variables found for ${call.file}`);
        const path = repoPath('terraform/modules', name, call.file);
        // Placeholders for every variable, then once more per `%{ if x == "v" }` with x = "v",
        // so conditional blocks (AUDIO_STORE=s3) render and are checked too.
        const branches = [
          ...readFileSync(path, 'utf8').matchAll(/%\{~?\s*if\s+([a-z_][a-z0-9_]*)\s*==\s*"([^"]*)"/g),
        ];
        const variants = [{}, ...branches.map((m) => ({ [m[1]!]: m[2]! }))] as Record<string, string>[];
        for (const variant of new Map(variants.map((v) => [JSON.stringify(v), v])).values()) {
          const vars = keys.map((k) => `${k} = ${JSON.stringify(variant[k] ?? `<${k}>`)}`).join(', ');
          outputs.push(
            `output "t${outputs.length}" {\n  value = templatefile(${JSON.stringify(path)}, { ${vars} })\n}\n`,
          );
          files.push(call.file);
        }
      }
    }
    assert.ok(outputs.length >= 6, `found ${outputs.length} templatefile calls`);
    const root = join(session.dir, 'templates');
    mkdirSync(root);
    writeFileSync(join(root, 'main.tf'), outputs.join('\n'));
    session.run(root, ['init', '-backend=false', '-input=false', '-no-color']);
    const apply = session.run(root, [
      'apply',
      '-auto-approve',
      '-input=false',
      '-lock=false',
      '-no-color',
      `-state=${join(root, 'state')}`,
    ]);
    assert.equal(apply.status, 0, apply.output);
    const out = session.run(root, ['output', '-json', '-no-color', `-state=${join(root, 'state')}`]);
    const rendered = JSON.parse(out.output) as Record<string, { value: string }>;
    files.forEach((file, i) => {
      const text = rendered[`t${i}`]!.value;
      if (file.endsWith('.sh.tftpl')) {
        const check = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
        assert.equal(check.status, 0, `${file} renders to invalid shell: ${check.stderr}`);
      } else if (file.endsWith('.yaml.tftpl')) {
        assert.doesNotThrow(() => parseYaml(text), `${file} renders to invalid YAML`);
      }
    });
    // The conditional branches rendered too, not only the placeholder variant.
    assert.ok(
      Object.values(rendered).some(({ value }) => value.includes('AUDIO_STORE=s3')),
      'no rendering took the AUDIO_STORE=s3 branch of the gateway user data',
    );
    t.diagnostic(`${outputs.length} templates rendered; shell passes bash -n, YAML parses`);
  });

  for (const env of envs) {
    it(`envs/${env}: wiring validates and the example tfvars plan against stubbed provider modules`, async () => {
      const tree = join(session.dir, `stubbed-${env}`);
      await writeStubbedTree(tree);
      const root = join(tree, 'envs', env);
      const init = session.run(root, ['init', '-backend=false', '-input=false', '-no-color']);
      assert.equal(init.status, 0, init.output);
      const validate = session.run(root, ['validate', '-no-color']);
      assert.equal(validate.status, 0, validate.output);
      const plan = session.run(root, [
        'plan',
        '-input=false',
        '-lock=false',
        '-refresh=false',
        '-no-color',
        '-var-file=example.tfvars',
        `-state=${join(tree, `${env}.tfstate`)}`,
      ]);
      assert.equal(plan.status, 0, plan.output);
    });

    it(`envs/${env}: validates with the real providers where they can be installed`, (t) => {
      const copy = join(session.dir, `real-${env}`);
      cpSync(repoPath('terraform'), copy, {
        recursive: true,
        filter: (src) => !src.includes('.terraform'),
      });
      const root = join(copy, 'envs', env);
      const init = session.run(root, ['init', '-backend=false', '-input=false', '-no-color'], 300_000);
      if (init.status !== 0) {
        const lines = init.output.split('\n').map((line) => line.trim());
        const reason =
          lines.find((l) => /could not connect|no such host|Failed to query/i.test(l)) ??
          lines.find((l) => l.startsWith('Error'));
        t.skip(`skipped: providers not installable offline (${reason ?? 'terraform init failed'})`);
        return;
      }
      const validate = session.run(root, ['validate', '-no-color']);
      assert.equal(validate.status, 0, validate.output);
    });
  }
});

/** `templatefile("${path.module}/<file>", <vars>)` calls anywhere in a module's attributes. */
function templateCalls(module: Hcl): { file: string; vars: string }[] {
  const calls: { file: string; vars: string }[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(
        /templatefile\("\$\{path\.module\}\/([^"]+)",\s*(local\.[a-z_]+|\{[\s\S]*?\})\)/g,
      )) {
        calls.push({ file: m[1]!, vars: m[2]! });
      }
    } else if (value && typeof value === 'object') {
      for (const child of Object.values(value)) visit(child);
    }
  };
  visit(module);
  return calls;
}
