import { createEncoder, finalizeWav } from '../../shared/audio/encoder.ts';
import type { ChapterAudio, JobFormat, ManifestSegment, SegmentResult } from './job-types.ts';

/** Silence between sentences of a paragraph, and between paragraphs, as a reader would pause. */
export const SENTENCE_GAP_MS = 200;
export const PARAGRAPH_GAP_MS = 500;

export interface ChapterInputs {
  /** Global index of the chapter's first segment. */
  first: number;
  texts: string[];
  paragraphs: number[];
  results: SegmentResult[];
  pcm: Buffer[];
}

/**
 * Joins a chapter's segments in reading order, with pauses between them, encodes the result in
 * the job's format and lists where each segment lies in it. Offsets count samples at the voice's
 * native rate (`sampleRate`), so a WAV chapter can be checked sample for sample.
 */
export async function assembleChapter(
  inputs: ChapterInputs,
  format: JobFormat,
): Promise<Omit<ChapterAudio, 'key'> & { body: Buffer }> {
  const sampleRate = inputs.results[0]?.sampleRate;
  if (sampleRate === undefined) throw new Error('a chapter needs at least one segment');
  const encoder = await createEncoder(format, { inputSampleRate: sampleRate });
  const parts: Buffer[] = [encoder.start()];
  const segments: ManifestSegment[] = [];
  const toMs = (samples: number) => Math.round((samples * 1000) / sampleRate);
  let offset = 0;
  try {
    for (let i = 0; i < inputs.results.length; i++) {
      const result = inputs.results[i]!;
      const pcm = inputs.pcm[i]!;
      if (result.sampleRate !== sampleRate) {
        throw new Error(
          `segment ${inputs.first + i} is at ${result.sampleRate} Hz, the chapter at ${sampleRate} Hz`,
        );
      }
      if (i > 0) {
        const gapMs = inputs.paragraphs[i] === inputs.paragraphs[i - 1] ? SENTENCE_GAP_MS : PARAGRAPH_GAP_MS;
        const gap = Math.round((gapMs * sampleRate) / 1000);
        parts.push(await encoder.write(new Int16Array(gap)));
        offset += gap;
      }
      const samples = pcm.length / 2;
      segments.push({
        index: inputs.first + i,
        text: inputs.texts[i] ?? '',
        offset_ms: toMs(offset),
        duration_ms: toMs(samples),
        offset_samples: offset,
        samples,
        synthesis_ms: result.synthesisMs,
      });
      // Copy: a Buffer's byte offset need not be 2-aligned for an Int16Array view.
      const aligned = new Int16Array(samples);
      Buffer.from(aligned.buffer).set(pcm);
      parts.push(await encoder.write(aligned));
      offset += samples;
    }
    parts.push(await encoder.finish());
  } catch (err) {
    encoder.abort();
    throw err;
  }
  const joined = Buffer.concat(parts);
  const body = format === 'wav' ? finalizeWav(joined) : joined;
  return {
    body,
    contentType: encoder.contentType,
    bytes: body.length,
    durationMs: toMs(offset),
    sampleRate,
    segments,
  };
}
