import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LINE_LENGTH,
  breakBalanced,
  breakCaption,
  breakIntoLines,
  displayLength,
  lineLengthFor,
  splitScriptIntoCues,
} from './line-breaking';

/** Every line within the limit, and the words of the text, in order, unbroken (unless a word is over-long). */
function expectWellBroken(text: string, lines: string[], maxChars: number): void {
  for (const line of lines) {
    expect(displayLength(line), `"${line}" is longer than ${maxChars}`).toBeLessThanOrEqual(maxChars);
    expect(line).toBe(line.trim());
  }
  const words = text.split(/[ \n\t]+/).filter(Boolean);
  expect(lines.join(' ').split(' ')).toEqual(words);
}

const ARABIC =
  'أعلن مكتب الأمم المتحدة لمكافحة الإرهاب اليوم عن إطلاق برنامج جديد لدعم الضحايا في المنطقة، وقال المدير التنفيذي إن البرنامج سيشمل ١٢ دولة بحلول عام 2027.';
const RUSSIAN =
  'Генеральный секретарь подчеркнул, что международное сотрудничество в области противодействия терроризму остаётся приоритетом, и поблагодарил государства-члены за поддержку.';
const ENGLISH =
  'The Under-Secretary-General thanked the delegations for their constructive engagement and announced that the next session will take place in Vienna on 3 March 2027.';

describe('lineLengthFor', () => {
  it('gives the per-language limits and the default', () => {
    expect(lineLengthFor('ar')).toBe(42);
    expect(lineLengthFor('ru')).toBe(39);
    expect(lineLengthFor('en')).toBe(42);
    expect(lineLengthFor('ru-RU')).toBe(39);
    expect(lineLengthFor('floor')).toBe(DEFAULT_LINE_LENGTH);
    expect(lineLengthFor(undefined)).toBe(42);
  });
});

describe('breakIntoLines', () => {
  it('breaks Arabic, Russian and English at word boundaries within the language limit', () => {
    for (const [text, lang] of [
      [ARABIC, 'ar'],
      [RUSSIAN, 'ru'],
      [ENGLISH, 'en'],
    ] as const) {
      const lines = breakCaption(text, lang);
      expect(lines.length).toBeGreaterThan(2);
      expectWellBroken(text, lines, lineLengthFor(lang));
    }
  });

  it('fills lines greedily', () => {
    expect(breakIntoLines('aaa bbb ccc ddd', 7)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(breakIntoLines('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(breakIntoLines('aaa bbb ccc ddd', 11)).toEqual(['aaa bbb ccc', 'ddd']);
    expect(breakIntoLines('aaa', 3)).toEqual(['aaa']);
  });

  it('uses Russian 39 where English gets 42', () => {
    const text = 'Сорок один символ в этой строке ровно да и еще';
    const ru = breakCaption(text, 'ru');
    expect(ru.every((l) => displayLength(l) <= 39)).toBe(true);
    const words41 = 'x'.repeat(20) + ' ' + 'y'.repeat(20);
    expect(breakCaption(words41, 'en')).toEqual([words41]);
    expect(breakCaption(words41, 'ru')).toEqual(['x'.repeat(20), 'y'.repeat(20)]);
  });

  it('splits hard only a word longer than a line', () => {
    const long = 'A'.repeat(50);
    expect(breakIntoLines(`go ${long} now`, 20)).toEqual(['go', 'A'.repeat(20), 'A'.repeat(20), 'A'.repeat(10) + ' now']);
  });

  it('counts grapheme clusters, so Arabic vowel marks do not count', () => {
    const voweled = 'بِسْمِ'; // 3 letters with 3 marks
    expect(voweled.length).toBe(6);
    expect(displayLength(voweled)).toBe(3);
    const text = Array.from({ length: 20 }, () => voweled).join(' ');
    const lines = breakIntoLines(text, 42);
    // 3 chars + space: 10 words per line of 39 characters
    expect(lines).toHaveLength(2);
    expect(lines[0]?.split(' ')).toHaveLength(10);
    expect(displayLength('👩‍👩‍👧 é')).toBe(3);
  });

  it('keeps numbers with no-break spaces and punctuation with their words', () => {
    const text = 'Бюджет составил 1\u00A0250\u00A0000 долларов США, т. е. на 15\u00A0% больше, чем в 2025 году.';
    const lines = breakIntoLines(text, 20);
    expect(lines.some((l) => l.includes('1\u00A0250\u00A0000'))).toBe(true);
    expect(lines.some((l) => l.includes('15\u00A0%'))).toBe(true);
    expect(lines.every((l) => !l.startsWith(',') && !l.startsWith('.'))).toBe(true);
    expectWellBroken(text, lines, 20);
  });

  it('collapses whitespace and returns nothing for blank text', () => {
    expect(breakIntoLines('  hello \n\t world  ', 42)).toEqual(['hello world']);
    expect(breakIntoLines('   ', 42)).toEqual([]);
    expect(breakIntoLines('', 42)).toEqual([]);
  });

  it('refuses a non-positive limit', () => {
    expect(() => breakIntoLines('a', 0)).toThrow(RangeError);
  });
});

describe('breakBalanced', () => {
  it('evens out two lines', () => {
    const text = 'The meeting will resume at three o clock this afternoon';
    const greedy = breakIntoLines(text, 42);
    const balanced = breakBalanced(text, 42, 2);
    expect(greedy).toHaveLength(2);
    expect(balanced).toHaveLength(2);
    const spread = (ls: string[]): number => Math.abs(displayLength(ls[0] ?? '') - displayLength(ls[1] ?? ''));
    expect(spread(balanced ?? [])).toBeLessThan(spread(greedy));
    expectWellBroken(text, balanced ?? [], 42);
  });

  it('returns undefined when the text needs more lines', () => {
    expect(breakBalanced(ENGLISH, 42, 2)).toBeUndefined();
  });
});

describe('splitScriptIntoCues', () => {
  const script = `Excellencies, distinguished delegates, ladies and gentlemen. Good morning. Welcome to Vienna.

It is my honour to open the fourth session of the Committee, which brings together experts from more than sixty countries, international organizations and civil society, to discuss the prevention of violent extremism. Mr. Ivanov will chair the first panel.`;

  it('makes cues of one or two well-broken lines that keep the whole text in order', () => {
    const cues = splitScriptIntoCues(script, { lang: 'en' });
    expect(cues.length).toBeGreaterThan(3);
    for (const cue of cues) {
      expect(cue.lines.length).toBeGreaterThanOrEqual(1);
      expect(cue.lines.length).toBeLessThanOrEqual(2);
      expect(cue.text).toBe(cue.lines.join(' '));
      for (const line of cue.lines) expect(displayLength(line)).toBeLessThanOrEqual(42);
    }
    expectWellBroken(script, cues.flatMap((c) => c.lines), 42);
  });

  it('ends cues at sentence ends where it can and never joins across a paragraph', () => {
    const cues = splitScriptIntoCues(script, { lang: 'en' });
    const texts = cues.map((c) => c.text);
    // The salutation ends its own cue, broken after a comma; the two short sentences after it share one line.
    expect(cues[0]?.lines).toEqual(['Excellencies, distinguished delegates,', 'ladies and gentlemen.']);
    expect(cues[1]?.lines).toEqual(['Good morning. Welcome to Vienna.']);
    // Two sentences that do not fit on one line share a cue only when it can break between them.
    const two = splitScriptIntoCues('Good morning to all of you. Welcome to the beautiful city of Vienna.', { lang: 'en' });
    expect(two.map((c) => c.lines)).toEqual([['Good morning to all of you.', 'Welcome to the beautiful city of Vienna.']]);
    // The paragraph break starts a new cue.
    expect(texts.some((t) => t.startsWith('It is my honour'))).toBe(true);
    // "Mr." does not end a sentence; the last sentence is one cue.
    expect(texts.at(-1)).toBe('Mr. Ivanov will chair the first panel.');
    // The long sentence is cut after a comma, not in the middle of a clause.
    const long = texts.filter((t) => !t.startsWith('Mr.') && /Committee|sixty|extremism/.test(t));
    expect(long.length).toBeGreaterThan(1);
    for (const t of long.slice(0, -1)) expect(t).toMatch(/,$/);
  });

  it('splits Arabic and Russian scripts by their own limits and punctuation', () => {
    const ar = `${ARABIC} هل هذا واضح؟ نعم.`;
    const arCues = splitScriptIntoCues(ar, { lang: 'ar' });
    expectWellBroken(ar, arCues.flatMap((c) => c.lines), 42);
    expect(arCues.at(-1)?.text).toBe('هل هذا واضح؟ نعم.');
    // The first clause is too long for one cue: it gets two even cues, and the second ends at its comma.
    expect(arCues[0]?.text).toBe('أعلن مكتب الأمم المتحدة لمكافحة الإرهاب اليوم عن');
    expect(arCues[1]?.text.endsWith('المنطقة،')).toBe(true);

    const ru = `${RUSSIAN} Спасибо, т. е. благодарю.`;
    const ruCues = splitScriptIntoCues(ru, { lang: 'ru' });
    expectWellBroken(ru, ruCues.flatMap((c) => c.lines), 39);
    expect(ruCues.at(-1)?.text).toBe('Спасибо, т. е. благодарю.');
  });

  it('makes one-line cues when asked, and cuts a run-on sentence between words', () => {
    const runOn = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const cues = splitScriptIntoCues(runOn, { maxChars: 20, maxLinesPerCue: 1 });
    expect(cues.every((c) => c.lines.length === 1)).toBe(true);
    expectWellBroken(runOn, cues.flatMap((c) => c.lines), 20);
    expect(splitScriptIntoCues('  \n\n ')).toEqual([]);
  });
});

describe('free-standing punctuation', () => {
  it('keeps a dash or closing mark with the word before it and an opening mark with the word after it', () => {
    // Word by word, "—" would start the second line.
    expect(breakIntoLines('Please take your seats — thank you', 22)).toEqual(['Please take your', 'seats — thank you']);
    expect(breakIntoLines('Il a dit « Bonjour » hier', 12)).toEqual(['Il a dit', '« Bonjour »', 'hier']);
    // Only when the word and its marks cannot fit on any line do they part.
    expect(breakIntoLines('dit « Bonjour » hier', 9)).toEqual(['dit «', 'Bonjour »', 'hier']);
    expect(breakIntoLines('قال : مرحبا ، شكرا', 7)).toEqual(['قال :', 'مرحبا ،', 'شكرا']);
    for (const line of breakIntoLines('one — two – three - four ! five ?', 8)) {
      expect(line).not.toMatch(/^[—–\-!?]/);
    }
  });
});
