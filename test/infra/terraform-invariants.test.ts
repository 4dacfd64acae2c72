import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import {
  type Component,
  defaultPort,
  definedMetrics,
  servedGetPaths,
  servedRoutes,
} from './support/code-contract.ts';
import { type Hcl, parseHclFile, parseModule, resources, tfRef, unwrap } from './support/hcl.ts';
import { listRepoFiles, readRepoFile, repoPath } from './support/repo.ts';
import {
  loadServiceContract,
  referencedComponent,
  resolveService,
  type ServiceContract,
} from './support/service-contract.ts';

// Invariants read from the parsed .tf files (@cdktf/hcl2json), checked against the code.
const moduleNames = readdirSync(repoPath('terraform/modules'));
const envNames = readdirSync(repoPath('terraform/envs'));
const providerModules = moduleNames.filter((m) => m !== 'topology');

let contract: ServiceContract;
const modules = new Map<string, Hcl>();
const roots = new Map<string, Hcl>();

before(async () => {
  contract = await loadServiceContract();
  for (const name of moduleNames) modules.set(name, await parseModule(`terraform/modules/${name}`));
  for (const name of envNames) roots.set(name, await parseModule(`terraform/envs/${name}`));
});

function requiredProviders(doc: Hcl): Record<string, Hcl> {
  const blocks = (doc.terraform ?? []) as Hcl[];
  return Object.assign({}, ...blocks.flatMap((b) => (b.required_providers ?? []) as Hcl[]));
}

/** Served GET paths of a component, or a skip reason while its routes are not written yet. */
function served(component: Component): Set<string> | string {
  const paths = servedGetPaths(component);
  return paths.size > 0 ? paths : `skipped: no ${component} routes found in ${component}/*.ts yet`;
}

describe('terraform structure', () => {
  it('no module declares a provider block (modules must stay for_each-able)', () => {
    for (const [name, doc] of modules) {
      assert.equal(doc.provider, undefined, `terraform/modules/${name} has a provider block`);
    }
  });

  it('modules/topology is provider-free: no resources, data sources or provider requirements', () => {
    const topology = modules.get('topology')!;
    assert.equal(topology.resource, undefined);
    assert.equal(topology.data, undefined);
    assert.deepEqual(Object.keys(requiredProviders(topology)), []);
  });

  it('provider modules declare every provider their resources use', () => {
    for (const name of providerModules) {
      const doc = modules.get(name)!;
      const declared = Object.keys(requiredProviders(doc));
      const used = new Set(
        [...Object.keys(doc.resource ?? {}), ...Object.keys(doc.data ?? {})].map(
          (type) => type.split('_')[0]!,
        ),
      );
      for (const provider of used) {
        assert.ok(
          declared.includes(provider),
          `${name} uses ${provider}_* without required_providers.${provider}`,
        );
      }
    }
  });

  it('roots pin required_version and every provider to one major version', () => {
    for (const [name, doc] of roots) {
      const terraform = ((doc.terraform ?? []) as Hcl[])[0];
      assert.ok(terraform?.required_version, `envs/${name} has no required_version`);
      const providers = requiredProviders(doc);
      assert.ok(Object.keys(providers).length > 0, `envs/${name} has no required_providers`);
      for (const [provider, spec] of Object.entries(providers)) {
        assert.match(String(spec.source), /^hashicorp\//, `envs/${name}: ${provider} source`);
        const version = String(spec.version ?? '');
        const pinned = /~>\s*\d+\.\d+/.test(version) || (/>=/.test(version) && /</.test(version));
        assert.ok(
          pinned,
          `envs/${name}: ${provider} version "${version}" must be bounded (~> X.Y or >= and <)`,
        );
        assert.ok(doc.provider?.[provider], `envs/${name} configures no provider "${provider}"`);
      }
    }
  });

  it('every root passes module.topology.service to the modules that take a service', () => {
    for (const [name, doc] of roots) {
      const calls = Object.entries((doc.module ?? {}) as Record<string, Hcl[]>);
      for (const [call, [block]] of calls) {
        const source = String(block!.source);
        const target = source.split('/').pop()!;
        if (!modules.get(target)?.variable?.service) continue;
        assert.equal(block!.service, tfRef('module.topology.service'), `envs/${name} module.${call}`);
      }
    }
  });
});

describe('service contract (terraform/modules/topology/contract.tf) equals the code', () => {
  for (const component of ['gateway', 'node'] as const) {
    it(`${component}: port is the zod schema default`, () => {
      assert.equal(contract[component].port, defaultPort(component));
    });

    it(`${component}: liveness, readiness and metrics paths are routes the code serves`, (t) => {
      const paths = served(component);
      if (typeof paths === 'string') return t.skip(paths);
      t.diagnostic(`${component} serves GET ${[...paths].sort().join(', ')}`);
      for (const field of ['liveness_path', 'readiness_path', 'metrics_path'] as const) {
        assert.ok(
          paths.has(contract[component][field]),
          `${component} does not serve GET ${contract[component][field]} (${field})`,
        );
      }
    });
  }

  it('audio: the synthesis route is a POST under the audio prefix; other GET audio routes exist only under it', (t) => {
    const routes = servedRoutes('gateway');
    if (routes.length === 0) return t.skip('skipped: no gateway routes yet');
    assert.ok(contract.audio.synthesis_path.startsWith(contract.audio.path_prefix));
    assert.ok(
      routes.some((r) => r.method === 'POST' && r.path === contract.audio.synthesis_path),
      `gateway serves no POST ${contract.audio.synthesis_path}`,
    );
    // Anything but GET under the prefix would reach the CDN-enabled backend: only the synthesis route may.
    const others = routes.filter(
      (r) =>
        r.path.startsWith(contract.audio.path_prefix) &&
        r.method !== 'GET' &&
        r.path !== contract.audio.synthesis_path,
    );
    assert.deepEqual(others, [], 'non-GET routes under the cached audio prefix');
    const audioGets = routes.filter(
      (r) => r.method === 'GET' && r.path.startsWith(contract.audio.path_prefix),
    );
    if (audioGets.length === 0) t.diagnostic('GET /v1/audio/{key}.{ext} is not in the gateway yet');
  });

  it('queue_wait_metric is a histogram the node defines', (t) => {
    const metrics = definedMetrics();
    if (metrics.size === 0) return t.skip('skipped: no metrics defined in code yet');
    assert.equal(metrics.get(contract.queue_wait_metric)?.type, 'histogram');
  });
});

interface HealthCheck {
  where: string;
  path: unknown;
  port: unknown;
  /** The check decides traffic (readiness) or replaces machines (liveness). */
  role?: 'traffic' | 'autohealing';
}

function collectHealthChecks(): HealthCheck[] {
  const checks: HealthCheck[] = [];
  for (const name of providerModules) {
    const doc = modules.get(name)!;
    const roles = new Map<string, 'traffic' | 'autohealing'>();
    for (const type of ['google_compute_backend_service', 'google_compute_region_backend_service']) {
      for (const [, block] of resources(doc, type)) {
        for (const ref of (block.health_checks ?? []) as string[])
          roles.set(String(unwrap(ref)).replace(/\.id$/, ''), 'traffic');
      }
    }
    for (const type of [
      'google_compute_region_instance_group_manager',
      'google_compute_instance_group_manager',
    ]) {
      for (const [, block] of resources(doc, type)) {
        for (const policy of (block.auto_healing_policies ?? []) as Hcl[]) {
          roles.set(String(unwrap(policy.health_check)).replace(/\.id$/, ''), 'autohealing');
        }
      }
    }
    for (const type of ['google_compute_health_check', 'google_compute_region_health_check']) {
      for (const [rname, block] of resources(doc, type)) {
        const http = ((block.http_health_check ?? block.https_health_check ?? []) as Hcl[])[0];
        assert.ok(http, `${name}: ${type}.${rname} is not an HTTP check`);
        checks.push({
          where: `${name}: ${type}.${rname}`,
          path: http.request_path,
          port: http.port,
          role: roles.get(`${type}.${rname}`),
        });
      }
    }
    for (const [rname, block] of resources(doc, 'aws_lb_target_group')) {
      const hc = ((block.health_check ?? []) as Hcl[])[0];
      assert.ok(hc, `${name}: aws_lb_target_group.${rname} has no health_check`);
      checks.push({
        where: `${name}: aws_lb_target_group.${rname}`,
        path: hc.path,
        port: hc.port,
        role: 'traffic',
      });
      checks.push({
        where: `${name}: aws_lb_target_group.${rname} (target port)`,
        path: undefined,
        port: block.port,
      });
    }
    for (const [rname, block] of resources(doc, 'aws_globalaccelerator_endpoint_group')) {
      // The listener port (443 on the ALB) is checked, so only the path is the code's.
      checks.push({
        where: `${name}: aws_globalaccelerator_endpoint_group.${rname}`,
        path: block.health_check_path,
        port: undefined,
        role: 'traffic',
      });
    }
  }
  return checks;
}

describe('health checks and ports follow the contract and the code', () => {
  it('every health check path and port references var.service and resolves to a served route and the schema port', (t) => {
    const checks = collectHealthChecks();
    assert.ok(checks.length >= 8, `found only ${checks.length} health checks`);
    const seen = new Set<string>();
    for (const check of checks) {
      if (check.path !== undefined) {
        const path = resolveService(check.path, contract);
        const component = referencedComponent(path.refs);
        assert.ok(
          component,
          `${check.where}: path ${String(check.path)} must reference var.service.<gateway|node>.*_path`,
        );
        assert.match(path.refs[0]!, /\.(liveness|readiness)_path$/, check.where);
        if (check.role === 'traffic')
          assert.match(path.refs[0]!, /readiness_path$/, `${check.where} gates traffic: use readiness`);
        if (check.role === 'autohealing')
          assert.match(path.refs[0]!, /liveness_path$/, `${check.where} replaces machines: use liveness`);
        const paths = served(component);
        if (typeof paths !== 'string') {
          assert.ok(
            paths.has(String(path.value)),
            `${check.where}: ${component} does not serve GET ${String(path.value)}`,
          );
        }
        seen.add(component);
        if (check.port !== undefined) {
          const port = resolveService(check.port, contract);
          assert.deepEqual(
            port.refs,
            [`${component}.port`],
            `${check.where}: port must be var.service.${component}.port`,
          );
          assert.equal(Number(port.value), defaultPort(component), check.where);
        }
      } else if (check.port !== undefined) {
        const port = resolveService(check.port, contract);
        const component = referencedComponent(port.refs);
        assert.ok(component, `${check.where}: port must reference var.service`);
        assert.equal(Number(port.value), defaultPort(component), check.where);
      }
    }
    assert.deepEqual([...seen].sort(), ['gateway', 'node']);
    t.diagnostic(`${checks.length} health checks and target ports checked`);
  });

  it('node load balancer ports, named ports and forwarding rules use the node port', () => {
    const portRefs: [string, unknown][] = [];
    for (const name of providerModules) {
      const doc = modules.get(name)!;
      for (const [rname, block] of resources(doc, 'google_compute_forwarding_rule')) {
        for (const p of (block.ports ?? []) as unknown[])
          portRefs.push([`${name}: forwarding_rule.${rname}`, p]);
      }
      for (const [rname, block] of resources(doc, 'google_compute_region_instance_group_manager')) {
        for (const np of (block.named_port ?? []) as Hcl[])
          portRefs.push([`${name}: ${rname}.named_port`, np.port]);
      }
      for (const [rname, block] of resources(doc, 'aws_lb_listener')) {
        if (String(block.protocol) === 'TCP')
          portRefs.push([`${name}: aws_lb_listener.${rname}`, block.port]);
      }
    }
    assert.ok(portRefs.length >= 4);
    for (const [where, raw] of portRefs) {
      const port = resolveService(raw, contract);
      const component = referencedComponent(port.refs);
      assert.ok(component, `${where}: ${String(raw)} must reference var.service.<component>.port`);
      assert.equal(Number(port.value), defaultPort(component), where);
    }
  });
});

describe('CDN only on the audio path', () => {
  it('GCP: only the backend behind GET <audio prefix>* has Cloud CDN; the synthesis POST and the default stay uncached', () => {
    const cdnBackends = new Set<string>();
    const allBackends = new Set<string>();
    for (const name of providerModules) {
      const doc = modules.get(name)!;
      for (const type of ['google_compute_backend_service', 'google_compute_backend_bucket']) {
        for (const [rname, block] of resources(doc, type)) {
          allBackends.add(`${type}.${rname}`);
          if (block.enable_cdn === true) cdnBackends.add(`${type}.${rname}`);
          else assert.equal(block.cdn_policy, undefined, `${type}.${rname} has a cdn_policy without CDN`);
        }
      }
    }
    assert.ok(cdnBackends.size >= 1, 'no CDN-enabled backend');
    const ref = (v: unknown) => String(unwrap(v)).replace(/\.(id|self_link)$/, '');
    let audioRules = 0;
    for (const name of providerModules) {
      for (const [rname, map] of resources(modules.get(name)!, 'google_compute_url_map')) {
        if (map.default_service)
          assert.ok(!cdnBackends.has(ref(map.default_service)), `url_map.${rname} default is cached`);
        for (const matcher of (map.path_matcher ?? []) as Hcl[]) {
          assert.ok(
            !cdnBackends.has(ref(matcher.default_service)),
            `path_matcher ${matcher.name} default is cached`,
          );
          for (const rule of (matcher.path_rule ?? []) as Hcl[]) {
            const paths = (rule.paths as unknown[]).map((p) => String(resolveService(p, contract).value));
            const service = ref(rule.service);
            if (cdnBackends.has(service)) {
              assert.deepEqual(
                paths,
                [`${contract.audio.path_prefix}*`],
                `${service} is cached and must serve only the audio prefix`,
              );
              audioRules += 1;
            }
            if (paths.includes(contract.audio.synthesis_path)) {
              assert.ok(
                !cdnBackends.has(service),
                `${contract.audio.synthesis_path} must go to an uncached backend`,
              );
            }
          }
        }
      }
    }
    assert.ok(audioRules >= 1, 'no path rule sends the audio prefix to the CDN backend');
  });

  it('AWS: CloudFront caches only <audio prefix>*, GET/HEAD, behind a trusted key group; the default behavior has caching disabled', () => {
    let distributions = 0;
    for (const name of providerModules) {
      const doc = modules.get(name)!;
      const policies = Object.entries((doc.data?.aws_cloudfront_cache_policy ?? {}) as Record<string, Hcl[]>);
      const disabled = new Set(
        policies
          .filter(([, [b]]) => b!.name === 'Managed-CachingDisabled')
          .map(([n]) => `data.aws_cloudfront_cache_policy.${n}.id`),
      );
      for (const [rname, dist] of resources(doc, 'aws_cloudfront_distribution')) {
        distributions += 1;
        const byDefault = ((dist.default_cache_behavior ?? []) as Hcl[])[0]!;
        assert.ok(
          disabled.has(String(unwrap(byDefault.cache_policy_id))),
          `${rname}: default behavior must use Managed-CachingDisabled`,
        );
        const ordered = (dist.ordered_cache_behavior ?? []) as Hcl[];
        const cached = ordered.filter((b) => !disabled.has(String(unwrap(b.cache_policy_id))));
        assert.ok(cached.length >= 1, `${rname}: nothing is cached`);
        for (const behavior of cached) {
          assert.equal(
            resolveService(behavior.path_pattern, contract).value,
            `${contract.audio.path_prefix}*`,
          );
          assert.ok(
            (behavior.allowed_methods as string[]).every((m) => ['GET', 'HEAD', 'OPTIONS'].includes(m)),
          );
          assert.ok(
            ((behavior.trusted_key_groups ?? []) as unknown[]).length >= 1,
            'signed URLs must be checked at the edge',
          );
        }
      }
    }
    assert.ok(distributions >= 1, 'no CloudFront distribution');
  });
});

describe('one node pool per topology region', () => {
  const nodeGroupTypes = ['google_compute_region_instance_group_manager', 'aws_autoscaling_group'];

  it('each root creates its region pools with for_each over module.topology.regions', () => {
    for (const [name, doc] of roots) {
      const calls = Object.entries((doc.module ?? {}) as Record<string, Hcl[]>).map(
        ([call, [b]]) => [call, b!] as const,
      );
      const pools = calls.filter(([, b]) => String(b.source).endsWith('-region-pool'));
      assert.equal(pools.length, 1, `envs/${name} must call exactly one *-region-pool module`);
      assert.equal(
        pools[0]![1].for_each,
        tfRef('module.topology.regions'),
        `envs/${name} module.${pools[0]![0]}`,
      );
      const topology = calls.find(([, b]) => String(b.source).endsWith('/topology'));
      assert.ok(topology, `envs/${name} does not call modules/topology`);
      assert.equal(topology[1].regions, tfRef('var.regions'));
    }
  });

  it('each region pool module holds exactly one GPU node group, not multiplied by count or for_each', () => {
    for (const name of providerModules.filter((m) => m.endsWith('-region-pool'))) {
      const doc = modules.get(name)!;
      const groups = nodeGroupTypes.flatMap((type) =>
        resources(doc, type).map(([rname, b]) => [`${type}.${rname}`, b] as const),
      );
      assert.equal(groups.length, 1, `${name}: ${groups.map(([g]) => g).join(', ')}`);
      const [group, block] = groups[0]!;
      assert.equal(block.count, undefined, group);
      assert.equal(block.for_each, undefined, group);
    }
  });

  it('the example tfvars of each root describe three regions, with per-region inputs for each', async () => {
    for (const name of envNames) {
      const vars = await parseHclFile(`terraform/envs/${name}/example.tfvars`);
      const regions = Object.keys(vars.regions ?? {});
      assert.equal(regions.length, 3, `envs/${name}/example.tfvars regions: ${regions.join(', ')}`);
      for (const perRegion of ['networks', 'certificate_arns']) {
        if (vars[perRegion])
          assert.deepEqual(Object.keys(vars[perRegion]).sort(), [...regions].sort(), `${name}: ${perRegion}`);
      }
    }
  });
});

describe('AWS audio bucket (AUDIO_STORE=s3)', () => {
  /** Every aws_s3_bucket of the provider modules, with its module and the resources that configure it. */
  function buckets() {
    const found = providerModules.flatMap((name) =>
      resources(modules.get(name)!, 'aws_s3_bucket').map(([rname]) => {
        const doc = modules.get(name)!;
        const of = (type: string) =>
          resources(doc, type)
            .filter(([, b]) => b.bucket === tfRef(`aws_s3_bucket.${rname}.id`))
            .map(([, b]) => b);
        return { where: `${name}: aws_s3_bucket.${rname}`, name, rname, doc, of };
      }),
    );
    assert.ok(found.length >= 1, 'no aws_s3_bucket in terraform/modules');
    return found;
  }

  it('blocks all public access, enforces bucket-owner ownership, encrypts by default and denies plain HTTP', () => {
    for (const { where, rname, doc, of } of buckets()) {
      const [block] = of('aws_s3_bucket_public_access_block');
      assert.ok(block, `${where} has no aws_s3_bucket_public_access_block`);
      for (const flag of [
        'block_public_acls',
        'block_public_policy',
        'ignore_public_acls',
        'restrict_public_buckets',
      ])
        assert.equal(block[flag], true, `${where}: ${flag}`);
      const [ownership] = of('aws_s3_bucket_ownership_controls');
      assert.equal(
        ownership?.rule?.[0]?.object_ownership,
        'BucketOwnerEnforced',
        `${where}: object ownership`,
      );
      const [sse] = of('aws_s3_bucket_server_side_encryption_configuration');
      const algorithm = sse?.rule?.[0]?.apply_server_side_encryption_by_default?.[0]?.sse_algorithm;
      assert.ok(
        ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm),
        `${where}: default encryption ${algorithm}`,
      );
      const [policy] = of('aws_s3_bucket_policy');
      assert.ok(policy, `${where} has no bucket policy`);
      const document =
        doc.data?.aws_iam_policy_document?.[
          String(unwrap(policy.policy)).replace(/^data\.aws_iam_policy_document\.|\.json$/g, '')
        ]?.[0];
      const denyHttp = ((document?.statement ?? []) as Hcl[]).some(
        (s) =>
          s.effect === 'Deny' &&
          // The bucket and every object in it.
          (s.resources as string[]).includes(tfRef(`aws_s3_bucket.${rname}.arn`)) &&
          (s.resources as string[]).includes(`\${aws_s3_bucket.${rname}.arn}/*`) &&
          ((s.condition ?? []) as Hcl[]).some(
            (c) => c.variable === 'aws:SecureTransport' && (c.values as string[]).includes('false'),
          ),
      );
      assert.ok(denyHttp, `${where}: the bucket policy must deny aws:SecureTransport = false`);
    }
  });

  it('an enabled lifecycle rule expires objects under the same prefix the gateways write (S3_PREFIX)', () => {
    for (const { where, doc, of } of buckets()) {
      const [lifecycle] = of('aws_s3_bucket_lifecycle_configuration');
      assert.ok(lifecycle, `${where} has no lifecycle configuration: the S3 store keeps no TTL of its own`);
      const expiring = ((lifecycle.rule ?? []) as Hcl[]).filter(
        (r) => r.status === 'Enabled' && (r.expiration?.[0]?.days ?? r.expiration?.[0]?.date) !== undefined,
      );
      assert.equal(expiring.length, 1, `${where}: one enabled rule with an expiration`);
      const prefix = expiring[0]!.filter?.[0]?.prefix;
      assert.equal(prefix, tfRef('var.prefix'), `${where}: the rule's filter is the prefix variable`);
      // What the module hands the gateways (S3_PREFIX) is that same variable.
      const store = (doc.output?.gateway_store?.[0]?.value ?? {}) as Hcl;
      assert.equal(
        store.prefix,
        prefix,
        `${where}: gateway_store.prefix must be the lifecycle rule's prefix`,
      );
    }
  });

  it("the gateways' IAM policy allows only GetObject/PutObject under the prefix and ListBucket on the bucket", () => {
    for (const { where, rname, doc } of buckets()) {
      const arn = tfRef(`aws_s3_bucket.${rname}.arn`);
      const objects = `\${aws_s3_bucket.${rname}.arn}/\${var.prefix}*`;
      const attached = [
        ...resources(doc, 'aws_iam_user_policy'),
        ...resources(doc, 'aws_iam_role_policy'),
        ...resources(doc, 'aws_iam_policy'),
      ].map(([, b]) => String(unwrap(b.policy)).replace(/^data\.aws_iam_policy_document\.|\.json$/g, ''));
      // Every grant the module makes, not only those naming the bucket: an extra s3:* on * fails too.
      const statements = attached.flatMap((name) =>
        ((doc.data?.aws_iam_policy_document?.[name]?.[0]?.statement ?? []) as Hcl[]).filter(
          (s) => s.effect !== 'Deny',
        ),
      );
      assert.ok(statements.length >= 1, `${where}: no IAM policy grants access to it`);
      for (const type of [
        'aws_iam_user_policy_attachment',
        'aws_iam_role_policy_attachment',
        'aws_iam_policy_attachment',
      ])
        assert.equal(resources(doc, type).length, 0, `${where}: no managed policies (${type})`);
      const granted = new Set<string>();
      for (const s of statements) {
        const actions = s.actions as string[];
        for (const action of actions) granted.add(action);
        if (actions.includes('s3:ListBucket')) {
          assert.deepEqual(actions, ['s3:ListBucket'], `${where}: ListBucket in a statement of its own`);
          assert.deepEqual(s.resources, [arn], `${where}: ListBucket on the bucket only`);
        } else {
          assert.deepEqual(s.resources, [objects], `${where}: object actions only under <bucket>/<prefix>*`);
        }
      }
      assert.deepEqual([...granted].sort(), ['s3:GetObject', 's3:ListBucket', 's3:PutObject'], where);
    }
  });

  it("secrets in the boot scripts' env files are read at boot (SSM, Secret Manager), never rendered into user data", () => {
    let checked = 0;
    for (const file of listRepoFiles('terraform', (n) => n.endsWith('.sh.tftpl'))) {
      for (const block of readRepoFile(file).matchAll(/cat > \S*\.env <<'?EOF'?\n([\s\S]*?)\nEOF\n/g)) {
        for (const [, key, value] of block[1]!.matchAll(
          /^([A-Z0-9_]*(?:SECRET|PASSWORD|PRIVATE_KEY)[A-Z0-9_]*)=(.*)$/gm,
        )) {
          assert.match(
            value!,
            /^\$[A-Z_][A-Z0-9_]*$/,
            `${file}: ${key} must be a shell variable read at boot`,
          );
          // ...and that variable is read from SSM (decrypted) or Secret Manager, not set from a template value.
          const variable = value!.slice(1);
          const assignment =
            new RegExp(`^${variable}=\\$\\(([^)]*)`, 'm').exec(readRepoFile(file))?.[1] ?? '';
          assert.match(
            assignment,
            /aws ssm get-parameter [\s\S]*--with-decryption|secretmanager\.googleapis\.com/,
            `${file}: ${variable} must come from SSM or Secret Manager`,
          );
          checked += 1;
        }
      }
    }
    assert.ok(checked >= 4, `found only ${checked} secret settings`);
  });
});
