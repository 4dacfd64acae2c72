import { createEngine } from '../node/engine/create-engine.ts';
import { installedBackends, type ProviderName } from '../node/engine/execution-provider.ts';

/**
 * `npm run gpu:smoke`: proves on a GPU machine that ONNX Runtime's CUDA provider (or TensorRT,
 * with ORT_EP=tensorrt) really runs the voices. It prints the installed backends, the provider
 * each voice's session got, where ORT placed the nodes, and a timed synthesis on the GPU next
 * to the CPU; it exits 1 when the GPU provider did not load or ran no node.
 * Environment: ORT_EP (cuda), ORT_DEVICE_ID (0), VOICES_DIR (voices), ORT_SESSION_WORKERS (1).
 */
const provider = (process.env.ORT_EP ?? 'cuda') as ProviderName;
const deviceId = Number(process.env.ORT_DEVICE_ID ?? 0);
const voicesDir = process.env.VOICES_DIR ?? 'voices';
const sessionWorkers = Number(process.env.ORT_SESSION_WORKERS ?? 1);
const TEXT =
  'The GPU smoke test speaks this sentence. It should run on the graphics card, not the processor.';
const RUNS = 10;

function fail(message: string): never {
  console.error(`gpu:smoke FAILED: ${message}`);
  process.exit(1);
}

async function timed(engine: Awaited<ReturnType<typeof createEngine>>, voice: string) {
  await engine.synthesize({ voice, text: TEXT });
  const times: number[] = [];
  let audioSeconds = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = await engine.synthesize({ voice, text: TEXT });
    times.push(performance.now() - started);
    audioSeconds = result.pcm.length / result.sampleRate;
  }
  const median = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  return { median, rtf: median / 1000 / audioSeconds };
}

if (provider === 'cpu') fail('ORT_EP=cpu: set ORT_EP=cuda or tensorrt');
console.log(`installed onnxruntime-node backends: ${JSON.stringify(installedBackends())}`);
let gpu: Awaited<ReturnType<typeof createEngine>>;
try {
  gpu = await createEngine({
    voicesDir,
    provider,
    providerOptions: { deviceId, allowCpuFallback: false },
    sessionWorkers,
    placementProbe: 'always',
  });
} catch (err) {
  fail(`the ${provider} provider did not load: ${(err as Error).message}`);
}
const cpu = await createEngine({ voicesDir, provider: 'cpu', sessionWorkers });
let failed = false;
for (const voice of gpu.voices()) {
  const id = voice.entry.id;
  const placement = gpu.placement(id);
  const gpuNodes = Object.entries(placement?.nodesByProvider ?? {})
    .filter(([ep]) => ep !== 'CPUExecutionProvider')
    .reduce((n, [, count]) => n + count, 0);
  const onGpu = await timed(gpu, id);
  const onCpu = await timed(cpu, id);
  console.log(
    `${id}: session provider ${voice.opened.provider} (asked ${voice.opened.requested}); nodes ${JSON.stringify(placement?.nodesByProvider ?? {})}` +
      `${placement?.note ? ` (${placement.note})` : ''}; batching ${voice.batching.enabled ? `on (${voice.batching.maxBatch})` : 'off'}\n` +
      `  synthesis median of ${RUNS}: ${provider} ${onGpu.median.toFixed(1)} ms (RTF ${onGpu.rtf.toFixed(4)}), cpu ${onCpu.median.toFixed(1)} ms (RTF ${onCpu.rtf.toFixed(4)})`,
  );
  if (voice.opened.provider !== provider) failed = true;
  if (placement?.reported && gpuNodes === 0) failed = true;
}
await gpu.close();
await cpu.close();
if (gpu.voices().length === 0) fail(`no voice loaded from ${voicesDir}`);
if (failed) fail(`a voice did not run on ${provider} (see above)`);
console.log(`gpu:smoke OK: ${provider} ran the voices`);
