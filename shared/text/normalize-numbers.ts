import type { NumberWords } from './number-words.ts';

/**
 * Reads the numbers left after money, dates and times: phone numbers digit by digit, ordinals
 * ("22nd" → "twenty-second"), decades ("1990s" → "nineteen nineties"), versions ("1.2.3" → "one
 * point two point three"), ranges ("10-12" → "ten to twelve"), simple fractions ("3/4" → "three
 * quarters"), ratios and scores ("16:9" → "sixteen to nine"), negative numbers, decimals ("3.5"
 * → "three point five") and integers with thousands separators. A four-digit number from 1900 to
 * 2099, or from 1000 after "in", "since" and the like, or before "AD" or "BC", is read as a year
 * ("in 1850" → "eighteen fifty"). Other locales get integers and decimals, with that locale's separators, through to-words; numbers chained by
 * dots, colons, slashes or dashes (dates, times) are left to espeak-ng there.
 */

const notDigitBefore = String.raw`(?<!\p{N})`;
const notDigitAfter = String.raw`(?!\p{N})`;
const englishAlternatives = [
  String.raw`(?<phone>\+\d{1,3}(?:[ .-]\d{2,4}){2,4}|(?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4}|\d{3}-\d{4})${notDigitAfter}`,
  String.raw`(?<ordinal>\d+)(?:st|nd|rd|th|ST|ND|RD|TH)(?![\p{L}\p{N}])`,
  String.raw`(?<apostrophe>['’])?(?<decade>\d0|\d{3}0)(?:'|’)?s(?![\p{L}\p{N}])`,
  String.raw`(?<version>\d+(?:\.\d+){2,})${notDigitAfter}`,
  String.raw`(?<rangeFrom>\d{1,4})[-–](?<rangeTo>\d{1,4})(?!\p{N}|[.,]\d)`,
  String.raw`(?<numerator>\d{1,3})\/(?<denominator>\d{1,3})(?!\p{N}|\/\d)`,
  // Clock times are gone by now: what is left is a ratio or a score.
  String.raw`(?<ratioLeft>\d{1,4}):(?<ratioRight>\d{1,4})(?!\p{N}|:\d)`,
];

interface NumberGroups {
  phone?: string;
  ordinal?: string;
  apostrophe?: string;
  decade?: string;
  version?: string;
  rangeFrom?: string;
  rangeTo?: string;
  numerator?: string;
  denominator?: string;
  ratioLeft?: string;
  ratioRight?: string;
  sign?: string;
  integer?: string;
  fraction?: string;
  bare?: string;
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** A plain number with the locale's group and decimal separators. */
function numberAlternative(group: string, decimal: string): string {
  // A space-like group separator (fr: U+202F) is also typed as a plain space.
  const groupChars = group.trim() === '' ? '[ \\u00a0\\u202f]' : escapeRegExp(group);
  const d = escapeRegExp(decimal);
  const grouped = String.raw`\d{1,3}(?:${groupChars}\d{3})+|`;
  const indian = group === ',' ? String.raw`\d{1,3}(?:,\d{2})+,\d{3}|` : '';
  return String.raw`(?<sign>[-−])?(?:(?<integer>${grouped}${indian}\d+)(?:${d}(?<fraction>\d+))?|${d}(?<bare>\d+))${notDigitAfter}`;
}

const englishPattern = new RegExp(
  `${notDigitBefore}(?:${[...englishAlternatives, numberAlternative(',', '.')].join('|')})`,
  'gu',
);

const yearContext = new Set(
  'in since from by until till through circa c year years of early late mid before after during around between the'.split(
    ' ',
  ),
);
const eraAfter = /^\s?(?:AD|BC|BCE|CE|A\.D\.|B\.C\.)/u;

function pluralise(words: string): string {
  return words.replace(/(\S+)$/u, (last) => (last.endsWith('y') ? `${last.slice(0, -1)}ies` : `${last}s`));
}

function fractionWords(words: NumberWords, numerator: number, denominator: number): string | undefined {
  if (numerator < 1 || numerator >= denominator || denominator > 10) return undefined;
  const many = numerator > 1;
  const part =
    denominator === 2
      ? many
        ? 'halves'
        : 'half'
      : denominator === 4
        ? `quarter${many ? 's' : ''}`
        : `${words.ordinal(String(denominator))}${many ? 's' : ''}`;
  return `${words.cardinal(String(numerator))} ${part}`;
}

function looksLikeYear(value: string, text: string, start: number, end: number): boolean {
  if (value.length !== 4) return false;
  const year = Number(value);
  if (year < 1000 || year > 2099 || text[end] === '%') return false;
  if (year >= 1900 || eraAfter.test(text.slice(end, end + 5))) return true;
  const before = /(\p{L}+)\W*$/u.exec(text.slice(Math.max(0, start - 20), start))?.[1]?.toLowerCase();
  return before !== undefined && yearContext.has(before);
}

function integerWords(words: NumberWords, digits: string, text: string, start: number, end: number): string {
  return looksLikeYear(digits, text, start, end) ? words.year(Number(digits)) : words.cardinal(digits);
}

function englishNumber(
  words: NumberWords,
  groups: NumberGroups,
  text: string,
  start: number,
  end: number,
): string | undefined {
  const { phone, ordinal, apostrophe, decade, version, rangeFrom, rangeTo, numerator, denominator } = groups;
  const { ratioLeft, ratioRight } = groups;
  if (phone !== undefined) {
    return phone
      .split(/[^\d]+/u)
      .filter(Boolean)
      .map((part) => words.digits(part))
      .join(', ');
  }
  if (ordinal !== undefined) return words.ordinal(ordinal);
  if (decade !== undefined) {
    const base =
      decade.length === 2 || apostrophe ? words.cardinal(decade.slice(-2)) : words.year(Number(decade));
    return pluralise(base);
  }
  if (version !== undefined) {
    const parts = version.split('.');
    const isAddress = parts.length === 4 && parts.every((p) => Number(p) <= 255);
    return parts.map((p) => words.cardinal(p)).join(isAddress ? ' dot ' : ' point ');
  }
  if (rangeFrom !== undefined && rangeTo !== undefined) {
    const toStart = end - rangeTo.length;
    const from = integerWords(words, rangeFrom, text, start, start + rangeFrom.length);
    const yearish = looksLikeYear(rangeFrom, text, start, start + rangeFrom.length);
    const to =
      yearish && rangeTo.length === 4
        ? words.year(Number(rangeTo))
        : integerWords(words, rangeTo, text, toStart, end);
    return `${from} to ${to}`;
  }
  if (numerator !== undefined && denominator !== undefined) {
    if (numerator === '24' && denominator === '7') return 'twenty-four seven';
    const fraction = fractionWords(words, Number(numerator), Number(denominator));
    return fraction ?? `${words.cardinal(numerator)} slash ${words.cardinal(denominator)}`;
  }
  if (ratioLeft !== undefined && ratioRight !== undefined) {
    return `${words.cardinal(ratioLeft)} to ${words.cardinal(ratioRight)}`;
  }
  return undefined;
}

function plainNumber(
  words: NumberWords,
  groups: NumberGroups,
  text: string,
  start: number,
  end: number,
): string {
  const { sign, integer, fraction, bare } = groups;
  const digits = integer?.replace(/\D/gu, '');
  let spoken: string;
  if (digits === undefined) spoken = words.decimal('', bare ?? '');
  else if (fraction !== undefined) spoken = words.decimal(digits, fraction);
  else if (sign === undefined && integer === digits) spoken = integerWords(words, digits, text, start, end);
  else spoken = words.cardinal(digits);
  if (sign === undefined) return spoken;
  // A hyphen after a word ("COVID-19") joins, it does not negate: it becomes a space.
  return /[\p{L}\p{N}]/u.test(text[start - 1] ?? ' ') ? ` ${spoken}` : `${words.minus} ${spoken}`;
}

const localePatterns = new Map<string, RegExp>();
function localePattern(locale: string): RegExp {
  let pattern = localePatterns.get(locale);
  if (pattern === undefined) {
    const parts = new Intl.NumberFormat(locale).formatToParts(12345.5);
    const group = parts.find((p) => p.type === 'group')?.value ?? ',';
    const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
    // A number inside a chain ("5.1.2024", "14:30") is a date or a time: espeak-ng reads those.
    const chained = String.raw`(?![.:/-]\p{N})`;
    pattern = new RegExp(`(?<!\\p{N}[.:/-]?)${numberAlternative(group, decimal)}${chained}`, 'gu');
    if (localePatterns.size >= 64) localePatterns.clear();
    localePatterns.set(locale, pattern);
  }
  return pattern;
}

const wordCharacter = /[\p{L}\p{N}]/u;
/** Characters that need a space before a number's words: "H100" → "H one hundred", "1,2" → "one, two". */
const separatedBefore = /[\p{L}\p{N},;]/u;

/** Replaces the numbers in `text` with words for the locale of `words`. */
export function normalizeNumbers(text: string, words: NumberWords, locale: string): string {
  if (!/\d/u.test(text)) return text;
  const pattern = words.english ? englishPattern : localePattern(locale);
  let output = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const groups: NumberGroups = match.groups ?? {};
    const spoken =
      (words.english ? englishNumber(words, groups, text, start, end) : undefined) ??
      plainNumber(words, groups, text, start, end);
    const padded = words.spaced && !spoken.startsWith(' ');
    const before = padded && separatedBefore.test(text[start - 1] ?? ' ') ? ' ' : '';
    const after = words.spaced && wordCharacter.test(text[end] ?? ' ') ? ' ' : '';
    output += text.slice(last, start) + before + spoken + after;
    last = end;
  }
  return output + text.slice(last);
}
