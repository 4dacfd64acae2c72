import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlanError, planJob } from './job-plan.ts';

const input = (chapters: { title?: string; text: string }[]) => ({
  chapters,
  voice: 'speechgate-en',
  format: 'wav' as const,
  speed: 1,
});
const options = { maxSegmentCharacters: 300, maxChapterCharacters: 10_000, splitLongChapters: false };

test('a document becomes chapters of normalised sentences, titles first, paragraphs numbered', () => {
  const plan = planJob(
    input([
      { title: 'One', text: 'First sentence. Dr. Smith paid $3.\n\nNew paragraph?' },
      { text: '  Only   this.  ' },
    ]),
    options,
  );
  assert.deepEqual(plan.segments, [
    'One',
    'First sentence.',
    'Doctor Smith paid three dollars.',
    'New paragraph?',
    'Only this.',
  ]);
  assert.deepEqual(plan.paragraphs, [0, 1, 1, 2, 3]);
  assert.deepEqual(plan.chapters, [
    { title: 'One', first: 0, count: 4 },
    { title: null, first: 4, count: 1 },
  ]);
  assert.equal(plan.characters, plan.segments.join('').length);
});

test('an over-long chapter is refused, unless it is plain text, which is split into parts', () => {
  const text = Array.from({ length: 30 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');
  const tight = { ...options, maxChapterCharacters: 200 };
  assert.throws(
    () => planJob(input([{ text: 'Short.' }, { text }]), tight),
    (err: unknown) => err instanceof PlanError && err.kind === 'too_large' && err.param === 'chapters.1.text',
  );
  const plan = planJob(input([{ text }]), { ...tight, splitLongChapters: true });
  assert.ok(plan.chapters.length > 1);
  let next = 0;
  for (const chapter of plan.chapters) {
    assert.equal(chapter.first, next, 'parts are contiguous');
    next += chapter.count;
    const size = plan.segments.slice(chapter.first, chapter.first + chapter.count).join('').length;
    assert.ok(size <= 200, `part of ${size} characters`);
  }
  assert.equal(next, plan.segments.length);
});

test('a chapter with nothing to speak is refused', () => {
  assert.throws(
    () => planJob(input([{ text: 'Fine.' }, { text: '\n\n  \n' }]), options),
    (err: unknown) => err instanceof PlanError && err.kind === 'empty' && err.param === 'chapters.1.text',
  );
});
