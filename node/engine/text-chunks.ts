import { splitClauses } from '../phonemize/phonemizer.ts';

/** Part of a text phonemized as one job: whole clauses, at most `maxChars` unless one clause is longer. */
export interface TextChunk {
  /** The clauses with their terminators, as the phonemizer reads them. */
  text: string;
  /** Characters of the text before this chunk, and in it: the chunk's place in the fair order. */
  offset: number;
  chars: number;
  /** Whether the chunk's last clause ends a sentence (else its last sentence goes on in the next chunk). */
  endsSentence: boolean;
}

const sentenceEnd = /[.!?]/u;

/** Control characters would end espeak-ng's lines early; `[[` would switch it to phoneme input. */
export function sanitizeForEspeak(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replaceAll('[[', '[ [')
    .trim();
}

/**
 * Splits a text into chunks of whole clauses for the phonemizer. espeak-ng reads one clause
 * per line and each line on its own, so phonemizing chunk by chunk gives the same phonemes as
 * the whole text at once, while a long text no longer holds the phonemizer for its whole length:
 * another tenant's short request waits for one chunk at most.
 */
export function chunkText(text: string, maxChars: number): TextChunk[] {
  const clauses = splitClauses(sanitizeForEspeak(text));
  const chunks: TextChunk[] = [];
  let parts: string[] = [];
  let chars = 0;
  let offset = 0;
  clauses.forEach((clause, i) => {
    const part = clause.text + clause.terminator;
    if (parts.length > 0 && chars + part.length + 1 > maxChars) {
      chunks.push({
        text: parts.join(' '),
        offset,
        chars,
        endsSentence: endsSentence(clauses[i - 1]!.terminator),
      });
      offset += chars;
      parts = [];
      chars = 0;
    }
    parts.push(part);
    chars += part.length + (parts.length > 1 ? 1 : 0);
  });
  if (parts.length > 0) chunks.push({ text: parts.join(' '), offset, chars, endsSentence: true });
  return chunks;
}

function endsSentence(terminator: string): boolean {
  return !terminator || sentenceEnd.test(terminator);
}

/**
 * Joins phonemized chunks back into sentences: a chunk that stopped mid-sentence carries its
 * last sentence into the next chunk's first, with the word space the phonemizer puts between
 * clauses of one sentence.
 */
export function createSentenceJoiner() {
  let carry: string[] | undefined;
  return {
    /** Adds a chunk's sentences; returns the sentences now complete. */
    add(sentences: string[][], chunkEndsSentence: boolean): string[][] {
      const all = sentences.map((s) => [...s]);
      if (carry && all.length > 0) all[0] = [...carry, ' ', ...all[0]!];
      else if (carry) all.push(carry);
      carry = undefined;
      if (!chunkEndsSentence && all.length > 0) carry = all.pop();
      return all;
    },
    /** Whatever is left when the text ends. */
    flush(): string[][] {
      const rest = carry ? [carry] : [];
      carry = undefined;
      return rest;
    },
  };
}
