import { beginsSentence } from './sentence-starters.ts';
import { collapseWhitespace } from './whitespace.ts';

export interface SplitOptions {
  /** BCP 47 locale for `Intl.Segmenter`. Default `'en-US'`; an invalid tag falls back to the root locale. */
  locale?: string;
  /** Longest segment, in UTF-16 code units, before a sentence is split at a clause. Default 300. */
  maxChars?: number;
}

// Abbreviations that never end a sentence in practice: a title before a name, a month before a day.
const alwaysJoined = new Set(
  (
    'dr mr mrs ms mx prof gen capt lt col sgt rev hon sen rep gov pres mt vs cf approx ca fig figs vol ch ' +
    'p pp jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e'
  )
    .split(' ')
    .map((word) => `${word}.`),
);
// Abbreviations (or words) that often end one: joined unless the next word usually opens a sentence.
const sometimesJoined = new Set(
  'etc jr sr st no sec ed eds ft inc ltd co corp bros esq a.m p.m u.s u.k u.n e.u'
    .split(' ')
    .map((word) => `${word}.`),
);
const initial = /^\p{Lu}\.$/u;
const dottedAcronym = /^(?:\p{L}\.){2,}$/u;
const lastToken = /[^\s"'“‘([]+$/u;
/** Sentence ends in scripts written without spaces: here a boundary needs no whitespace. */
const unspacedTerminal = /[\u3002\uFF01\uFF1F\uFF61\uFF0E\u0964\u0965\u061F\u06D4]["'”’」』）)\]]*$/u;

const sentenceSegmenters = new Map<string, Intl.Segmenter>();
const wordSegmenters = new Map<string, Intl.Segmenter>();
const graphemeSegmenters = new Map<string, Intl.Segmenter>();

function segmenter(
  cache: Map<string, Intl.Segmenter>,
  locale: string,
  granularity: 'sentence' | 'word' | 'grapheme',
) {
  let found = cache.get(locale);
  if (found === undefined) {
    try {
      found = new Intl.Segmenter(locale, { granularity });
    } catch {
      found = new Intl.Segmenter(undefined, { granularity }); // malformed tag: ICU's root rules still apply
    }
    if (cache.size >= 64) cache.clear();
    cache.set(locale, found);
  }
  return found;
}

function endsInAbbreviation(sentence: string, next: string): boolean {
  const token = lastToken.exec(sentence)?.[0].toLowerCase();
  if (token === undefined || !token.endsWith('.')) return false;
  if (alwaysJoined.has(token)) return true;
  const maybeEnd =
    sometimesJoined.has(token) || initial.test(token.toUpperCase()) || dottedAcronym.test(token);
  return maybeEnd && !beginsSentence(` ${next}`);
}

/** ICU's sentences, re-joined where ICU split after an abbreviation or without whitespace. */
function sentences(text: string, locale: string): string[] {
  const joined: string[] = [];
  let current = '';
  // The last ICU segment of `current`: the end tests look at it alone, so a long run of joins
  // ("U.S. U.S. …") stays linear.
  let previous = '';
  let spaced = false;
  for (const { segment } of segmenter(sentenceSegmenters, locale, 'sentence').segment(text)) {
    const trimmed = segment.trim();
    if (trimmed === '') continue;
    if (current === '') {
      current = trimmed;
    } else if (
      (!spaced && !unspacedTerminal.test(previous)) ||
      (spaced && endsInAbbreviation(previous, trimmed))
    ) {
      current += (spaced ? ' ' : '') + trimmed;
    } else {
      joined.push(current);
      current = trimmed;
    }
    previous = trimmed;
    spaced = segment.endsWith(' ');
  }
  if (current !== '') joined.push(current);
  return joined;
}

const strongClause = /[;:—–]/u;
const anyClause = /[;:,—–)\]”"'’»、，；：]/u;
const unspacedClause = /[、，；：—–]/u;

/** Where to cut `text` (longer than `max`): [end of the head, start of the tail]. */
function findCut(text: string, max: number, locale: string): [number, number] {
  const minimum = Math.floor(max / 3);
  let strong = -1;
  let clause = -1;
  let space = -1;
  for (let i = Math.min(max, text.length - 1); i > 0; i--) {
    if (text[i] !== ' ') continue;
    if (space < 0) space = i;
    const before = text[i - 1] ?? '';
    if (strong < 0 && i >= minimum && strongClause.test(before)) strong = i;
    if (clause < 0 && i >= minimum && anyClause.test(before)) clause = i;
    if (strong >= 0) break;
  }
  const atSpace = strong >= 0 ? strong : clause >= 0 ? clause : space;
  if (atSpace > 0) return [atSpace, atSpace + 1];
  for (let i = max - 1; i >= minimum; i--) {
    if (unspacedClause.test(text[i] ?? '')) return [i + 1, i + 1];
  }
  // No space or clause mark: a word boundary as ICU sees it (dictionary-based for CJK and Thai).
  // ICU may read a whole run as one word ("one:one:…"); looking a few units past max is enough
  // for its rules and keeps each cut from scanning the rest of the text.
  let word = -1;
  for (const { index } of segmenter(wordSegmenters, locale, 'word').segment(text.slice(0, max + 4))) {
    if (index > max) break;
    word = index;
  }
  const cut = word > 0 ? word : graphemeCut(text, max, locale);
  return [cut, cut];
}

/**
 * The last grapheme boundary at or before `max`, so that a surrogate pair, a combining mark or an
 * emoji sequence is never cut; the end of the first cluster when that one is longer than `max`.
 * Only text with no space and no word boundary gets here, so the cost of walking graphemes is rare.
 */
function graphemeCut(text: string, max: number, locale: string): number {
  const units = segmenter(graphemeSegmenters, locale, 'grapheme');
  let cut = 0;
  // The rules look only a little past a boundary, so a window past max finds the same ones.
  for (const { index } of units.segment(text.slice(0, max + 64))) {
    if (index > max) break;
    cut = index;
  }
  if (cut > 0) return cut;
  const first = units.segment(text)[Symbol.iterator]().next();
  return first.done ? max : first.value.segment.length;
}

function splitLong(sentence: string, max: number, locale: string): string[] {
  const pieces: string[] = [];
  let rest = sentence;
  while (rest.length > max) {
    const [headEnd, tailStart] = findCut(rest, max, locale);
    const head = rest.slice(0, headEnd).trim();
    if (head !== '') pieces.push(head);
    rest = rest.slice(tailStart).trim();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

/**
 * Splits text into sentences for synthesis, one ONNX call each. `Intl.Segmenter` finds the
 * sentences; splits after abbreviations ("Dr.", "e.g.", "Jan.") and initials ("J. R. R. Tolkien")
 * are re-joined, and those after "etc.", "U.S.", "p.m." and the like only when the next word
 * does not usually open a sentence. A sentence longer than `maxChars` is split at a clause mark
 * (; : — – then , and closing brackets), failing that at the last space, failing that (CJK) at a
 * clause mark or an ICU word boundary, and only then at `maxChars` itself.
 *
 * Segments are trimmed and never empty. Joined by single spaces they give back
 * `collapseWhitespace(text)`, except where a boundary had no space in the text (a sentence end in
 * Chinese or Japanese, a cut inside a run of more than `maxChars` characters without spaces).
 *
 * @example
 * splitSentences('Dr. Smith arrived. He sat down.'); // ['Dr. Smith arrived.', 'He sat down.']
 */
export function splitSentences(text: string, options: SplitOptions = {}): string[] {
  const locale = options.locale ?? 'en-US';
  const maxChars = options.maxChars ?? 300;
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  const normalized = collapseWhitespace(String(text ?? ''));
  if (normalized === '') return [];
  return sentences(normalized, locale).flatMap((sentence) =>
    sentence.length > maxChars ? splitLong(sentence, maxChars, locale) : [sentence],
  );
}
