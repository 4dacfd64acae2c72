import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEspeakPhonemizer } from './espeak-phonemizer.ts';
import { clausesToSentences, splitClauses } from './phonemizer.ts';

test('clauses end at punctuation before white space, keeping their terminator', () => {
  assert.deepEqual(splitClauses('Hello, world; it costs 3.5 dollars. Really?! yes'), [
    { text: 'Hello', terminator: ',' },
    { text: 'world', terminator: ';' },
    { text: 'it costs 3.5 dollars', terminator: '.' },
    { text: 'Really', terminator: '!' },
    { text: 'yes', terminator: '' },
  ]);
});

test('sentences split at . ! ? and keep clause punctuation and word spaces as phonemes', () => {
  const sentences = clausesToSentences([
    { phonemes: 'ab', terminator: ',' },
    { phonemes: 'c d', terminator: '.' },
    { phonemes: 'e', terminator: '' },
  ]);
  assert.deepEqual(sentences, [['a', 'b', ',', ' ', 'c', ' ', 'd', '.'], ['e']]);
});

test('espeak-ng phonemizes to IPA codepoints with punctuation put back', async () => {
  const sentences = await createEspeakPhonemizer().phonemize('Hello, world. Good day!', 'en-us');
  assert.equal(sentences.length, 2);
  assert.equal(sentences[0]!.join(''), 'həlˈoʊ, wˈɜːld.');
  assert.equal(sentences[1]!.at(-1), '!');
  assert.ok(
    sentences[1]!.every((p) => [...p].length === 1),
    'every phoneme is one codepoint',
  );
});

test('a missing espeak-ng binary is a clear error, not a hang', async () => {
  const phonemizer = createEspeakPhonemizer({ bin: '/nonexistent/espeak-ng' });
  await assert.rejects(phonemizer.phonemize('hi', 'en-us'), /espeak-ng could not start/);
});

test('text that would switch espeak-ng to phoneme input is read as text', async () => {
  const [sentence] = await createEspeakPhonemizer().phonemize('[[h@l]] ok', 'en-us');
  assert.ok(sentence && sentence.length > 3);
});
