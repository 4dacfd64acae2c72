import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this repository. A `.ts` entry needs tsx's loader,
 * which Node 20 does not pass on to worker threads from `--import tsx`, so the worker
 * registers it before importing the entry.
 */
export function spawnWorker(entry: URL): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true });
}
