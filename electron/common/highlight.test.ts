import { describe, expect, it } from 'vitest';
import { GlossaryMatcher } from './glossary';
import { findNames, findNumbers, highlightLine } from './highlight';

const pieces = (text: string, kind: string): string[] =>
  highlightLine(text, { glossary: new GlossaryMatcher([{ en: 'climate finance', ar: 'تمويل المناخ', ru: 'устойчивое развитие' }]) })
    .filter((s) => s.kind === kind)
    .map((s) => s.text);

describe('findNumbers', () => {
  it('finds integers, decimals, grouped thousands, percentages, years and Arabic-Indic digits', () => {
    const text = 'In 2024 we spent $1,250.50 on 3 000 000 items, up 12.5% from ١٢٣٬٤٥٦ and ٪٧٥ vs ٧٥٪, -4 below.';
    const got = findNumbers(text).map((m) => text.slice(m.start, m.end));
    expect(got).toEqual(['2024', '$1,250.50', '3 000 000', '12.5%', '١٢٣٬٤٥٦', '٧٥', '٧٥٪', '-4']);
  });

  it('does not swallow a following number after a plain space unless it is a three-digit group', () => {
    const text = 'между 5 и 10 лет, 1 000 человек, 25 %';
    expect(findNumbers(text).map((m) => text.slice(m.start, m.end))).toEqual(['5', '10', '1 000', '25 %']);
  });

  it('keeps a hyphen in a code out of the number', () => {
    const text = 'COVID-19 cases';
    expect(findNumbers(text).map((m) => text.slice(m.start, m.end))).toEqual(['19']);
  });
});

describe('findNames', () => {
  it('joins capitalised Latin and Cyrillic words into names, skipping sentence-initial words and "I"', () => {
    const text = 'Yesterday I met Maria Sanchez. The Secretary-General spoke with Сергей Лавров about NATO and ООН.';
    expect(findNames(text).map((m) => text.slice(m.start, m.end))).toEqual(['Maria Sanchez', 'Secretary-General', 'Сергей Лавров', 'NATO', 'ООН']);
  });

  it('marks a sentence-initial run of two capitalised words', () => {
    const text = 'Angela Merkel arrived.';
    expect(findNames(text).map((m) => text.slice(m.start, m.end))).toEqual(['Angela Merkel']);
  });
});

describe('highlightLine', () => {
  it('covers the whole line in order, with terms winning over names and numbers', () => {
    const text = 'Maria Sanchez asked for climate finance of 300 billion dollars by 2035.';
    const spans = highlightLine(text, { glossary: new GlossaryMatcher([{ en: 'climate finance' }]) });
    expect(spans.map((s) => s.text).join('')).toBe(text);
    expect(spans.filter((s) => s.kind !== 'plain').map((s) => [s.kind, s.text])).toEqual([
      ['name', 'Maria Sanchez'],
      ['term', 'climate finance'],
      ['number', '300'],
      ['number', '2035'],
    ]);
    expect(spans.every((s) => text.slice(s.start, s.end) === s.text)).toBe(true);
  });

  it('finds terms and numbers in Arabic and Russian lines', () => {
    expect(pieces('نحتاج إلى تمويل المناخ بقيمة ١٠٠ مليار', 'term')).toEqual(['تمويل المناخ']);
    expect(pieces('نحتاج إلى تمويل المناخ بقيمة ١٠٠ مليار', 'number')).toEqual(['١٠٠']);
    expect(pieces('Цели в области устойчивое развитие к 2030 году', 'term')).toEqual(['устойчивое развитие']);
  });

  it('cuts spans at uncertain ranges and flags them', () => {
    const text = 'we need 40 percent more';
    const spans = highlightLine(text, { uncertain: [[8, 18]] });
    expect(spans.map((s) => [s.text, s.kind, s.uncertain])).toEqual([
      ['we need ', 'plain', false],
      ['40', 'number', true],
      [' percent', 'plain', true],
      [' more', 'plain', false],
    ]);
  });

  it('returns plain text untouched (markup is text, not HTML)', () => {
    const text = '<b>hello</b> & bye';
    const spans = highlightLine(text);
    expect(spans).toEqual([{ text, kind: 'plain', start: 0, end: text.length, uncertain: false }]);
  });
});
