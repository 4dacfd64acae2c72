import type { StreamEncoder } from '../../shared/audio/encoder.ts';
import { ApiError } from '../../shared/errors.ts';
import type { SynthesizedSegment } from './segment-source.ts';
import { prepareJoin } from './wav-segment.ts';

/** Join policy: 4 ms fades at every segment edge and 40 ms of silence between sentences. */
export const JOIN = { fadeMs: 4, gapMs: 40 } as const;

export interface EncodedPart {
  bytes: Buffer;
  /** Samples of input audio this part carries (0 for the container's head and tail). */
  samples: number;
}

/**
 * Encodes an ordered stream of synthesised segments into one file, yielding bytes as soon as
 * each segment is encoded: the container head, each sentence, then the tail. Every segment
 * must share the first one's sample rate.
 */
export async function* encodeSegments(
  encoder: StreamEncoder,
  first: SynthesizedSegment,
  rest: AsyncIterator<SynthesizedSegment>,
  total: number,
): AsyncGenerator<EncodedPart> {
  yield { bytes: Buffer.from(await encoder.start()), samples: 0 };
  let segment: SynthesizedSegment | undefined = first;
  while (segment) {
    if (segment.sampleRate !== first.sampleRate) {
      throw new ApiError(
        'node_unavailable',
        `segment ${segment.index} came at ${segment.sampleRate} Hz, not ${first.sampleRate} Hz`,
      );
    }
    const pcm = prepareJoin(segment.pcm, segment.sampleRate, { ...JOIN, last: segment.index === total - 1 });
    // Slices of half a second: the first bytes of a slow codec (mp3) leave before the whole
    // sentence is encoded, and the event loop gets a turn between slices.
    const slice = Math.max(1, Math.floor(segment.sampleRate / 2));
    for (let at = 0; at < pcm.length; at += slice) {
      const part = pcm.subarray(at, Math.min(pcm.length, at + slice));
      yield { bytes: await encoder.write(part), samples: part.length };
    }
    const next = await rest.next();
    segment = next.done ? undefined : next.value;
  }
  yield { bytes: await encoder.finish(), samples: 0 };
}
