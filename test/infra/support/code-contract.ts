import { existsSync, readFileSync } from 'node:fs';
import { gatewayEnvSchema } from '../../../gateway/config.ts';
import { nodeEnvSchema } from '../../../node/config.ts';
import { listRepoFiles, repoPath } from './repo.ts';

/** What the running code offers, read from the sources so infra checks follow the code. */
export type Component = 'gateway' | 'node';
export const components: readonly Component[] = ['gateway', 'node'];

const schemas = { gateway: gatewayEnvSchema, node: nodeEnvSchema } as const;

/** Every environment key the component's zod schema reads. */
export function envKeys(component: Component): Set<string> {
  return new Set(Object.keys(schemas[component].shape));
}

/** Keys that fail to parse when unset (no default, not optional): INTERNAL_AUTH_SECRET today. */
export function requiredEnvKeys(component: Component): string[] {
  const shape = schemas[component].shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  return Object.entries(shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

/** Parses an environment record with the component's schema, as `main.ts` does. */
export function parseEnv(component: Component, env: Record<string, string | undefined>) {
  return schemas[component].safeParse(env);
}

/** The port the process listens on when PORT is unset. */
export function defaultPort(component: Component): number {
  return schemas[component].shape.PORT.parse(undefined);
}

/** Non-test TypeScript sources of the component, repository-relative. */
export function sourceFiles(component: Component): string[] {
  if (!existsSync(repoPath(component))) return [];
  return listRepoFiles(component, (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
}

/** Source text without comment lines (JSDoc examples mention routes that are not registered). */
function codeText(file: string): string {
  return readFileSync(repoPath(file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line))
    .join('\n');
}

export interface Route {
  method: string;
  path: string;
  file: string;
}

const routePattern = /\.(get|post|put|patch|delete|all)\(\s*['"`](\/[^'"`]*)['"`]/g;

/** Routes registered with Hono's `app.get('/path', …)` style anywhere in the component. */
export function servedRoutes(component: Component): Route[] {
  const routes: Route[] = [];
  for (const file of sourceFiles(component)) {
    for (const match of codeText(file).matchAll(routePattern)) {
      routes.push({ method: match[1]!.toUpperCase(), path: match[2]!, file });
    }
  }
  return routes;
}

export function servedGetPaths(component: Component): Set<string> {
  return new Set(
    servedRoutes(component)
      .filter((r) => r.method === 'GET' || r.method === 'ALL')
      .map((r) => r.path),
  );
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface MetricDefinition {
  type: MetricType;
  /** Label names as declared; undefined when the code builds them dynamically. */
  labels?: string[];
  buckets?: number[];
}

const metricNamePattern = /name:\s*['"`]((?:tts|gateway)_[a-z0-9_]+)['"`]/g;

/**
 * Prometheus metrics of gateway/ and node/ by name: every `name: 'tts_…'|'gateway_…'` in an
 * options object, typed by the constructor or helper it is passed to (`new Histogram({`,
 * `counter(registry, {`).
 */
export function definedMetrics(): Map<string, MetricDefinition> {
  const metrics = new Map<string, MetricDefinition>();
  for (const component of components) {
    for (const file of sourceFiles(component)) {
      const text = codeText(file);
      const matches = [...text.matchAll(metricNamePattern)];
      matches.forEach((match, i) => {
        const before = text.slice(Math.max(0, match.index - 160), match.index);
        const calls = [...before.matchAll(/(counter|gauge|histogram|summary)\w*\s*(?:<[^>(]*>)?\s*\(/gi)];
        const kind = calls.at(-1)?.[1]?.toLowerCase() as MetricType | undefined;
        if (!kind) return;
        const options = text.slice(match.index, matches[i + 1]?.index ?? match.index + 800);
        const labels = /labelNames:\s*\[([^\]]*)\]/.exec(options)?.[1];
        const buckets = /buckets:\s*\[([^\]]*)\]/.exec(options)?.[1];
        metrics.set(match[1]!, {
          type: kind,
          labels:
            labels === undefined ? undefined : [...labels.matchAll(/['"`]([^'"`]+)['"`]/g)].map((m) => m[1]!),
          buckets:
            buckets === undefined
              ? undefined
              : buckets.split(',').map((b) => Number(b.trim().replace(/_/g, ''))),
        });
      });
    }
  }
  return metrics;
}
