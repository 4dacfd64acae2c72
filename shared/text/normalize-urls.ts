/**
 * Reads web addresses and e-mail addresses aloud: "https://www.example.com/docs" becomes
 * "w w w dot example dot com slash docs", "jane.doe@example.com" becomes "jane dot doe at example
 * dot com". The scheme, query string and fragment are dropped: they are noise when spoken.
 */

// Only top-level domains that are not also common words after a missing space ("okay.so").
const topLevelDomains = 'com|org|net|edu|gov|mil|int|io|dev|ai|app|co|uk|eu|info|biz|tv|xyz|tech|cloud|gg';
const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const email = `[a-z0-9](?:[a-z0-9._%+-]{0,63})@${label}(?:\\.${label})*\\.[a-z]{2,24}(?![a-z0-9-])`;
const url = `(?:https?:\\/\\/|www\\.)[^\\s<>"'()\\[\\]{}]+`;
const bareDomain = `${label}(?:\\.${label})*\\.(?:${topLevelDomains})(?![a-z0-9-])(?:[/:][^\\s<>"'()\\[\\]{}]*)?`;
const addressPattern = new RegExp(`(?<![\\w@.-])(?:(${email})|(${url}|${bareDomain}))`, 'giu');
const trailingPunctuation = /[.,;:!?'"’”]+$/u;

const spokenSymbols: Record<string, string> = {
  '.': 'dot',
  '/': 'slash',
  '-': 'dash',
  _: 'underscore',
  '+': 'plus',
  '~': 'tilde',
  ':': 'colon',
  '@': 'at',
  '%': 'percent',
  '=': 'equals',
  '&': 'and',
};

function spell(part: string): string {
  return part
    .replace(/[./\-_+~:@%=&]/gu, (symbol) => ` ${spokenSymbols[symbol]} `)
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .replace(/\bwww\b/giu, 'w w w')
    .trim()
    .replace(/ {2,}/gu, ' ');
}

function spellUrl(address: string): string {
  const withoutScheme = address.replace(/^https?:\/\//iu, '');
  const withoutQuery = withoutScheme.replace(/[?#].*$/u, '').replace(/\/+$/u, '');
  return spell(withoutQuery);
}

/** Replaces URLs and e-mail addresses with their spoken form; punctuation after them stays. */
export function normalizeAddresses(text: string): string {
  return text.replace(addressPattern, (match: string, mail: string | undefined) => {
    const tail = trailingPunctuation.exec(match)?.[0] ?? '';
    const address = tail ? match.slice(0, -tail.length) : match;
    const spoken = mail !== undefined ? spell(address) : spellUrl(address);
    return spoken === '' ? match : `${spoken}${tail}`;
  });
}
