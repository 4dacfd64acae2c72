import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';

/**
 * The regions a gateway routes to. This one format is read from `GATEWAY_REGIONS` (JSON) or
 * `GATEWAY_REGIONS_FILE`, and is exactly what the Terraform topology module outputs:
 *
 * ```json
 * {"regions":[{"name":"eu-west","nodes":["http://10.0.0.5:8081"],"weight":1,"drain":false}]}
 * ```
 */
export const regionSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'region names are lowercase letters, digits and dashes'),
  nodes: z.array(z.url({ protocol: /^https?$/ })).min(1, 'a region needs at least one node URL'),
  weight: z.number().positive().default(1),
  drain: z.boolean().default(false),
});

export const regionsConfigSchema = z
  .object({ regions: z.array(regionSchema).min(1, 'at least one region is required') })
  .refine(
    (c) => new Set(c.regions.map((r) => r.name)).size === c.regions.length,
    'region names must be unique',
  );

export type RegionsConfig = z.output<typeof regionsConfigSchema>;
export type RegionConfig = RegionsConfig['regions'][number];

/** Parses a regions document, listing every problem in one error. */
export function parseRegionsConfig(raw: unknown): RegionsConfig {
  const result = regionsConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ApiError('invalid_request', `invalid regions configuration: ${issues.join('; ')}`);
  }
  return result.data;
}

/**
 * The regions from config: `GATEWAY_REGIONS`, else `GATEWAY_REGIONS_FILE`, else one region
 * named `local` holding `NODE_URL`.
 */
export async function loadRegionsConfig(config: {
  GATEWAY_REGIONS?: string | undefined;
  GATEWAY_REGIONS_FILE?: string | undefined;
  NODE_URL: string;
}): Promise<RegionsConfig> {
  const text =
    config.GATEWAY_REGIONS ??
    (config.GATEWAY_REGIONS_FILE ? await readFile(config.GATEWAY_REGIONS_FILE, 'utf8') : undefined);
  if (text === undefined)
    return parseRegionsConfig({ regions: [{ name: 'local', nodes: [config.NODE_URL] }] });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ApiError('invalid_request', `regions configuration is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseRegionsConfig(raw);
}
