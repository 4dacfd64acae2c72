import type { RegionRouter, RouteContext, RoutedAudio } from '../regions/router.ts';
import { type PcmSegment, parseNodeWav } from './wav-segment.ts';

export interface SynthesizedSegment extends PcmSegment {
  index: number;
  cache: 'hit' | 'miss';
  region: string;
  attempts: number;
  tried: string[];
}

export interface SegmentRequest {
  voice: string;
  speaker?: string | undefined;
  speed: number;
}

/**
 * Synthesises segments in order, each routed on its own (so a node that dies mid-stream only
 * moves the remaining segments to another region), keeping `lookahead` segments in flight so
 * the next sentence is ready when the current one has been sent.
 */
export async function* synthesizeSegments(
  router: RegionRouter,
  segments: readonly string[],
  request: SegmentRequest,
  context: RouteContext,
  lookahead: number,
): AsyncGenerator<SynthesizedSegment> {
  const inFlight = new Map<number, Promise<RoutedAudio>>();
  const start = (index: number) => {
    if (index >= segments.length || inFlight.has(index)) return;
    const pending = router.synthesize(
      {
        voice: request.voice,
        text: segments[index]!,
        format: 'wav',
        speed: request.speed,
        ...(request.speaker === undefined ? {} : { speaker: request.speaker }),
      },
      context,
    );
    // A segment that fails while an earlier one is being sent is reported when its turn comes.
    pending.catch(() => {});
    inFlight.set(index, pending);
  };
  for (let index = 0; index < segments.length; index++) {
    for (let ahead = index; ahead <= index + lookahead; ahead++) start(ahead);
    const audio = await inFlight.get(index)!;
    inFlight.delete(index);
    yield {
      index,
      ...parseNodeWav(audio.body),
      cache: audio.headers['x-cache'] === 'hit' ? 'hit' : 'miss',
      region: audio.region,
      attempts: audio.attempts,
      tried: audio.tried,
    };
  }
}
