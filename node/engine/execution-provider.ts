import * as ort from 'onnxruntime-node';

export type ProviderName = 'cpu' | 'cuda' | 'tensorrt';

export interface ProviderOptions {
  /** Provider asked for. */
  provider: ProviderName;
  /** When CUDA/TensorRT cannot load, run on CPU instead of failing. */
  allowCpuFallback: boolean;
  deviceId: number;
  cudnnConvAlgoSearch: 'EXHAUSTIVE' | 'HEURISTIC' | 'DEFAULT';
  gpuMemLimitBytes: number;
  arenaExtendStrategy: 'kNextPowerOfTwo' | 'kSameAsRequested';
  /** ONNX Runtime's CPU memory arena (faster repeated runs, memory kept after a peak). */
  enableCpuMemArena: boolean;
  /** TensorRT: build fp16 engines. */
  trtFp16: boolean;
  /** TensorRT: directory for built engines ('' = no cache). */
  trtEngineCachePath: string;
  intraOpThreads: number;
  interOpThreads: number;
  /**
   * Let ONNX Runtime's idle pool threads spin waiting for work (its default). Spinning shortens
   * a run's start but burns cores that espeak-ng and the event loop need on a small machine.
   */
  allowSpinning: boolean;
}

/** Defaults of everything but the provider (the node's config sets each from the environment). */
export const defaultProviderOptions: Omit<ProviderOptions, 'provider'> = {
  allowCpuFallback: false,
  deviceId: 0,
  cudnnConvAlgoSearch: 'HEURISTIC',
  gpuMemLimitBytes: 0,
  arenaExtendStrategy: 'kSameAsRequested',
  enableCpuMemArena: true,
  trtFp16: false,
  trtEngineCachePath: '',
  intraOpThreads: 0,
  interOpThreads: 0,
  allowSpinning: false,
};

export interface OpenedSession {
  session: ort.InferenceSession;
  requested: ProviderName;
  /** The provider the session really runs on. */
  provider: ProviderName;
  /** Why the requested provider is not the one running, when they differ. */
  fallbackReason?: string;
}

export class ProviderUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/**
 * Options the onnxruntime-node 1.30 binding applies (js/node/src/session_options_helper.cc):
 * the session-level ones, and for `cuda`/`tensorrt` only `deviceId`, which it copies into a
 * fresh OrtCUDAProviderOptionsV2/OrtTensorRTProviderOptionsV2. Everything else in the provider
 * object is ignored, and `extra` session config entries do not reach these providers either
 * (ORT reads `ep.<name>.*` entries only for providers appended through the EP-device API, which
 * this binding does not use). The TensorRT provider's ORT_TENSORRT_* environment variables are
 * not read when options come through the V2 struct. So on this binding the CUDA provider runs
 * with ORT's defaults: cudnn_conv_algo_search EXHAUSTIVE, arena kNextPowerOfTwo, no memory limit.
 */
const sessionLevel = ['intraOpThreads', 'interOpThreads', 'enableCpuMemArena', 'allowSpinning'] as const;
const gpuApplied = ['deviceId'] as const;
const gpuIgnored = ['cudnnConvAlgoSearch', 'gpuMemLimitBytes', 'arenaExtendStrategy'] as const;
const trtIgnored = ['trtFp16', 'trtEngineCachePath'] as const;

export interface ProviderReport {
  requested: ProviderName;
  options: Record<string, unknown>;
  /** Settings the binding passes to ONNX Runtime. */
  applied: string[];
  /** Settings configured but dropped by the binding (ORT's defaults run instead). */
  notApplied: string[];
}

/** What `/readyz` says about the provider settings: asked for, applied, and silently dropped. */
export function providerReport(options: ProviderOptions): ProviderReport {
  const gpu = options.provider !== 'cpu';
  const pick = (keys: readonly (keyof ProviderOptions)[]) =>
    Object.fromEntries(keys.map((k) => [k, options[k]]));
  const notApplied = gpu ? [...gpuIgnored, ...(options.provider === 'tensorrt' ? trtIgnored : [])] : [];
  const applied = [...sessionLevel, ...(gpu ? gpuApplied : [])];
  return {
    requested: options.provider,
    options: pick([...applied, ...notApplied, 'allowCpuFallback'] as (keyof ProviderOptions)[]),
    applied,
    notApplied,
  };
}

/**
 * Session options for a provider. onnxruntime-node does not fall back by itself: with `cuda`
 * listed and the CUDA provider libraries missing, session creation throws. We list exactly the
 * providers asked for (TensorRT with CUDA behind it for the nodes TensorRT rejects), so the
 * provider a session reports is the one that runs it. GPU options go in ORT's own names, so a
 * binding that reads them applies them; this one reads only `deviceId` (see `providerReport`).
 */
export function sessionOptionsFor(
  provider: ProviderName,
  options: ProviderOptions,
): ort.InferenceSession.SessionOptions {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    enableCpuMemArena: options.enableCpuMemArena,
    // Session config entries, which the binding does pass on (as `session.intra_op.allow_spinning`…).
    extra: {
      session: {
        intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' },
        inter_op: { allow_spinning: options.allowSpinning ? '1' : '0' },
      },
    },
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads > 0 ? { interOpNumThreads: options.interOpThreads } : {}),
  };
  if (provider === 'cpu') return { ...base, executionProviders: ['cpu'] };
  const cuda = {
    name: 'cuda',
    deviceId: options.deviceId,
    cudnn_conv_algo_search: options.cudnnConvAlgoSearch,
    arena_extend_strategy: options.arenaExtendStrategy,
    ...(options.gpuMemLimitBytes > 0 ? { gpu_mem_limit: String(options.gpuMemLimitBytes) } : {}),
  };
  if (provider === 'cuda') return { ...base, executionProviders: [cuda] };
  const tensorrt = {
    name: 'tensorrt',
    deviceId: options.deviceId,
    trt_fp16_enable: options.trtFp16,
    ...(options.trtEngineCachePath
      ? { trt_engine_cache_enable: true, trt_engine_cache_path: options.trtEngineCachePath }
      : {}),
  };
  return { ...base, executionProviders: [tensorrt, cuda] };
}

/**
 * Opens a session on the requested provider; on GPU failure either throws a
 * `ProviderUnavailableError` or, when allowed, opens it on CPU and says why.
 */
export async function openSession(
  model: string | Uint8Array,
  options: ProviderOptions,
): Promise<OpenedSession> {
  const requested = options.provider;
  try {
    const session = await createSession(model, sessionOptionsFor(requested, options));
    return { session, requested, provider: requested };
  } catch (cause) {
    if (requested === 'cpu') throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    if (!options.allowCpuFallback) {
      throw new ProviderUnavailableError(
        `${requested === 'cuda' ? 'CUDA' : 'TensorRT'} execution provider could not load (${reason}). Install it with ONNXRUNTIME_NODE_INSTALL=cuda12 ` +
          'node node_modules/onnxruntime-node/script/install.js on a machine with CUDA 12 and cuDNN 9' +
          `${requested === 'tensorrt' ? ' and TensorRT 10' : ''}, or set ORT_ALLOW_CPU_FALLBACK=true to run on CPU.`,
        { cause },
      );
    }
    const session = await createSession(model, sessionOptionsFor('cpu', options));
    return { session, requested, provider: 'cpu', fallbackReason: reason };
  }
}

function createSession(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions) {
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);
}

/** Which providers this onnxruntime-node install carries (CUDA and TensorRT need its install step). */
export function installedBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends();
}
