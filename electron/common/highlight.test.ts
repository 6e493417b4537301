import { describe, expect, it } from 'vitest';
import { highlightLine } from './highlight';
import { findNames } from './names';
import { GlossaryMatcher } from './term-matcher';

const glossary = new GlossaryMatcher([
  { en: 'climate finance', ar: 'تمويل المناخ', ru: 'климатическое финансирование' },
  { en: 'Shanghai Cooperation Organisation (SCO)', ru: 'Шанхайская организация сотрудничества (ШОС)' },
]);
const pieces = (text: string, kind: string): string[] =>
  highlightLine(text, { glossary })
    .filter((s) => s.kind === kind)
    .map((s) => s.text);

describe('findNames', () => {
  it('joins capitalised Latin and Cyrillic words into names, skipping sentence-initial words and "I"', () => {
    const text = 'Yesterday I met Maria Sanchez. The Secretary-General spoke with Сергей Лавров about NATO and ООН.';
    expect(findNames(text).map((m) => m.text)).toEqual(['Maria Sanchez', 'Secretary-General', 'Сергей Лавров', 'NATO', 'ООН']);
  });

  it('marks a sentence-initial run of two capitalised words, not a month', () => {
    expect(findNames('Angela Merkel arrived in March.').map((m) => m.text)).toEqual(['Angela Merkel']);
  });
});

describe('highlightLine', () => {
  it('covers the whole line in order, with terms winning over names and numbers', () => {
    const text = 'Maria Sanchez asked for climate finance of 300 billion dollars by 2035.';
    const spans = highlightLine(text, { glossary });
    expect(spans.map((s) => s.text).join('')).toBe(text);
    expect(spans.filter((s) => s.kind !== 'plain').map((s) => [s.kind, s.text])).toEqual([
      ['name', 'Maria Sanchez'],
      ['term', 'climate finance'],
      ['number', '300 billion dollars'],
      ['number', '2035'],
    ]);
    expect(spans.every((s) => text.slice(s.start, s.end) === s.text)).toBe(true);
  });

  it('highlights number words and inflected terms (misses of the exact-form highlighter)', () => {
    expect(pieces('ШОС выделила триста сорок миллионов долларов Шанхайской организации сотрудничества', 'number')).toEqual(['триста сорок миллионов долларов']);
    expect(pieces('ШОС выделила триста сорок миллионов долларов Шанхайской организации сотрудничества', 'term')).toEqual(['ШОС', 'Шанхайской организации сотрудничества']);
    expect(pieces('The SCO pledged three hundred and forty million', 'term')).toEqual(['SCO']);
    expect(pieces('نحتاج إلى تمويل المناخ بقيمة مليونين ونصف المليون', 'number')).toEqual(['مليونين ونصف المليون']);
    expect(pieces('وبتمويل المناخ', 'term')).toEqual(['وبتمويل المناخ']);
  });

  it('cuts spans at uncertain ranges and flags them', () => {
    const text = 'we need 40 percent more';
    const spans = highlightLine(text, { uncertain: [[8, 18]] });
    expect(spans.map((s) => [s.text, s.kind, s.uncertain])).toEqual([
      ['we need ', 'plain', false],
      ['40 percent', 'number', true],
      [' more', 'plain', false],
    ]);
  });

  it("flags what follows a partial's settled start as pending, cutting a number in two", () => {
    const text = 'we need forty percent more';
    const spans = highlightLine(text, { settled: 'we need forty '.length });
    expect(spans.map((s) => [s.text, s.kind, s.pending ?? false])).toEqual([
      ['we need ', 'plain', false],
      ['forty ', 'number', false],
      ['percent', 'number', true],
      [' more', 'plain', true],
    ]);
    expect(highlightLine(text, { settled: 0 }).every((s) => s.pending)).toBe(true);
    expect(highlightLine(text).some((s) => s.pending)).toBe(false);
  });

  it('returns plain text untouched (markup is text, not HTML)', () => {
    const text = '<b>hello</b> & bye';
    expect(highlightLine(text)).toEqual([{ text, kind: 'plain', start: 0, end: text.length, uncertain: false }]);
  });
});
