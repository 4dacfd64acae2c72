import { prepareSegments } from '../../shared/text/index.ts';
import type { ChapterPlan, JobFormat, JobPlan } from './job-types.ts';

export interface DocumentInput {
  chapters: { title?: string | undefined; text: string }[];
  voice: string;
  speaker?: string | number | undefined;
  format: JobFormat;
  speed: number;
  webhookUrl?: string | undefined;
}

export interface PlanOptions {
  /** A sentence longer than this is split at a clause or word boundary. */
  maxSegmentCharacters: number;
  /** Most characters in one chapter's audio file. */
  maxChapterCharacters: number;
  /**
   * Split an over-long chapter into untitled parts instead of refusing it: right for a plain-text
   * document, which has no chapters of its own; a structured one keeps the chapters it asked for.
   */
  splitLongChapters: boolean;
}

/** A document that cannot be planned as given; `param` names the field at fault. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  readonly kind: 'too_large' | 'empty';
  readonly param: string;
  constructor(kind: 'too_large' | 'empty', param: string, message: string) {
    super(message);
    this.kind = kind;
    this.param = param;
  }
}

/** Paragraphs: blocks of text separated by a blank line. */
function splitParagraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim().length > 0);
}

const length = (s: string) => [...s].length;

/**
 * Splits a document into chapters → paragraphs → sentences (normalised as the realtime path
 * does, with `prepareSegments`); each sentence is one queued segment and one manifest entry.
 * A chapter's title is spoken as its first segment.
 */
export function planJob(input: DocumentInput, options: PlanOptions): JobPlan {
  const segments: string[] = [];
  const paragraphs: number[] = [];
  const chapters: ChapterPlan[] = [];
  let paragraph = 0;
  for (const [c, chapter] of input.chapters.entries()) {
    const title = chapter.title?.trim() || null;
    const blocks = title ? [title, ...splitParagraphs(chapter.text)] : splitParagraphs(chapter.text);
    let part: ChapterPlan = { title, first: segments.length, count: 0 };
    let partCharacters = 0;
    let chapterCharacters = 0;
    for (const block of blocks) {
      for (const sentence of prepareSegments(block, { maxChars: options.maxSegmentCharacters })) {
        const size = length(sentence);
        chapterCharacters += size;
        if (partCharacters + size > options.maxChapterCharacters && part.count > 0) {
          if (!options.splitLongChapters) {
            throw new PlanError(
              'too_large',
              `chapters.${c}.text`,
              `chapter ${c + 1} is longer than ${options.maxChapterCharacters} characters; split it into chapters`,
            );
          }
          chapters.push(part);
          part = { title: null, first: segments.length, count: 0 };
          partCharacters = 0;
        }
        segments.push(sentence);
        paragraphs.push(paragraph);
        part.count++;
        partCharacters += size;
      }
      paragraph++;
    }
    if (chapterCharacters === 0) {
      throw new PlanError('empty', `chapters.${c}.text`, `chapter ${c + 1} has nothing to speak`);
    }
    chapters.push(part);
  }
  return {
    voice: input.voice,
    ...(input.speaker === undefined ? {} : { speaker: input.speaker }),
    format: input.format,
    speed: input.speed,
    characters: segments.reduce((n, s) => n + length(s), 0),
    chapters,
    segments,
    paragraphs,
    ...(input.webhookUrl ? { webhookUrl: input.webhookUrl } : {}),
  };
}
