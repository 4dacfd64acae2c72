import * as ort from 'onnxruntime-node';

export type ProviderName = 'cpu' | 'cuda';

export interface ProviderOptions {
  /** Provider asked for. */
  provider: ProviderName;
  /** When CUDA cannot load, run on CPU instead of failing. */
  allowCpuFallback: boolean;
  deviceId: number;
  cudnnConvAlgoSearch: 'EXHAUSTIVE' | 'HEURISTIC' | 'DEFAULT';
  gpuMemLimitBytes: number;
  arenaExtendStrategy: 'kNextPowerOfTwo' | 'kSameAsRequested';
  intraOpThreads: number;
  interOpThreads: number;
}

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
 * Session options for a provider. onnxruntime-node does not fall back by itself: with `cuda`
 * listed and the CUDA provider libraries missing, session creation throws. We list exactly one
 * provider so the provider a session reports is the one that runs it.
 *
 * The CUDA options beyond `deviceId` are passed in the provider object in ORT's own names; the
 * 1.30 Node binding reads only `deviceId` (session_options_helper.cc), so `/readyz` says which
 * options the binding applied.
 */
export function sessionOptionsFor(
  provider: ProviderName,
  options: ProviderOptions,
): ort.InferenceSession.SessionOptions {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
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
  return { ...base, executionProviders: [cuda] };
}

/** Options the installed binding really applies to the CUDA provider. */
export const appliedCudaOptions = ['deviceId'] as const;

/**
 * Opens a session on the requested provider; on CUDA failure either throws a
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
        `CUDA execution provider could not load (${reason}). Install it with ONNXRUNTIME_NODE_INSTALL=cuda12 ` +
          'node node_modules/onnxruntime-node/script/install.js on a machine with CUDA 12 and cuDNN 9, ' +
          'or set ORT_ALLOW_CPU_FALLBACK=true to run on CPU.',
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

/** Which providers this onnxruntime-node install carries (CUDA needs its install step). */
export function installedBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends();
}
