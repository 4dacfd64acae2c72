import { setTimeout as sleep } from 'node:timers/promises';
import { createEncoder } from '../../shared/audio/encoder.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AudioStore, StoredAudio } from '../audio-store/audio-store.ts';
import type { RegionRouter, RouteContext } from '../regions/router.ts';
import { encodeSegments } from './encode-segments.ts';
import { synthesizeSegments } from './segment-source.ts';
import type { SpeechPlan } from './speech-request.ts';

/** How long the first audio may wait for the cache lookup once it is ready. */
const LOOKUP_GRACE_MS = 50;

export interface ClipServices {
  router: RegionRouter;
  audioStore: AudioStore;
  logger: Logger;
  /** Largest clip kept in the audio store. */
  maxStoredBytes: number;
  /** Segments synthesised ahead of the one being sent. */
  lookahead: number;
}

export interface ClipStream {
  source: 'store' | 'synthesis';
  contentType: string;
  cache: 'hit' | 'partial' | 'miss';
  segmentsCached: number;
  segmentsTotal: number;
  region: string;
  attempts: number;
  /** Regions the first segment tried, in order. */
  tried: string[];
  /** The encoded bytes, in order. Throws mid-way when a segment cannot be synthesised anywhere. */
  chunks: AsyncIterable<Buffer>;
  /** Resolves with the whole clip once every chunk was produced and the store was tried. */
  done: Promise<FinishedClip>;
}

export interface FinishedClip {
  audio: StoredAudio;
  /** Whether a signed URL for this clip can be served: stored, too large to keep, or the store failed. */
  storage: 'stored' | 'too_large' | 'store_failed';
}

/**
 * Starts a clip: from the audio store when this exact clip was made before, otherwise segment
 * by segment through the regions. Resolves once the first audio is ready (or fails before any
 * byte exists, so the caller can still answer with a clean error).
 */
export async function startClip(
  services: ClipServices,
  plan: SpeechPlan,
  context: RouteContext,
): Promise<ClipStream> {
  const stored = await services.audioStore.get(plan.key).catch((err: unknown) => {
    services.logger.warn({ err, key: plan.key }, 'audio store unavailable: synthesising');
    return undefined;
  });
  if (stored) {
    return {
      source: 'store',
      contentType: stored.meta.contentType,
      cache: 'hit',
      segmentsCached: plan.segments.length,
      segmentsTotal: plan.segments.length,
      region: stored.meta.region,
      attempts: 0,
      tried: [],
      chunks: (async function* () {
        yield stored.body;
      })(),
      done: Promise.resolve({ audio: stored, storage: 'stored' }),
    };
  }

  const request = { voice: plan.voice, speaker: plan.speaker, speed: plan.speed };
  // Which segments the node cache holds decides x-cache before the first byte; it runs beside
  // the first segment's synthesis, so it costs no extra round trip. One segment tells itself.
  const lookup =
    plan.segments.length === 1
      ? Promise.resolve(undefined)
      : services.router
          .lookupCache(
            plan.segments.map((text) => ({
              voice: plan.voice,
              text,
              format: 'wav' as const,
              speed: plan.speed,
              ...(plan.speaker === undefined ? {} : { speaker: plan.speaker }),
            })),
            {
              requestId: context.requestId,
              deadlineAt: context.deadlineAt,
              ...(context.signal ? { signal: context.signal } : {}),
            },
          )
          .catch(() => undefined);
  const segments = synthesizeSegments(services.router, plan.segments, request, context, services.lookahead);
  const first = await segments.next();
  if (first.done) throw new Error('no segments to synthesise');
  // The lookup must never hold audio back: past a short grace after the first segment, the
  // cache status is judged from the segments seen so far.
  const statuses = await Promise.race([lookup, sleep(LOOKUP_GRACE_MS, undefined, { ref: false })]);
  const segmentsCached = statuses
    ? statuses.filter((s) => s === 'hit').length
    : first.value.cache === 'hit'
      ? 1
      : 0;
  const cache = segmentsCached === plan.segments.length ? 'hit' : segmentsCached === 0 ? 'miss' : 'partial';

  const encoder = await createEncoder(plan.format, { inputSampleRate: first.value.sampleRate });
  const sampleRate = first.value.sampleRate;
  const region = first.value.region;
  let finish!: { resolve: (clip: FinishedClip) => void; reject: (err: unknown) => void };
  const done = new Promise<FinishedClip>((resolve, reject) => {
    finish = { resolve, reject };
  });
  done.catch(() => {});

  async function* chunks(): AsyncGenerator<Buffer> {
    const parts: Buffer[] = [];
    let samples = 0;
    try {
      for await (const part of encodeSegments(encoder, first.value!, segments, plan.segments.length)) {
        parts.push(part.bytes);
        samples += part.samples;
        if (part.bytes.length > 0) yield part.bytes;
      }
      const clip: StoredAudio = {
        body: Buffer.concat(parts),
        meta: {
          contentType: encoder.contentType,
          durationMs: Math.round((samples / sampleRate) * 1000),
          region,
          createdAt: new Date().toISOString(),
        },
      };
      let storage: FinishedClip['storage'] = 'too_large';
      if (clip.body.length <= services.maxStoredBytes) {
        storage = await services.audioStore.put(plan.key, clip).then(
          () => 'stored' as const,
          (err: unknown) => {
            services.logger.warn({ err, key: plan.key }, 'audio store unavailable: clip not stored');
            return 'store_failed' as const;
          },
        );
      }
      finish.resolve({ audio: clip, storage });
    } catch (err) {
      finish.reject(err);
      throw err;
    }
  }

  return {
    source: 'synthesis',
    contentType: encoder.contentType,
    cache,
    segmentsCached,
    segmentsTotal: plan.segments.length,
    region,
    attempts: first.value.attempts,
    tried: first.value.tried,
    chunks: chunks(),
    done,
  };
}
