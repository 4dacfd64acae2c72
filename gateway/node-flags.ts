/**
 * Node/V8 flags of the gateway process. The container image (infra/docker/gateway.Dockerfile),
 * `npm run start:gateway`, `npm start` (scripts/start.ts) and the launcher of the multi-process
 * tests and benches (test/support/processes.ts) all start it with these; test/infra/docker.test.ts
 * checks that the image and package.json agree with this list.
 *
 * `--initial-old-space-size=128` (MB): left to itself, V8 sizes the old generation just above the
 * gateway's live heap (about 44 MB, mostly module code) and runs a full mark-compact, a 4–14 ms
 * pause on the 2-core development machine, after nearly every synthesised request. With 128 MB of
 * room, the same 60 misses and 100 hits (a measurement script, `--trace-gc`) took 7 mark-compacts
 * instead of 52 (56 ms of pauses instead of 456), and a cache hit sent the moment its miss ended
 * answered in 3.3 ms instead of 8.0. The cost is up to about 85 MB more heap before a collection.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
