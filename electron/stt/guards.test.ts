import { describe, expect, it } from 'vitest';
import { applyGuards, cutRepetitionLoop, dropAnnotations, dropNonSpeech, dropStockPhrases, isStockPhrase, uncertainRanges } from './guards';
import type { TimedWord } from './words';

function seg(text: string, segment: number, from: number, step = 0.4, p = 0.9): TimedWord[] {
  const parts = text.split(' ');
  return parts.map((t, i) => ({ text: t, start: from + i * step, end: from + (i + 1) * step, p, lang: 'en', segment, segmentEnd: i === parts.length - 1 }));
}
const texts = (ws: readonly TimedWord[]): string => ws.map((w) => w.text).join(' ');

describe('repetition loop guard', () => {
  it('cuts a bigram repeated three times, keeping the first occurrence', () => {
    const r = cutRepetitionLoop(seg('so we go to the park to the park to the park to the', 0, 0));
    expect(texts(r.words)).toBe('so we go to the park');
    expect(r.cutAt).toBe(6);
  });
  it('cuts a single word repeated three times', () => {
    expect(texts(cutRepetitionLoop(seg('I said no no no no more', 0, 0)).words)).toBe('I said no');
  });
  it('leaves a phrase repeated twice', () => {
    const r = cutRepetitionLoop(seg('very very good thank you thank you', 0, 0));
    expect(r.cutAt).toBe(-1);
    expect(r.words).toHaveLength(7);
  });
  it('compares normalised words (case, punctuation)', () => {
    expect(texts(cutRepetitionLoop(seg('Спасибо. спасибо, СПАСИБО! спасибо', 0, 0)).words)).toBe('Спасибо.');
  });
});

describe('stock phrase guard', () => {
  it.each([
    'Thank you for watching!',
    'Thanks for watching.',
    'Subtitles by the Amara.org community',
    'Продолжение следует...',
    'Субтитры сделал DimaTorzok',
    'ترجمة نانسي قنقر',
    'اشتركوا في القناة',
    'Please subscribe to my channel.',
  ])('recognises %s', (text) => {
    expect(isStockPhrase(text)).toBe(true);
  });
  it.each(['Thank you, Mr President.', 'Спасибо за внимание.', 'شكرا سيدي الرئيس', 'We will continue after the break'])(
    'keeps real speech: %s',
    (text) => {
      expect(isStockPhrase(text)).toBe(false);
    },
  );
  it('drops only the segment that is a stock phrase', () => {
    const words = [...seg('The session is closed.', 0, 0), ...seg('Thank you for watching.', 1, 2)];
    expect(texts(dropStockPhrases(words))).toBe('The session is closed.');
  });
});

describe('annotation guard', () => {
  it('drops bracketed annotations and music notes', () => {
    const words = seg('[Music] hello (applause continues) world ♪ *laughs* end', 0, 0);
    expect(texts(dropAnnotations(words))).toBe('hello world end');
  });
});

describe('non-speech guard', () => {
  it('drops a segment lying entirely outside the speech spans, keeps one that overlaps', () => {
    const words = [...seg('real words', 0, 1.0), ...seg('ghost text', 1, 5.0)];
    expect(texts(dropNonSpeech(words, [[0.8, 2.5]]))).toBe('real words');
    expect(texts(dropNonSpeech(words, [[0.8, 2.5], [5.5, 6]]))).toBe('real words ghost text');
    expect(dropNonSpeech(words, [])).toEqual([]);
  });
});

describe('uncertain words', () => {
  it('gives character ranges of low-probability words, merging neighbours', () => {
    const words = seg('aa bbb cc d eee', 0, 0);
    words[1]!.p = 0.1;
    words[2]!.p = 0.2;
    words[4]!.p = 0.3;
    expect(uncertainRanges(words, 0.35)).toEqual([
      [3, 9],
      [12, 15],
    ]);
    expect(uncertainRanges(words, 0.05)).toEqual([]);
  });
});

describe('applyGuards', () => {
  it('applies the guards in order and reports what each removed', () => {
    const words = [...seg('[Music]', 0, 0), ...seg('Thank you for watching', 1, 0.5), ...seg('go on on on on', 2, 2), ...seg('noise', 3, 9)];
    const r = applyGuards(words, { speech: [[0, 5]] });
    expect(texts(r.words)).toBe('go on');
    expect(r.droppedAnnotations).toBe(1);
    expect(r.droppedStock).toBe(4);
    expect(r.droppedNonSpeech).toBe(1);
    expect(r.loopCutAt).toBe(2);
  });
});
