import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../shared/logger.ts';
import type { NodeMetrics } from '../metrics.ts';
import { type SkippedVoice, scanVoices } from '../voices/catalogue.ts';
import type { ProviderOptions } from './execution-provider.ts';
import { type PlacementReport, probePlacement } from './placement-probe.ts';
import { openVoiceSession, type VoiceSession } from './voice-session.ts';

/** The repository's own voices (the built-in voice lives here). */
export const builtinVoicesDir = fileURLToPath(new URL('../../voices/', import.meta.url));

export interface LoadVoicesOptions {
  voicesDir: string;
  includeBuiltin: boolean;
  provider: ProviderOptions;
  maxBatch: number;
  padMultiple: number;
  minSpeedup: number;
  placementProbe: 'auto' | 'always' | 'never';
  logger: Logger;
  metrics?: NodeMetrics;
}

export interface LoadedVoices {
  sessions: Map<string, VoiceSession>;
  skipped: SkippedVoice[];
  placements: Map<string, PlacementReport>;
}

/**
 * Opens a session per voice found (the built-in voice too, unless told not to), probing each
 * for batching. A broken voice is skipped and logged; a GPU provider that cannot load fails the
 * start unless CPU fallback is allowed, and a fallback is logged as an error and counted. Where
 * asked, a child process reports which ONNX Runtime nodes landed on CPU.
 */
export async function loadVoices(options: LoadVoicesOptions): Promise<LoadedVoices> {
  const { provider, logger, metrics } = options;
  const dirs = [
    {
      dir: path.resolve(options.voicesDir),
      builtin: path.resolve(options.voicesDir) === path.resolve(builtinVoicesDir),
    },
  ];
  if (options.includeBuiltin && !dirs[0]!.builtin) dirs.push({ dir: builtinVoicesDir, builtin: true });
  const catalogue = await scanVoices(dirs);
  const skipped = [...catalogue.skipped];

  const sessions = new Map<string, VoiceSession>();
  for (const entry of catalogue.voices) {
    let session: VoiceSession;
    try {
      session = await openVoiceSession(entry, provider, {
        maxBatch: options.maxBatch,
        padMultiple: options.padMultiple,
        minSpeedup: options.minSpeedup,
      });
    } catch (cause) {
      if ((cause as Error).name === 'ProviderUnavailableError') throw cause;
      skipped.push({ file: entry.modelPath, reason: `model failed to load: ${(cause as Error).message}` });
      continue;
    }
    if (session.opened.fallbackReason) {
      logger.error(
        {
          voice: entry.id,
          requested: provider.provider,
          provider: 'cpu',
          reason: session.opened.fallbackReason,
        },
        `${provider.provider === 'tensorrt' ? 'TensorRT' : 'CUDA'} execution provider unavailable: voice runs on CPU (ORT_ALLOW_CPU_FALLBACK=true)`,
      );
      metrics?.providerFallbacks.inc({ voice: entry.id });
    }
    logger.info(
      {
        voice: entry.id,
        batching: session.batching.enabled,
        maxBatch: session.batching.maxBatch,
        reason: session.batching.reason,
      },
      session.batching.enabled ? 'voice batches' : 'voice runs unbatched',
    );
    sessions.set(entry.id, session);
  }
  for (const skip of skipped) {
    logger.warn({ file: skip.file, reason: skip.reason }, 'voice skipped');
    metrics?.voicesSkipped.inc();
  }

  const placements = new Map<string, PlacementReport>();
  const probe = options.placementProbe;
  if (probe === 'always' || (probe === 'auto' && provider.provider !== 'cpu')) {
    for (const voice of sessions.values()) {
      const report = await probePlacement(voice.entry.modelPath, {
        ...provider,
        provider: voice.opened.provider,
      });
      placements.set(voice.entry.id, report);
      if (report.reported) metrics?.cpuNodes.set({ voice: voice.entry.id }, report.cpuNodes);
      if (report.cpuNodes > 0 && voice.opened.provider !== 'cpu')
        logger.warn(
          { voice: voice.entry.id, nodes: report.nodesByProvider },
          'some ONNX Runtime nodes run on CPU',
        );
    }
  }
  return { sessions, skipped, placements };
}
