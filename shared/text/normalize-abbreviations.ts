import { beginsSentence } from './sentence-starters.ts';

/**
 * Expands abbreviations that espeak-ng misreads or treats as the end of a clause. espeak-ng ends a
 * clause at "Dr." in "Dr. Smith" (a falling tone and a pause), so a title before a name is written
 * out. Where the abbreviation may also end a sentence ("etc.", "Jr.", "Baker St."), its period is
 * kept when what follows begins a sentence, so the sentence splitter still sees the boundary.
 */

const titles: Record<string, string> = {
  Dr: 'Doctor',
  Mr: 'Mister',
  Mrs: 'Missus',
  Ms: 'Miz',
  Prof: 'Professor',
  Gen: 'General',
  Capt: 'Captain',
  Lt: 'Lieutenant',
  Col: 'Colonel',
  Sgt: 'Sergeant',
  Rev: 'Reverend',
  Hon: 'Honorable',
  Sen: 'Senator',
  Rep: 'Representative',
  Gov: 'Governor',
  Pres: 'President',
  St: 'Saint',
  Mt: 'Mount',
  Ft: 'Fort',
};

const anywhere: Record<string, string> = {
  'e.g.': 'for example',
  'i.e.': 'that is',
  'etc.': 'et cetera',
  'vs.': 'versus',
  'approx.': 'approximately',
  'Jr.': 'Junior',
  'Sr.': 'Senior',
};

// "Baker St." is a street when a capitalised word comes before it and no name after it.
const street = /(?<=\p{Lu}\p{Ll}+ )St\./gu;
const capitalisedNext = /^\s+\p{Lu}\p{Ll}/u;
const title = new RegExp(`(?<![\\p{L}.])(${Object.keys(titles).join('|')})\\.(?=\\s+\\p{Lu})`, 'gu');
const general = /(?<![\p{L}.])(?:e\.g\.|i\.e\.|etc\.|vs\.|approx\.|Jr\.|Sr\.)/giu;
const numberSign = /(?<![\p{L}\p{N}])(?:No|Fig|#)\.? ?(?=\d)/gu;
const sharp = /(?<=\b[A-G])#(?![\p{L}\p{N}])/gu;

function withPeriod(expansion: string, text: string, end: number): string {
  return beginsSentence(text.slice(end)) ? `${expansion}.` : expansion;
}

/** Expands titles, "e.g."-style abbreviations, "No. 5", "#5" and "C#". */
export function normalizeAbbreviations(text: string): string {
  return text
    .replace(street, (match: string, offset: number, whole: string) => {
      const end = offset + match.length;
      const rest = whole.slice(end);
      if (capitalisedNext.test(rest) && !beginsSentence(rest)) return match; // "Baker St. John": a name
      return withPeriod('Street', whole, end);
    })
    .replace(title, (_match, name: string) => titles[name] ?? name)
    .replace(general, (match: string, offset: number, whole: string) => {
      const key = Object.keys(anywhere).find((k) => k.toLowerCase() === match.toLowerCase()) ?? match;
      return withPeriod(anywhere[key] ?? match, whole, offset + match.length);
    })
    .replace(numberSign, (match) => (match.startsWith('Fig') ? 'figure ' : 'number '))
    .replace(sharp, ' sharp');
}
