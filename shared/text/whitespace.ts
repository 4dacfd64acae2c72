/** Collapses every run of whitespace (Unicode `\s`, so NBSP and U+3000 too) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;
const controlCharacter = /[\p{Cc}\u2028\u2029]/gu;

/**
 * Makes any string safe to hand on: lone surrogates (which cannot be encoded as UTF-8 for the
 * phonemizer's stdin) become U+FFFD, and control characters become spaces.
 */
export function sanitizeText(text: string): string {
  return text.replace(loneSurrogate, '\uFFFD').replace(controlCharacter, ' ');
}
