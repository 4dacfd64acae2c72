import { LOCALES, ToWords } from 'to-words';

/** Number verbalisation for one locale, built on to-words. All inputs are plain digit strings. */
export interface NumberWords {
  /** The to-words locale in use, e.g. `en-US`. */
  readonly localeCode: string;
  readonly english: boolean;
  /** Whether the language puts spaces between words (not ja, zh, th…). */
  readonly spaced: boolean;
  readonly toWords: ToWords;
  /** "1234" → "one thousand two hundred thirty-four"; long or zero-padded runs are read digit by digit. */
  cardinal(digits: string): string;
  /** ("3", "14") → "three point one four"; an empty integer part reads "point five". */
  decimal(integer: string, fraction: string): string;
  /** "22" → "twenty-second". */
  ordinal(digits: string): string;
  /** "007" → "zero zero seven". */
  digits(digits: string): string;
  /** 1999 → "nineteen ninety-nine", 2005 → "two thousand five", 1900 → "nineteen hundred". */
  year(value: number): string;
  /** The locale's word for a minus sign ("minus", "moins"). */
  readonly minus: string;
  /** Tidies raw to-words output: lower case and, in English, "twenty-four" hyphenation. */
  tidy(words: string): string;
}

/** Beyond this many digits a run is an identifier or a phone number, not a quantity. */
const maxCardinalDigits = 15;

const englishDigits = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const tensThenUnit =
  /\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety) (one|two|three|four|five|six|seven|eight|nine|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\b/g;
/** Languages written without spaces between words, where to-words' spaced output reads oddly. */
const unspacedLanguages = new Set(['ja', 'zh', 'yue', 'th', 'km', 'my']);

const localeCodes = Object.keys(LOCALES);
const cache = new Map<string, NumberWords | null>();

/**
 * Picks the to-words locale for a BCP 47 tag: language and likely region (`en` → `en-US`,
 * `de` → `de-DE`, `zh-Hant` → `zh-TW`), else the language's usual region (`en-DE` → `en-US`),
 * else the first locale of that language. Undefined when to-words has no such language.
 */
export function resolveToWordsLocale(locale: string): string | undefined {
  let tag: Intl.Locale;
  try {
    tag = new Intl.Locale(locale).maximize();
  } catch {
    return undefined; // not a well-formed tag: no locale to read numbers in
  }
  const usual = new Intl.Locale(tag.language).maximize().region;
  for (const candidate of [`${tag.language}-${tag.region}`, `${tag.language}-${usual}`]) {
    if (localeCodes.includes(candidate)) return candidate;
  }
  return localeCodes.find((code) => code.split('-')[0] === tag.language);
}

/** The number verbaliser for a locale (cached), or undefined when to-words does not know it. */
export function numberWordsFor(locale: string): NumberWords | undefined {
  const cached = cache.get(locale);
  if (cached !== undefined) return cached ?? undefined;
  const code = resolveToWordsLocale(locale);
  const words = code === undefined ? null : createNumberWords(code);
  if (cache.size >= 64) cache.clear(); // locales may come from requests: keep the cache bounded
  cache.set(locale, words);
  return words ?? undefined;
}

function createNumberWords(localeCode: string): NumberWords {
  const toWords = new ToWords({ localeCode });
  const language = localeCode.split('-')[0] ?? '';
  const english = language === 'en';
  const unspaced = unspacedLanguages.has(language);
  const texts = toWords.getLocale().config.texts;
  const digitWords = english ? englishDigits : englishDigits.map((_, d) => tidy(toWords.convert(d)));

  function tidy(words: string): string {
    const lower = words.toLowerCase();
    if (english) return lower.replace(tensThenUnit, '$1-$2');
    return unspaced ? lower.replaceAll(' ', '') : lower;
  }

  function digits(run: string): string {
    return Array.from(run, (d) => digitWords[d.charCodeAt(0) - 48] ?? d).join(' ');
  }

  function cardinal(run: string): string {
    if (run.length > maxCardinalDigits || (run.length > 1 && run.startsWith('0'))) return digits(run);
    return tidy(toWords.convert(run));
  }

  function decimal(integer: string, fraction: string): string {
    const whole = integer === '' ? '' : `${cardinal(integer)} `;
    return `${whole}${tidy(texts.point)} ${digits(fraction)}`;
  }

  function ordinal(run: string): string {
    if (run.length > maxCardinalDigits) return digits(run);
    return tidy(toWords.toOrdinal(BigInt(run)));
  }

  function year(value: number): string {
    if (!english || value < 1000 || value > 9999 || value % 1000 === 0 || (value > 2000 && value < 2010)) {
      return cardinal(String(value));
    }
    const century = cardinal(String(Math.floor(value / 100)));
    const rest = value % 100;
    if (rest === 0) return `${century} hundred`;
    return rest < 10 ? `${century} oh ${cardinal(String(rest))}` : `${century} ${cardinal(String(rest))}`;
  }

  return {
    localeCode,
    english,
    spaced: !unspaced,
    toWords,
    minus: tidy(texts.minus),
    cardinal,
    decimal,
    ordinal,
    digits,
    year,
    tidy,
  };
}
