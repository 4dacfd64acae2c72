/**
 * Text → phonemes for one voice. A sentence is a list of single-codepoint phonemes, with
 * clause punctuation and word spaces kept as Piper's voices expect.
 */
export interface Phonemizer {
  phonemize(text: string, voice: string): Promise<string[][]>;
}

export interface Clause {
  text: string;
  /** The punctuation that ended the clause (`.`, `,`, `?` …), or '' at the end of the text. */
  terminator: string;
}

// Punctuation ends a clause only before white space or the end, so "3.5" and "e.g" stay whole.
const clausePattern = /.+?(?:[.,;:!?…]+(?=\s|$)|$)/gsu;
const sentenceEnd = /[.!?…]/u;

/** Splits text at clause punctuation the way espeak-ng's clause reader does. */
export function splitClauses(text: string): Clause[] {
  const clauses: Clause[] = [];
  for (const match of text.matchAll(clausePattern)) {
    const raw = match[0];
    const terminator = /[.,;:!?…]+$/u.exec(raw)?.[0] ?? '';
    const body = raw.slice(0, raw.length - terminator.length).trim();
    if (!body) {
      const last = clauses.at(-1);
      if (last && terminator) last.terminator += terminator;
      continue;
    }
    clauses.push({ text: body, terminator: terminator.slice(-1) === '…' ? '.' : terminator.slice(-1) });
  }
  return clauses;
}

/** Groups phonemized clauses into sentences: a sentence ends at `.`, `!`, `?` or the text's end. */
export function clausesToSentences(clauses: readonly { phonemes: string; terminator: string }[]): string[][] {
  const sentences: string[][] = [];
  let current: string[] = [];
  for (const clause of clauses) {
    if (current.length > 0) current.push(' ');
    current.push(...Array.from(clause.phonemes.normalize('NFD')));
    if (clause.terminator) current.push(clause.terminator);
    if (!clause.terminator || sentenceEnd.test(clause.terminator)) {
      sentences.push(current);
      current = [];
    }
  }
  if (current.length > 0) sentences.push(current);
  return sentences.filter((s) => s.length > 0);
}
