import { Chrono, en, type ParsedComponents, type ParsedResult } from 'chrono-node';
import { clockWords } from './normalize-times.ts';
import type { NumberWords } from './number-words.ts';

/**
 * Reads calendar dates, found by chrono-node: "2024-01-05", "Jan. 5th, 2024", "5 January 2024",
 * "1/5/2024" (month first in en-US, day first in other English locales) all become "January fifth,
 * twenty twenty-four". A date without a year keeps to the month name ("March 3rd" → "March third");
 * numeric dates without a year ("3/4") and dotted ones ("2024.01.05", usually versions) are left
 * to the number rules. "the 5th of January" keeps the day first; ranges read "August seventeenth
 * to nineteenth, twenty thirteen".
 */

const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Times of day are left to normalizeTimes: chrono's time parser also reads the "7.30" of "scored
// 7.30 on Jan 5" as a time. Relative phrases ("in 5 days") stay as written. chrono's parsers are not exported, so they are picked by name;
// the tests pin the resulting set.
const droppedParsers = new Set([
  'ENTimeExpressionParser',
  'ENTimeUnitWithinFormatParser',
  'ENTimeUnitAgoFormatParser',
  'ENTimeUnitLaterFormatParser',
]);

function createDateParser(littleEndian: boolean): Chrono {
  const configuration = en.configuration.createConfiguration(true, littleEndian);
  configuration.parsers = configuration.parsers.filter(
    (parser) => !droppedParsers.has(parser.constructor.name),
  );
  return new Chrono(configuration);
}

const parsers = new Map<boolean, Chrono>();
function dateParser(littleEndian: boolean): Chrono {
  let parser = parsers.get(littleEndian);
  if (parser === undefined) {
    parser = createDateParser(littleEndian);
    parsers.set(littleEndian, parser);
  }
  return parser;
}

/** The parser names in use, for tests. */
export function dateParserNames(): string[] {
  return dateParser(false).parsers.map((parser) => parser.constructor.name);
}

/** Regions whose numeric dates put the month first. */
const monthFirstRegions = new Set(['US', 'PH', 'CA', 'FM', 'MH', 'PW']);
const reference = new Date(Date.UTC(2000, 0, 1, 12));
const monthOrWeekday =
  /\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)/iu;
const dotted = /\d\.\d/u;

function isSpeakable(result: ParsedResult, core: string): boolean {
  const start = result.start;
  if (!start.isCertain('month') || !start.isCertain('day')) return false;
  if (dotted.test(core)) return false;
  // Without a month name and a year, "3/4" is as likely a fraction or a score as a date.
  return start.isCertain('year') || /\p{L}/u.test(core);
}

interface DayStyle {
  withMonth: boolean;
  withYear: boolean;
  /** "the 5th of January": keep the day first. */
  dayFirst: boolean;
}

function dayWords(words: NumberWords, date: ParsedComponents, style: DayStyle): string {
  const month = months[date.get('month')! - 1] ?? '';
  const day = words.ordinal(String(date.get('day')));
  let spoken = !style.withMonth ? day : style.dayFirst ? `${day} of ${month}` : `${month} ${day}`;
  if (date.isCertain('weekday')) spoken = `${weekdays[date.get('weekday')!] ?? ''}, ${spoken}`;
  if (style.withYear && date.isCertain('year')) spoken += `, ${words.year(date.get('year')!)}`;
  if (date.isCertain('hour')) {
    const time = clockWords(words, date.get('hour')!, date.get('minute') ?? 0, undefined, true);
    spoken += ` at ${time}`;
  }
  return spoken;
}

function dateWords(words: NumberWords, result: ParsedResult, core: string): string {
  const dayFirst = /^\d+(?:st|nd|rd|th)?\s+of\b/iu.test(core);
  const start = result.start;
  const end = result.end; // null at run time when there is no range, whatever the type says
  if (!end?.isCertain('day')) return dayWords(words, start, { withMonth: true, withYear: true, dayFirst });
  const sameYear = !start.isCertain('year') || start.get('year') === end.get('year');
  const sameMonth = sameYear && start.get('month') === end.get('month');
  const from = dayWords(words, start, { withMonth: true, withYear: !sameYear, dayFirst });
  const to = dayWords(words, end, { withMonth: !sameMonth || dayFirst, withYear: true, dayFirst });
  return `${from} to ${to}`;
}

/** Replaces dates with words. English only; text without digits is returned as is. */
export function normalizeDates(text: string, words: NumberWords, locale: string): string {
  if (!words.english || !/\d/u.test(text)) return text;
  const region = new Intl.Locale(locale).maximize().region ?? 'US';
  const results = dateParser(!monthFirstRegions.has(region)).parse(text, reference);
  let output = '';
  let last = 0;
  for (const result of results) {
    const coreStart = monthOrWeekday.exec(result.text)?.index ?? 0;
    const start = result.index + coreStart;
    const core = result.text.slice(coreStart);
    if (start < last || !isSpeakable(result, core)) continue;
    output += text.slice(last, start) + dateWords(words, result, core);
    last = result.index + result.text.length;
  }
  return output + text.slice(last);
}
