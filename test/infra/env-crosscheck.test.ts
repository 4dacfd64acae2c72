import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { type Component, envKeys, parseEnv, requiredEnvKeys } from './support/code-contract.ts';
import { listRepoFiles, readRepoFile } from './support/repo.ts';

// Every environment variable the infrastructure sets for a gateway or a node, wherever it is set,
// must be a key of that process's zod config schema, and every required key must be set.

interface EnvSite {
  where: string;
  component: Component;
  names: string[];
  /** Sites that start a process must set the required keys; image defaults need not. */
  complete: boolean;
}

function composeSites(): EnvSite[] {
  // biome-ignore lint/suspicious/noExplicitAny: compose document
  const doc = parseYaml(readRepoFile('infra/docker-compose.yml'), { merge: true }) as any;
  const sites: EnvSite[] = [];
  for (const [service, spec] of Object.entries(
    doc.services as Record<
      string,
      { build?: { dockerfile?: string }; environment?: Record<string, unknown> }
    >,
  )) {
    const dockerfile = spec.build?.dockerfile ?? '';
    const component = /gateway\.Dockerfile$/.test(dockerfile)
      ? 'gateway'
      : /node\.Dockerfile$/.test(dockerfile)
        ? 'node'
        : undefined;
    if (!component) continue;
    sites.push({
      where: `docker-compose ${service}`,
      component,
      names: Object.keys(spec.environment ?? {}),
      complete: true,
    });
  }
  return sites;
}

function helmSites(): EnvSite[] {
  const chart = 'infra/helm/speechgate';
  // biome-ignore lint/suspicious/noExplicitAny: values document
  const values = parseYaml(readRepoFile(chart, 'values.yaml')) as any;
  return (['gateway', 'node'] as const).flatMap((component) => [
    {
      where: `helm ${component}-deployment.yaml`,
      component,
      names: [
        ...readRepoFile(chart, 'templates', `${component}-deployment.yaml`).matchAll(
          /^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm,
        ),
      ].map((m) => m[1]!),
      complete: true,
    },
    {
      where: `helm values ${component}.env`,
      component,
      names: Object.keys(values[component].env ?? {}),
      complete: false,
    },
  ]);
}

/** `cat > …/<component>.env <<EOF … EOF` blocks of the VM boot scripts Terraform renders. */
function terraformSites(): EnvSite[] {
  const sites: EnvSite[] = [];
  for (const file of listRepoFiles('terraform', (name) => name.endsWith('.tftpl'))) {
    const text = readRepoFile(file);
    for (const match of text.matchAll(/cat > \S*\/(gateway|node)\.env <<'?EOF'?\n([\s\S]*?)\nEOF\n/g)) {
      // Template directives (`%{ if … ~}`, `%{ endif ~}`) only choose lines; every line they choose is checked.
      const lines = match[2]!.split('\n').filter((line) => !/^%\{.*\}$/.test(line.trim()));
      const names = lines.map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1]);
      assert.ok(names.every(Boolean), `${file}: a line of the ${match[1]}.env block is not NAME=value`);
      sites.push({ where: file, component: match[1] as Component, names: names as string[], complete: true });
    }
    // Everything must go through the env file, or this check would not see it.
    assert.doesNotMatch(
      text,
      /docker run[^\n]*(\s-e\s|--env\s)/,
      `${file}: pass configuration through the env file`,
    );
  }
  return sites;
}

function dockerfileSites(): EnvSite[] {
  return (['gateway', 'node'] as const).map((component) => ({
    where: `infra/docker/${component}.Dockerfile`,
    component,
    names: [...readRepoFile('infra/docker', `${component}.Dockerfile`).matchAll(/^ENV (.+)$/gm)].flatMap(
      (m) => m[1]!.split(/\s+/).map((pair) => pair.split('=')[0]!),
    ),
    complete: false,
  }));
}

describe('environment variables set by the infrastructure', () => {
  const sites = [...composeSites(), ...helmSites(), ...terraformSites(), ...dockerfileSites()];

  it('are found in compose, helm, terraform boot scripts and Dockerfiles for both processes', (t) => {
    const kinds = new Set(sites.map((s) => `${s.where.split(' ')[0]!.split('/')[0]}:${s.component}`));
    for (const expected of [
      'docker-compose:gateway',
      'docker-compose:node',
      'helm:gateway',
      'helm:node',
      'terraform:gateway',
      'terraform:node',
      'infra:gateway',
      'infra:node',
    ]) {
      assert.ok(kinds.has(expected), `no env site ${expected}: ${[...kinds].join(', ')}`);
    }
    const terraformFiles = new Set(sites.filter((s) => s.where.startsWith('terraform')).map((s) => s.where));
    assert.ok(terraformFiles.size >= 4, 'gateway and node boot scripts on both clouds');
    t.diagnostic(`${sites.length} sites, ${sites.reduce((n, s) => n + s.names.length, 0)} settings`);
  });

  it('exist in the gateway or node config schema', () => {
    const unknown = sites.flatMap((s) =>
      s.names.filter((n) => !envKeys(s.component).has(n)).map((n) => `${s.where}: ${n}`),
    );
    assert.deepEqual(unknown, []);
  });

  it('include every required key wherever a process is started', () => {
    for (const site of sites.filter((s) => s.complete)) {
      for (const required of requiredEnvKeys(site.component)) {
        assert.ok(site.names.includes(required), `${site.where} does not set ${required}`);
      }
    }
  });

  it('parse with the real schemas in docker-compose (compose variable defaults applied)', () => {
    // biome-ignore lint/suspicious/noExplicitAny: compose document
    const doc = parseYaml(readRepoFile('infra/docker-compose.yml'), { merge: true }) as any;
    for (const site of composeSites()) {
      const service = site.where.replace('docker-compose ', '');
      const raw = doc.services[service].environment as Record<string, unknown>;
      const env = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [
          k,
          String(v).replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_, d: string | undefined) => d ?? ''),
        ]),
      );
      const result = parseEnv(site.component, env);
      assert.ok(result.success, `${site.where}: ${JSON.stringify(result.error?.issues)}`);
    }
  });
});
