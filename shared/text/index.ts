import { type NormalizeOptions, normalizeText } from './normalize.ts';
import { type SplitOptions, splitSentences } from './segment.ts';

export { type NormalizeOptions, normalizeText } from './normalize.ts';
export { type SplitOptions, splitSentences } from './segment.ts';
export { collapseWhitespace } from './whitespace.ts';

export interface PrepareOptions extends NormalizeOptions, SplitOptions {}

/**
 * The text pipeline: {@link normalizeText}, then {@link splitSentences}. Normalising first means
 * the splitter measures and cuts the text that will be phonemised, and sees fewer dots: "$3.50."
 * becomes "three dollars and fifty cents." (the sentence's own period stays; the decimal point,
 * which could never end a sentence, is gone), "e.g." and "Dr. Smith" are already words, and
 * "3 p.m. Then" keeps its period. Decimals do not make false boundaries either way: ICU never
 * splits "3.5", which has no space after the dot.
 *
 * @example
 * prepareSegments('Dr. Smith paid $3.50. He left at 5 p.m.');
 * // ['Doctor Smith paid three dollars and fifty cents.', 'He left at five PM.']
 */
export function prepareSegments(text: string, options: PrepareOptions = {}): string[] {
  return splitSentences(normalizeText(text, options), options);
}
