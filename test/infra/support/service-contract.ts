import type { Component } from './code-contract.ts';
import { type Hcl, parseHclFile } from './hcl.ts';

/** The `service` local of terraform/modules/topology/contract.tf: the one place infra names ports and paths. */
export interface ServiceContract {
  gateway: Endpoint;
  node: Endpoint;
  audio: { path_prefix: string; synthesis_path: string };
  queue_wait_metric: string;
}

interface Endpoint {
  port: number;
  liveness_path: string;
  readiness_path: string;
  metrics_path: string;
}

export const contractFile = 'terraform/modules/topology/contract.tf';

export async function loadServiceContract(): Promise<ServiceContract> {
  const parsed: Hcl = await parseHclFile(contractFile);
  const service = (parsed.locals as Hcl[] | undefined)?.find((block) => 'service' in block)?.service;
  if (!service) throw new Error(`${contractFile} has no locals.service`);
  return service as ServiceContract;
}

export interface Resolved {
  value: unknown;
  /** The contract fields referenced, e.g. ["node.readiness_path"]. */
  refs: string[];
}

function lookup(contract: ServiceContract, path: string): unknown {
  let value: unknown = contract;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/**
 * Resolves a provider module's attribute against the contract: `${var.service.node.port}`,
 * `${tostring(var.service.node.port)}` and templates like `${var.service.audio.path_prefix}*`.
 * Literals come back unchanged with no refs.
 */
export function resolveService(raw: unknown, contract: ServiceContract): Resolved {
  if (typeof raw !== 'string') return { value: raw, refs: [] };
  const whole = /^\$\{\s*(?:tostring\()?\s*var\.service\.([a-z_.]+?)\s*\)?\s*\}$/.exec(raw);
  if (whole) return { value: lookup(contract, whole[1]!), refs: [whole[1]!] };
  const refs: string[] = [];
  const value = raw.replace(/\$\{\s*var\.service\.([a-z_.]+)\s*\}/g, (_, path: string) => {
    refs.push(path);
    return String(lookup(contract, path));
  });
  return { value, refs };
}

/** Which component a contract reference points at (`node.readiness_path` → node). */
export function referencedComponent(refs: string[]): Component | undefined {
  const first = refs[0]?.split('.')[0];
  return first === 'gateway' || first === 'node' ? first : undefined;
}
