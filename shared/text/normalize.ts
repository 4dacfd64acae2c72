import { normalizeAbbreviations } from './normalize-abbreviations.ts';
import { normalizeCurrency } from './normalize-currency.ts';
import { normalizeDates } from './normalize-dates.ts';
import { normalizeNumbers } from './normalize-numbers.ts';
import { normalizeSymbols } from './normalize-symbols.ts';
import { normalizeTimes } from './normalize-times.ts';
import { normalizeAddresses } from './normalize-urls.ts';
import { numberWordsFor } from './number-words.ts';
import { collapseWhitespace, sanitizeText } from './whitespace.ts';

export interface NormalizeOptions {
  /** BCP 47 locale of the text. Default `'en-US'`. */
  locale?: string;
  /**
   * Called when a rule failed on this input; the rule is skipped and the text goes on through the
   * others, so normalisation never throws. Log and count it: it means a bug in a rule.
   */
  onError?: (error: unknown, rule: string) => void;
}

type Rule = (text: string) => string;

const spaceBeforePunctuation = / +([,.;:!?])/gu;

/**
 * Turns written forms into words before phonemisation. English (`en-*`) is read in full, in this
 * order, each rule seeing the output of the ones before: URLs and e-mail addresses, abbreviations
 * ("Dr. Smith" → "Doctor Smith"), money, dates, clock times, numbers (ordinals, decimals, ranges,
 * years, integers), symbols, then whitespace. Other locales only get their numbers read through
 * to-words, where it knows the language; anything else is left as written (espeak-ng reads digits
 * itself). Never throws: see {@link NormalizeOptions.onError}.
 *
 * @example
 * normalizeText('Dr. Smith paid $3.50 on Jan. 5th, 2024.');
 * // 'Doctor Smith paid three dollars and fifty cents on January fifth, twenty twenty-four.'
 */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  const locale = options.locale ?? 'en-US';
  let output = sanitizeText(String(text ?? ''));
  const words = numberWordsFor(locale);
  const rules: [string, Rule][] = [];
  if (words?.english) {
    rules.push(
      ['addresses', normalizeAddresses],
      ['abbreviations', normalizeAbbreviations],
      ['currency', (t) => normalizeCurrency(t, words)],
      ['dates', (t) => normalizeDates(t, words, locale)],
      ['times', (t) => normalizeTimes(t, words)],
      ['numbers', (t) => normalizeNumbers(t, words, locale)],
      ['symbols', (t) => normalizeSymbols(t, true)],
    );
  } else if (words) {
    rules.push(['numbers', (t) => normalizeNumbers(t, words, locale)]);
  }
  for (const [name, rule] of rules) {
    try {
      output = rule(output);
    } catch (error) {
      options.onError?.(error, name);
    }
  }
  return collapseWhitespace(output).replace(spaceBeforePunctuation, '$1');
}
