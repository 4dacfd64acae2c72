import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitSentences } from './segment.ts';
import { collapseWhitespace } from './whitespace.ts';

const cases: [name: string, input: string, expected: string[]][] = [
  ['plain sentences', 'One. Two! Three? Four', ['One.', 'Two!', 'Three?', 'Four']],
  [
    'titles',
    'Dr. Smith met Mr. Jones. Mrs. Brown and Prof. Green came.',
    ['Dr. Smith met Mr. Jones.', 'Mrs. Brown and Prof. Green came.'],
  ],
  ['month abbreviations', 'Paid on Jan. 5th, 2024. Then left.', ['Paid on Jan. 5th, 2024.', 'Then left.']],
  [
    'Latin abbreviations',
    'Fruit, e.g. Apples, and more, i.e. Pears. Done.',
    ['Fruit, e.g. Apples, and more, i.e. Pears.', 'Done.'],
  ],
  [
    'vs. and No.',
    'Red vs. Blue at No. 5 Main St. Today it rained.',
    ['Red vs. Blue at No. 5 Main St.', 'Today it rained.'],
  ],
  [
    'initials',
    'J. R. R. Tolkien wrote it. He was English.',
    ['J. R. R. Tolkien wrote it.', 'He was English.'],
  ],
  ['U.S. before a noun', 'The U.S. Army came. It left.', ['The U.S. Army came.', 'It left.']],
  ['U.S. ending a sentence', 'I live in the U.S. It is big.', ['I live in the U.S.', 'It is big.']],
  ['a.m. ending a sentence', 'We met at 5 a.m. Then we ate.', ['We met at 5 a.m.', 'Then we ate.']],
  ['p.m. before a name', 'At 5 p.m. Dr. Jones left.', ['At 5 p.m. Dr. Jones left.']],
  [
    'etc.',
    'Apples, pears, etc. and more. Fine, etc. Then we left.',
    ['Apples, pears, etc. and more.', 'Fine, etc.', 'Then we left.'],
  ],
  [
    '"no." ending a sentence',
    'The answer is no. We left. See No. 5 there.',
    ['The answer is no.', 'We left.', 'See No. 5 there.'],
  ],
  [
    'a lone capital is a sentence end before a starter',
    'I chose plan B. Then it ended.',
    ['I chose plan B.', 'Then it ended.'],
  ],
  ['decimals', 'Pi is 3.14 today. It was 2.5 yesterday.', ['Pi is 3.14 today.', 'It was 2.5 yesterday.']],
  ['quotes', 'He said "Stop." Then he left.', ['He said "Stop."', 'Then he left.']],
  ['curly quotes', 'She asked, “Why?” Nobody knew.', ['She asked, “Why?”', 'Nobody knew.']],
  ['brackets', '(It works.) Next one. [Really!] Yes.', ['(It works.)', 'Next one.', '[Really!]', 'Yes.']],
  ['ellipsis before lower case', 'Wait... what happened?', ['Wait... what happened?']],
  ['three dots before upper case', 'Wait... What happened?', ['Wait...', 'What happened?']],
  // UAX #29 does not count U+2026 as a sentence terminator; a longer segment is harmless.
  ['U+2026 before upper case', 'Wait… What happened?', ['Wait… What happened?']],
  ['no space after the mark', 'Really?Yes. Ok.', ['Really?Yes.', 'Ok.']],
  [
    'normalised text',
    'Doctor Smith paid three dollars and fifty cents. He left.',
    ['Doctor Smith paid three dollars and fifty cents.', 'He left.'],
  ],
  ['whitespace', '  One.\n\n\tTwo.  ', ['One.', 'Two.']],
  ['empty', '', []],
  ['only whitespace', ' \n\t ', []],
  ['only punctuation', '...', ['...']],
];

describe('splitSentences', () => {
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(splitSentences(input), expected));
  }

  test('splits Japanese at 。！？', () => {
    assert.deepEqual(splitSentences('今日は晴れです。明日は雨でしょう！本当？はい。', { locale: 'ja' }), [
      '今日は晴れです。',
      '明日は雨でしょう！',
      '本当？',
      'はい。',
    ]);
  });

  test('splits Chinese at 。！？', () => {
    assert.deepEqual(splitSentences('你好。我是学生！真的吗？是的', { locale: 'zh' }), [
      '你好。',
      '我是学生！',
      '真的吗？',
      '是的',
    ]);
  });

  test('falls back to the root locale for a malformed tag', () => {
    assert.deepEqual(splitSentences('One. Two.', { locale: 'not a locale!' }), ['One.', 'Two.']);
  });

  test('refuses a maxChars that is not a positive integer', () => {
    assert.throws(() => splitSentences('a', { maxChars: 0 }), RangeError);
    assert.throws(() => splitSentences('a', { maxChars: 1.5 }), RangeError);
  });
});

describe('splitSentences, long sentences', () => {
  const long =
    'This is a very long sentence, with many clauses; it goes on and on — and on, until it must be split ' +
    'somewhere sensible, because one call must stay bounded: here is more text to push it past the limit, ' +
    'and still more words here.';

  test('splits at clause punctuation, strongest first', () => {
    assert.deepEqual(splitSentences(long, { maxChars: 60 }), [
      'This is a very long sentence, with many clauses;',
      'it goes on and on — and on,',
      'until it must be split somewhere sensible,',
      'because one call must stay bounded:',
      'here is more text to push it past the limit,',
      'and still more words here.',
    ]);
  });

  test('splits at a space when there is no clause punctuation', () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu';
    const pieces = splitSentences(words, { maxChars: 20 });
    assert.deepEqual(pieces, ['alpha beta gamma', 'delta epsilon zeta', 'eta theta iota kappa', 'lambda mu']);
  });

  test('cuts a token longer than maxChars without splitting a surrogate pair or an emoji sequence', () => {
    assert.deepEqual(splitSentences('x'.repeat(25), { maxChars: 10 }), [
      'x'.repeat(10),
      'x'.repeat(10),
      'x'.repeat(5),
    ]);
    assert.deepEqual(splitSentences('😀'.repeat(5), { maxChars: 5 }), ['😀😀', '😀😀', '😀']);
    const family = '👨‍👩‍👧';
    assert.deepEqual(splitSentences(family.repeat(3), { maxChars: 10 }), [family, family, family]);
  });

  test('splits long Japanese at 、 and then at word boundaries', () => {
    const text =
      '今日は晴れですが、明日は雨でしょう、そして明後日は雪が降るかもしれませんので気をつけてください';
    const pieces = splitSentences(text, { locale: 'ja', maxChars: 15 });
    assert.deepEqual(pieces.slice(0, 2), ['今日は晴れですが、', '明日は雨でしょう、']);
    assert.ok(pieces.every((piece) => piece.length <= 15));
    assert.equal(pieces.join(''), text);
  });

  test('bounds every segment of a 10,000-character paragraph', () => {
    const sentences = [
      'The quick brown fox jumps over the lazy dog.',
      'Dr. Smith, who lives on Baker St. near the U.S. embassy, said that it was fine, more or less, and that the meeting at 5 p.m. would go ahead; nobody objected, although several people — including J. R. R. Tolkien, e.g. — had doubts about it.',
      'Why?',
      'Because.',
    ];
    let paragraph = '';
    for (let i = 0; paragraph.length < 10_000; i++) paragraph += `${sentences[i % sentences.length]} `;
    const started = performance.now();
    const pieces = splitSentences(paragraph, { maxChars: 120 });
    const elapsed = performance.now() - started;
    assert.ok(pieces.length > 100);
    assert.ok(pieces.every((piece) => piece.length > 0 && piece.length <= 120));
    assert.equal(pieces.join(' '), collapseWhitespace(paragraph));
    assert.ok(elapsed < 500, `took ${elapsed} ms`);
  });
});

describe('splitSentences, concatenation property', () => {
  test('segments joined by single spaces give back the whitespace-normalised input', () => {
    const inputs = [
      ...cases.map(([, input]) => input),
      'Dr.  Smith\n\npaid. \t It was fine.',
      'One, two; three: four — five – six, '.repeat(40),
      'word '.repeat(500),
    ];
    for (const input of inputs) {
      // The property holds whenever no run without spaces is longer than maxChars.
      for (const maxChars of [20, 40, 300]) {
        assert.equal(
          splitSentences(input, { maxChars }).join(' '),
          collapseWhitespace(input),
          `${input} @ ${maxChars}`,
        );
      }
    }
  });
});
