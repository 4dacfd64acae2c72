import type { NumberWords } from './number-words.ts';
import { beginsSentence } from './sentence-starters.ts';

/**
 * Reads clock times. With a meridiem: "3:45 pm" and "3.45 p.m." → "three forty-five PM", "3pm" →
 * "three PM". Without one, a 12-hour-looking time is read as written ("3:45" → "three forty-five",
 * "10:00" → "ten o'clock"), and a 24-hour time (hour 13–23, or a leading zero) is read on the
 * 12-hour clock: "14:00" → "two PM", "07:30" → "seven thirty AM". AM and PM are written in capitals because
 * espeak-ng reads a lone "a" as the article ("a m" sounds like "uh em").
 */

/** Words for a time of day; `twentyFourHour` reads hours 0–12 as AM/PM too (ISO timestamps). */
export function clockWords(
  words: NumberWords,
  hour: number,
  minute: number,
  meridiem: 'AM' | 'PM' | undefined,
  twentyFourHour: boolean,
): string {
  let suffix = meridiem;
  if (suffix === undefined && (twentyFourHour || hour === 0 || hour > 12)) suffix = hour < 12 ? 'AM' : 'PM';
  const hour12 = suffix === undefined ? hour : hour % 12 || 12;
  const hourWords = words.cardinal(String(hour12));
  const minuteWords =
    minute === 0
      ? ''
      : minute < 10
        ? ` oh ${words.cardinal(String(minute))}`
        : ` ${words.cardinal(String(minute))}`;
  if (suffix === undefined) return minute === 0 ? `${hourWords} o'clock` : `${hourWords}${minuteWords}`;
  return `${hourWords}${minuteWords} ${suffix}`;
}

const meridiem = String.raw`([aApP])\.?\s?[mM](\.)?(?![\p{L}\p{N}])`;
const timePattern = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}:.,])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\p{N}]|[:.,]\d)(?:\s?${meridiem})?`,
    String.raw`(?<![\p{L}\p{N}:.,])(1[0-2]|0?[1-9])\.([0-5]\d)\s?${meridiem}`,
    String.raw`(?<![\p{L}\p{N}:.,])(1[0-2]|0?[1-9])\s?${meridiem}`,
  ].join('|'),
  'gu',
);

/** Replaces clock times with words. English only. */
export function normalizeTimes(text: string, words: NumberWords): string {
  if (!words.english) return text;
  return text.replace(timePattern, (...args: unknown[]) => {
    const [match, h1, m1, s1, mer1, dot1, h2, m2, mer2, dot2, h3, mer3, dot3] = args as (
      | string
      | undefined
    )[];
    const offset = args.at(-2) as number;
    const hourText = h1 ?? h2 ?? h3 ?? '0';
    const letter = (mer1 ?? mer2 ?? mer3)?.toUpperCase();
    const suffix = letter === undefined ? undefined : letter === 'A' ? 'AM' : 'PM';
    const twentyFour = hourText.length === 2 && hourText.startsWith('0') && suffix === undefined;
    let spoken = clockWords(words, Number(hourText), Number(m1 ?? m2 ?? 0), suffix, twentyFour);
    if (s1 !== undefined && Number(s1) > 0) {
      spoken += ` and ${words.cardinal(String(Number(s1)))} second${s1 === '01' ? '' : 's'}`;
    }
    const end = offset + (match ?? '').length;
    if ((dot1 ?? dot2 ?? dot3) !== undefined && beginsSentence((args.at(-1) as string).slice(end)))
      spoken += '.';
    return spoken;
  });
}
