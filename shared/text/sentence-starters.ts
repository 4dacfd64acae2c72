/**
 * Capitalised words that usually open a sentence. After an abbreviation that may also end a
 * sentence ("etc.", "p.m.", "U.S.", an initial), a following word from this list means the period
 * ended the sentence; any other capitalised word ("the U.S. Army", "J. R. R. Tolkien") means it did not.
 */
const sentenceStarters = new Set(
  (
    'A About After Again All Also Although An And Another Any Anyway As At Because Before Both But By ' +
    'Do Does During Each Either Even Every Everyone Few First For From Finally Furthermore Had Has Have ' +
    'He Her Here Hers His How However I If In Instead It Its Just Last Later Let Many Maybe Meanwhile ' +
    'More Moreover Most Much My Neither Never Next No Nobody None Nor Not Nothing Now Of Often On Once ' +
    'One Only Or Other Our Overall Perhaps Please She Since So Some Someone Sometimes Soon Still Such ' +
    'Thanks Thank That The Their Then There Therefore These They This Those Though Thus To Today ' +
    'Tomorrow Unfortunately Until Was We Were What When Whenever Where Whether Which While Who Why Will ' +
    'With Without Yes Yesterday Yet You Your'
  ).split(' '),
);

const nextWord = /^\s*["'“‘([]?(\p{Lu}\p{L}*)/u;

/**
 * Whether `rest` (the text after a period) starts a new sentence: it is empty, or its first word is
 * a capitalised sentence starter.
 */
export function beginsSentence(rest: string): boolean {
  if (rest.trim() === '') return true;
  const word = nextWord.exec(rest)?.[1];
  return word !== undefined && sentenceStarters.has(word);
}
