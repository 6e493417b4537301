import { describe, expect, it } from 'vitest';
import { buildInitialPrompt, containsWords, estimateTokens, promptGlossaryRows, termsFor } from './prompt';

const glossary = [
  { en: 'UNESCO', ru: 'ЮНЕСКО', ar: 'اليونسكو' },
  { en: 'Mr Guterres', ru: 'г-н Гутерриш', ar: 'السيد غوتيريش' },
  { ru: 'только русский' },
];

describe('initial prompt', () => {
  it('picks the glossary terms of the source language', () => {
    expect(termsFor(glossary, 'ru', 'transcribe')).toEqual(['ЮНЕСКО', 'г-н Гутерриш', 'только русский']);
    expect(termsFor(glossary, 'ar', 'transcribe')).toEqual(['اليونسكو', 'السيد غوتيريش']);
    expect(termsFor(glossary, 'ar', 'translate')).toEqual(['اليونسكو', 'UNESCO', 'السيد غوتيريش', 'Mr Guterres']);
    expect(termsFor(glossary, 'auto', 'transcribe')).toHaveLength(7);
  });

  it('puts the terms first and the tail of the committed text last, cut at a word boundary', () => {
    const committed = 'word '.repeat(100) + 'the last sentence.';
    const prompt = buildInitialPrompt({ committedText: committed, glossary, language: 'en', task: 'transcribe' });
    expect(prompt.startsWith('UNESCO, Mr Guterres. word')).toBe(true);
    expect(prompt.endsWith('the last sentence.')).toBe(true);
    const carried = prompt.slice('UNESCO, Mr Guterres. '.length);
    expect(carried.length).toBeLessThanOrEqual(200);
    expect(carried.startsWith('word ')).toBe(true);
  });

  it('stays under the token budget with a huge glossary in Arabic', () => {
    const big = Array.from({ length: 500 }, (_, i) => ({ ar: `مصطلح رقم ${i}` }));
    const prompt = buildInitialPrompt({ committedText: 'نص '.repeat(200), glossary: big, language: 'ar', task: 'transcribe' });
    expect(estimateTokens(prompt)).toBeLessThanOrEqual(200);
    expect(prompt).toContain('مصطلح رقم 0');
    expect(prompt).not.toContain('مصطلح رقم 499');
    expect(prompt.endsWith('نص')).toBe(true);
  });

  it('leaves out a form that a longer form of its row already spells, not an acronym, a longer word or another row', () => {
    const terms = [
      { en: 'Kassym-Jomart Tokayev|Tokayev', ar: 'قاسم جومارت توكاييف|توكاييف' },
      { en: 'Shanghai Cooperation Organisation (SCO)|SCO' },
      { en: 'Tashkent' },
      { en: 'Tashkent Declaration' },
      { en: 'Tash' },
      { en: 'member state' },
      { en: 'member states' },
    ];
    expect(termsFor(terms, 'en', 'transcribe')).toEqual([
      'Kassym-Jomart Tokayev',
      'Shanghai Cooperation Organisation',
      'SCO',
      'Tashkent',
      'Tashkent Declaration',
      'Tash',
      'member state',
      'member states',
    ]);
    expect(termsFor(terms, 'ar', 'transcribe')).toEqual(['قاسم جومارت توكاييف']);
    expect(containsWords('Kassym-Jomart Tokayev', 'tokayev')).toBe(true);
    expect(containsWords('Tashkent Declaration', 'Tash')).toBe(false);
    expect(containsWords('member states', 'member state')).toBe(false);
    expect(containsWords('anything', '')).toBe(false);
  });

  it('does not repeat a term the carried text already says, and is shorter for it', () => {
    const terms = [{ en: 'UNESCO' }, { en: 'Mr Guterres' }, { en: 'Samarkand' }];
    const said = buildInitialPrompt({ committedText: 'We thank Mr Guterres for his words.', glossary: terms, language: 'en', task: 'transcribe' });
    expect(said).toBe('UNESCO, Samarkand. We thank Mr Guterres for his words.');
    const unsaid = buildInitialPrompt({ committedText: 'We thank the chair for her words.', glossary: terms, language: 'en', task: 'transcribe' });
    expect(unsaid).toBe('UNESCO, Mr Guterres, Samarkand. We thank the chair for her words.');
    // Every term said: no glossary part at all.
    expect(buildInitialPrompt({ committedText: 'UNESCO, Mr Guterres and Samarkand', glossary: terms, language: 'en', task: 'transcribe' })).toBe(
      'UNESCO, Mr Guterres and Samarkand',
    );
  });

  it('counts the rows a prompt carries, per language, in file order', () => {
    expect(promptGlossaryRows(glossary, 'en')).toBe(2);
    expect(promptGlossaryRows(glossary, 'ru')).toBe(3);
    const big = Array.from({ length: 100 }, (_, i) => ({ en: `Term number ${i}|Term`, ar: `مصطلح رقم ${i}` }));
    const en = promptGlossaryRows(big, 'en');
    const ar = promptGlossaryRows(big, 'ar');
    // A 120-token share: about 5 tokens a row in English, 11 in Arabic (one per non-ASCII character, estimated).
    expect(en).toBeGreaterThan(15);
    expect(en).toBeLessThan(30);
    expect(ar).toBeGreaterThan(5);
    expect(ar).toBeLessThan(en);
    const prompt = buildInitialPrompt({ committedText: '', glossary: big, language: 'ar', task: 'transcribe' });
    expect(prompt).toContain(`مصطلح رقم ${ar - 1}`);
    expect(prompt).not.toContain(`مصطلح رقم ${ar},`);
  });

  it('reads only the rows its budget takes, not a 5,000-row glossary in every pass', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ en: `Organisation number ${i} (ON${i})|ON${i}`, ru: `Организация ${i}`, ar: `منظمة ${i}` }));
    let read = 0;
    const counted = rows.map((row) => new Proxy(row, { get: (target, key) => (read++, Reflect.get(target, key)) }));
    const prompt = buildInitialPrompt({ committedText: 'and so on', glossary: counted, language: 'auto', task: 'transcribe' });
    expect(prompt).toContain('Organisation number 0');
    // Three language cells per row: the budget takes a handful of rows (it read all 5,000 before: 29-61 ms a pass).
    expect(read).toBeLessThan(3 * 50);
    expect(read).toBeGreaterThan(0);
  });

  it('is empty without glossary and committed text', () => {
    expect(buildInitialPrompt({ committedText: '', glossary: [], language: 'en', task: 'transcribe' })).toBe('');
  });
});
