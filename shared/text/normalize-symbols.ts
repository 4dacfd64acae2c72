/**
 * Reads the symbols left in prose: "&" → "and", "+" → "plus", "=" → "equals", "%" → "percent",
 * "@" → "at", "#" → "hashtag" or "number", "°C" → "degrees Celsius", comparison and arithmetic
 * signs; markup characters (* _ ^ | \ ` ~ without a number) become spaces. English only.
 */

const spoken: Record<string, string> = {
  '&': 'and',
  '+': 'plus',
  '=': 'equals',
  '%': 'percent',
  '‰': 'per mille',
  '@': 'at',
  '×': 'times',
  '÷': 'divided by',
  '±': 'plus or minus',
  '≈': 'approximately',
  '≠': 'is not equal to',
  '≤': 'less than or equal to',
  '≥': 'greater than or equal to',
  '<': 'less than',
  '>': 'greater than',
  '−': 'minus',
  '§': 'section',
  '©': 'copyright',
  '/': 'slash',
};

const symbolPattern =
  /°\s?([CF])(?![\p{L}])|°|#(?=\p{L})|#|~(?=\s?\p{L})|(?<=\p{L})\/(?=\p{L})|[&+=%‰@×÷±≈≠≤≥<>−§©/]|[*_^|\\`~®™]+/gu;

function padded(words: string): string {
  return ` ${words} `;
}

/** Replaces symbols with words, padded with spaces that the whitespace pass collapses. */
export function normalizeSymbols(text: string, english: boolean): string {
  if (!english) return text;
  return text.replace(
    symbolPattern,
    (match: string, scale: string | undefined, offset: number, whole: string) => {
      if (scale !== undefined) return padded(`degrees ${scale === 'C' ? 'Celsius' : 'Fahrenheit'}`);
      if (match === '°') return padded('degrees');
      if (match === '#') return /\p{L}/u.test(whole[offset + 1] ?? '') ? padded('hashtag') : padded('number');
      if (match === '~') return padded('about');
      if (
        match === '/' &&
        /\p{L}/u.test(whole[offset - 1] ?? '') &&
        whole.slice(offset - 3, offset) === 'and'
      ) {
        return ' '; // "and/or"
      }
      if (match === '%') return ' percent ';
      return padded(spoken[match] ?? '');
    },
  );
}
