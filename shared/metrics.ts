import { Counter, type CounterConfiguration, type Registry } from 'prom-client';

/**
 * A counter on `registry`, reusing the one already registered under the same name, so two
 * parts of a process that both need it (a middleware and a key source) share one series.
 */
export function registeredCounter<T extends string>(
  registry: Registry | undefined,
  config: CounterConfiguration<T>,
): Counter<T> {
  const existing = registry?.getSingleMetric(config.name);
  if (existing instanceof Counter) return existing as Counter<T>;
  if (existing) throw new TypeError(`metric ${config.name} is already registered with another type`);
  return new Counter({ ...config, registers: registry ? [registry] : [] });
}
