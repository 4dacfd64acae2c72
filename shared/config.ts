import { z } from 'zod';

/**
 * Parses a process's configuration once, from an environment-like record. On failure it
 * throws a `ConfigError` listing every issue; each `main.ts` prints it and exits non-zero.
 */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Environment helpers: empty strings count as unset, booleans accept true/false/1/0. */
export const env = {
  /** An optional string. */
  string: () => z.preprocess(emptyToUndefined, z.string().optional()),
  /** A string with a default. */
  text: (fallback: string) => z.preprocess(emptyToUndefined, z.string().default(fallback)),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback)),
  number: (fallback: number, min = 0, max = Number.MAX_VALUE) =>
    z.preprocess(emptyToUndefined, z.coerce.number().min(min).max(max).default(fallback)),
  bool: (fallback: boolean) =>
    z.preprocess(
      (v) =>
        v === undefined || v === '' ? fallback : ['1', 'true', 'yes', 'on'].includes(String(v).toLowerCase()),
      z.boolean(),
    ),
  url: () => z.preprocess(emptyToUndefined, z.url().optional()),
  json: <T extends z.ZodType>(schema: T) =>
    z.preprocess((v) => {
      if (v === undefined || v === '') return undefined;
      try {
        return JSON.parse(String(v));
      } catch {
        return Symbol.for('invalid-json');
      }
    }, schema.optional()),
  list: () =>
    z.preprocess(
      (v) =>
        v === undefined || v === ''
          ? undefined
          : String(v)
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      z.array(z.string()).optional(),
    ),
};

function emptyToUndefined(value: unknown): unknown {
  return value === '' ? undefined : value;
}
