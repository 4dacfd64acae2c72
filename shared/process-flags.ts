/**
 * Node/V8 flags of each process. The container images (infra/docker/*.Dockerfile),
 * `npm run start:<process>`, `npm start` (scripts/start.ts) and the launcher of the multi-process
 * tests and benches (test/support/processes.ts) all start them with these, as
 * `node <flags> --import tsx <process>/main.ts` (`processArgs`); test/infra/docker.test.ts checks
 * that the images and package.json agree.
 *
 * Gateway, `--initial-old-space-size=128` (MB): left to itself, V8 sizes the old generation just above the
 * gateway's live heap (about 44 MB, mostly module code) and runs a full mark-compact, a 4–14 ms
 * pause on the 2-core development machine, after nearly every synthesised request. With 128 MB of
 * room, the same 60 misses and 100 hits (a measurement script, `--trace-gc`) took 7 mark-compacts
 * instead of 52 (56 ms of pauses instead of 456), and a cache hit sent the moment its miss ended
 * answered in 3.3 ms instead of 8.0. The cost is up to about 85 MB more heap before a collection.
 */
export type ProcessName = 'gateway' | 'node';

export const processFlags: Record<ProcessName, readonly string[]> = {
  gateway: ['--initial-old-space-size=128'],
  node: [],
};

/** `node`'s arguments for a process: its flags, tsx, then its entry point (default `<name>/main.ts`). */
export function processArgs(name: ProcessName, main = `${name}/main.ts`): string[] {
  return [...processFlags[name], '--import', 'tsx', main];
}
