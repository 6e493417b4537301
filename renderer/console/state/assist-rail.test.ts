import { describe, expect, it } from 'vitest';
import type { SttCaption } from '../../../electron/common/console-api';
import { GlossaryMatcher } from '../../../electron/common/term-matcher';
import { AssistRail, boothLanguageOf, type PreferenceStore } from './assist-rail.svelte';

const glossary = new GlossaryMatcher([
  { en: 'Tashkent Declaration', ru: 'Ташкентская декларация', ar: 'إعلان طشقند' },
  { en: 'Shanghai Cooperation Organisation (SCO)', ru: 'Шанхайская организация сотрудничества (ШОС)', ar: 'منظمة شنغهاي للتعاون' },
]);
const caption = (id: string, text: string, state: 'partial' | 'final' = 'final', lang = 'en'): SttCaption => ({ source: 'floor', id, state, text, start: 0, end: 1, lang });

function rail(booth: 'en' | 'ru' | 'ar', prefs: PreferenceStore | null = null): { rail: AssistRail; tick: (ms: number) => void } {
  let now = 1000;
  const r = new AssistRail(() => now, prefs);
  r.configure({ booth, glossary });
  return { rail: r, tick: (ms) => (now += ms) };
}
const shown = (r: AssistRail): string[] => r.items.map((i) => `${i.kind}:${i.primary}`);

describe('AssistRail', () => {
  it('shows numbers, terms with the booth equivalent and names, last-said on top, in the booth conventions', () => {
    const { rail: r } = rail('ru');
    r.apply(caption('f1', 'Maria Sanchez said the Tashkent Declaration pledges three hundred and forty million dollars'));
    expect(shown(r)).toEqual(['number:340\u00a0000\u00a0000 долларов США', 'term:Ташкентская декларация', 'name:Maria Sanchez']);
    expect(r.items[1]).toMatchObject({ heard: 'Tashkent Declaration', primaryLang: 'ru', heardLang: 'en', provisional: false });
  });

  it('replaces a growing partial in place and puts a new line on top', () => {
    const { rail: r, tick } = rail('en');
    r.apply(caption('f1', 'the SCO', 'partial'));
    const sco = r.items[0]!;
    expect(sco.provisional).toBe(true);
    tick(500);
    r.apply(caption('f1', 'the SCO pledged three hundred', 'partial'));
    expect(shown(r)).toEqual(['number:300', 'term:SCO']);
    tick(500);
    r.apply(caption('f1', 'the SCO pledged three hundred and forty million.', 'final'));
    expect(shown(r)).toEqual(['number:340,000,000', 'term:SCO']);
    expect(r.items[1]!.arrivedAt).toBe(sco.arrivedAt);
    expect(r.items.every((i) => !i.provisional)).toBe(true);
    r.apply(caption('f2', 'In 2024 we met.'));
    expect(shown(r)).toEqual(['number:2024', 'number:340,000,000', 'term:SCO']);
    // A later version of an older line stays where it is.
    r.apply(caption('f1', 'the SCO pledged 12 more.'));
    expect(shown(r)).toEqual(['number:2024', 'number:12', 'term:SCO']);
  });

  it('moves a term said again up instead of showing it twice, and ignores the voice source', () => {
    const { rail: r, tick } = rail('ar');
    r.apply(caption('f1', 'the Tashkent Declaration'));
    tick(1000);
    r.apply(caption('f2', 'Ташкентская декларация и 5 процентов', 'final', 'ru'));
    expect(shown(r)).toEqual(['number:٥٪؜', 'term:إعلان طشقند']);
    expect(r.items[1]!.lineId).toBe('f2');
    r.apply({ ...caption('v1', 'Tashkent Declaration'), source: 'voice' });
    expect(r.items).toHaveLength(2);
  });

  it('writes figures as the booth prefers and remembers it', () => {
    const saved = new Map<string, string>();
    const prefs: PreferenceStore = { getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => void saved.set(k, v) };
    const { rail: r } = rail('ar', prefs);
    r.apply(caption('f1', 'مليونين ونصف المليون دولار و340 مليون', 'final', 'ar'));
    expect(shown(r)).toEqual(['number:٣٤٠ مليون', 'number:٢٫٥ مليون دولار أمريكي']);
    r.setArabicDigits(false);
    r.setNumberStyle('digits');
    expect(shown(r)).toEqual(['number:340,000,000', 'number:2,500,000 دولار أمريكي']);
    const again = new AssistRail(() => 0, prefs);
    again.configure({ booth: 'ar', glossary });
    expect(again.numberFormat).toEqual({ lang: 'ar', style: 'digits', arabicDigits: false });
  });

  it('takes the booth language from the channel name', () => {
    expect(['ar', 'ru', 'en', 'ru-2', 'floor'].map(boothLanguageOf)).toEqual(['ar', 'ru', 'en', 'ru', 'en']);
  });
});
