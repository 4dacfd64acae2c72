import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import {
  defaultPort,
  definedMetrics,
  envKeys,
  requiredEnvKeys,
  servedGetPaths,
} from './support/code-contract.ts';
import { readRepoFile, repoPath } from './support/repo.ts';
import { loadServiceContract, type ServiceContract } from './support/service-contract.ts';

// infra/helm/speechgate: values against the schema, and the chart against the code.
const chart = 'infra/helm/speechgate';
// biome-ignore lint/suspicious/noExplicitAny: values.yaml is checked by its JSON schema first
type Values = Record<string, any>;

const values = parseYaml(readRepoFile(chart, 'values.yaml')) as Values;
const schema = JSON.parse(readRepoFile(chart, 'values.schema.json')) as object;
const templates = Object.fromEntries(
  readdirSync(repoPath(chart, 'templates')).map((f) => [f, readRepoFile(chart, 'templates', f)] as const),
);
const adapter = parseYaml(readRepoFile('infra/prometheus-adapter/values.yaml')) as Values;

function validator() {
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** Env names a deployment template sets on its container (upper-case `- name:` entries). */
function templateEnv(file: string): string[] {
  return [...(templates[file] ?? '').matchAll(/^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]!);
}

let contract: ServiceContract;
before(async () => {
  contract = await loadServiceContract();
});

describe('helm chart values', () => {
  it('values.yaml validates against values.schema.json', () => {
    const validate = validator();
    assert.ok(validate(values), JSON.stringify(validate.errors, null, 2));
  });

  it('the schema rejects what the templates cannot render', () => {
    const validate = validator();
    const broken: Values = structuredClone(values);
    broken.node.ortEp = 'rocm';
    broken.node.probes.readiness.path = 'readyz';
    delete broken.node.autoscaling.metricName;
    broken.gateway.regions = { regions: [{ name: 'EU West', nodes: [] }] };
    assert.equal(validate(broken), false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    for (const expected of [
      '/node/ortEp',
      '/node/probes/readiness/path',
      '/node/autoscaling',
      '/gateway/regions/regions/0/name',
    ]) {
      assert.ok(paths.includes(expected), `no error at ${expected}: ${paths.join(', ')}`);
    }
  });
});

describe('helm chart follows the code', () => {
  for (const component of ['gateway', 'node'] as const) {
    it(`${component}: container port is the schema default and probes hit served routes`, (t) => {
      const v = values[component];
      assert.equal(v.port, defaultPort(component));
      assert.equal(v.probes.liveness.path, contract[component].liveness_path);
      assert.equal(v.probes.readiness.path, contract[component].readiness_path);
      if (v.probes.startup) assert.equal(v.probes.startup.path, contract[component].readiness_path);
      assert.equal(v.metricsPath, contract[component].metrics_path);
      const served = servedGetPaths(component);
      if (served.size === 0) return t.skip(`skipped: no ${component} routes in code yet`);
      for (const probe of Object.values(v.probes) as { path: string }[]) {
        assert.ok(served.has(probe.path), `${component} does not serve GET ${probe.path}`);
      }
      assert.ok(served.has(v.metricsPath), `${component} does not serve GET ${v.metricsPath}`);
    });

    it(`${component}: the deployment takes probe paths and the port from values, never literals`, () => {
      const text = templates[`${component}-deployment.yaml`]!;
      const paths = [...text.matchAll(/^\s*path: (.+)$/gm)].map((m) => m[1]!.trim());
      assert.ok(paths.length >= 2);
      for (const path of paths)
        assert.match(path, /^\{\{ \$[gn]\.probes\.(liveness|readiness|startup)\.path \}\}$/);
      assert.match(text, /containerPort: \{\{ \$[gn]\.port \}\}/);
      assert.match(text, /- name: PORT\s+value: \{\{ \$[gn]\.port \| quote \}\}/);
    });

    it(`${component}: every env name is a config schema key and the required ones are set`, () => {
      const keys = envKeys(component);
      const set = templateEnv(`${component}-deployment.yaml`);
      assert.ok(set.length > 3, `no env found in ${component}-deployment.yaml`);
      for (const name of [...set, ...Object.keys(values[component].env ?? {})]) {
        assert.ok(keys.has(name), `${component} env ${name} is not in the ${component} config schema`);
      }
      for (const required of requiredEnvKeys(component))
        assert.ok(set.includes(required), `${component} never sets ${required}`);
      assert.doesNotMatch(
        templates[`${component}-deployment.yaml`]!,
        /envFrom:/,
        'envFrom would hide env names from this check',
      );
    });
  }

  it('node: requests nvidia.com/gpu, tolerates GPU taints and allows enough time to load and warm the voices', () => {
    const text = templates['node-deployment.yaml']!;
    assert.equal(
      (text.match(/nvidia\.com\/gpu: \{\{ \$n\.gpuCount \}\}/g) ?? []).length,
      2,
      'GPU in requests and limits',
    );
    assert.ok(values.node.gpuCount >= 1);
    assert.ok((values.node.tolerations as { key: string }[]).some((t) => t.key === 'nvidia.com/gpu'));
    assert.match(text, /startupProbe:/);
    const startup = values.node.probes.startup;
    assert.ok(
      startup.periodSeconds * startup.failureThreshold >= 300,
      'startup probe budget under 5 minutes',
    );
    assert.equal(values.node.ortEp, 'cuda');
  });

  it('both components have a PodDisruptionBudget and a ServiceMonitor on their metrics path', () => {
    for (const component of ['gateway', 'node'] as const) {
      assert.match(templates[`${component}-pdb.yaml`] ?? '', /kind: PodDisruptionBudget/);
    }
    assert.match(templates['servicemonitor.yaml']!, /kind: ServiceMonitor/);
    assert.match(
      templates['servicemonitor.yaml']!,
      /path: \{\{ \(index \$\.Values \$component\)\.metricsPath \}\}/,
    );
  });
});

describe('node HPA on queue wait through prometheus-adapter', () => {
  const rule = (adapter.rules?.custom ?? []).find(
    (r: Values) => r.name?.as === values.node.autoscaling.metricName,
  ) as Values | undefined;

  it('the HPA metric is the name the adapter rule exposes', () => {
    assert.equal(adapter.rules.default, false, 'only the Speechgate rule is served');
    assert.ok(rule, `no prometheus-adapter rule exposes ${values.node.autoscaling.metricName}`);
    const hpa = templates['node-hpa.yaml']!;
    assert.match(hpa, /type: Pods/);
    assert.match(hpa, /name: \{\{ \$a\.metricName \}\}/);
    assert.match(hpa, /type: AverageValue\s+averageValue: \{\{ \$a\.targetAverageValue \}\}/);
  });

  it('the adapter rule derives from the tts_queue_wait_seconds histogram (sum over count, per pod)', (t) => {
    const metric = contract.queue_wait_metric;
    assert.equal(metric, 'tts_queue_wait_seconds');
    assert.ok(rule);
    assert.match(rule.seriesQuery, new RegExp(`^${metric}_sum\\{`));
    assert.ok(new RegExp(rule.name.matches).test(`${metric}_sum`));
    assert.match(rule.metricsQuery, new RegExp(`rate\\(${metric}_sum\\{<<\\.LabelMatchers>>\\}`));
    assert.match(rule.metricsQuery, new RegExp(`rate\\(${metric}_count\\{<<\\.LabelMatchers>>\\}`));
    assert.deepEqual(rule.resources.overrides.pod, { resource: 'pod' });
    const metrics = definedMetrics();
    if (metrics.size === 0) return t.skip('skipped: no metrics in code yet');
    assert.equal(metrics.get(metric)?.type, 'histogram', `${metric} must be a histogram in node/`);
  });

  it('the HPA target is the topology default queue target', () => {
    const variables = readRepoFile('terraform/modules/topology/variables.tf');
    const targetMs = /target_queue_ms\s*=\s*optional\(number,\s*(\d+)\)/.exec(variables)?.[1];
    assert.ok(targetMs);
    assert.equal(values.node.autoscaling.targetAverageValue, `${targetMs}m`);
  });
});
