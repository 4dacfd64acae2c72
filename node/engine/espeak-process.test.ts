import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createEspeakPhonemizer } from '../phonemize/espeak-phonemizer.ts';
import { createPersistentEspeak } from './espeak-process.ts';
import { chunkText, createSentenceJoiner } from './text-chunks.ts';

const persistent = createPersistentEspeak({ processes: 2 });
const spawned = createEspeakPhonemizer();
after(() => persistent.close());

const texts = [
  'Hello, world. Good day!',
  'Dr. Who met Mr. Smith at 3.5 past noon; e.g. rather late…',
  'It costs $3.50, or so: cheap?! Yes.',
  '[[h@l]] ok',
  `${'A very long clause without any punctuation that goes on and on '.repeat(30)}end.`,
  'Tab\tand\nnewline inside.',
];

test('a long-lived espeak-ng gives exactly the phonemes of one process per text', async () => {
  for (const text of texts) {
    assert.deepEqual(await persistent.phonemize(text, 'en-us'), await spawned.phonemize(text, 'en-us'), text);
  }
});

test('concurrent texts on a pool of processes each get their own answer', async () => {
  const expected = await Promise.all(texts.map((t) => spawned.phonemize(t, 'en-us')));
  const got = await Promise.all([...texts, ...texts].map((t) => persistent.phonemize(t, 'en-us')));
  assert.deepEqual(got, [...expected, ...expected]);
});

test('chunking clauses and joining the sentences back equals phonemizing the whole text', async () => {
  for (const text of texts) {
    const whole = await spawned.phonemize(text, 'en-us');
    for (const size of [16, 40, 160]) {
      const joiner = createSentenceJoiner();
      const sentences: string[][] = [];
      const chunks = chunkText(text, size);
      for (const chunk of chunks) {
        sentences.push(...joiner.add(await persistent.phonemize(chunk.text, 'en-us'), chunk.endsSentence));
      }
      sentences.push(...joiner.flush());
      assert.deepEqual(sentences, whole, `${size}: ${text}`);
      assert.ok(chunks.every((c, i) => i === 0 || c.offset === chunks[i - 1]!.offset + chunks[i - 1]!.chars));
    }
  }
});

test('a missing binary is a clear error, not a hang', async () => {
  const broken = createPersistentEspeak({ bin: '/nonexistent/espeak-ng', timeoutMs: 2000 });
  try {
    await assert.rejects(broken.phonemize('hi', 'en-us'), /espeak-ng could not start/);
  } finally {
    await broken.close();
  }
});
