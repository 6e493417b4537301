import { describe, expect, it } from 'vitest';
import { GlossaryMatcher, glossaryPrompt, parseCsv, parseGlossaryCsv } from './glossary';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const r = parseCsv('a,"b, c","say ""hi"""\r\n"multi\nline",,x\n');
    expect(r).toEqual({ ok: true, value: [['a', 'b, c', 'say "hi"'], ['multi\nline', '', 'x']] });
  });

  it('keeps an empty quoted field and strips a byte-order mark', () => {
    expect(parseCsv('\ufeffen,ru\n"",x')).toEqual({ ok: true, value: [['en', 'ru'], ['', 'x']] });
  });

  it('refuses an unterminated quote and text after a closing quote', () => {
    const open = parseCsv('en\n"abc');
    expect(open.ok).toBe(false);
    if (!open.ok) expect(open.error.code).toBe('GLOSSARY_BAD_QUOTING');
    const trailing = parseCsv('"abc"d,e');
    expect(trailing.ok).toBe(false);
  });
});

describe('parseGlossaryCsv', () => {
  it('maps columns by header name in any order and skips empty and duplicate rows', () => {
    const csv = 'AR, en ,notes,ru\n"الأمم المتحدة",United Nations,org,Организация Объединённых Наций\n,,,\nالتنمية المستدامة,sustainable development,,устойчивое развитие\nالتنمية المستدامة,sustainable development,,устойчивое развитие\n';
    const r = parseGlossaryCsv(csv);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual([
      { ar: 'الأمم المتحدة', en: 'United Nations', ru: 'Организация Объединённых Наций' },
      { ar: 'التنمية المستدامة', en: 'sustainable development', ru: 'устойчивое развитие' },
    ]);
  });

  it('refuses a file without a language header and an empty file', () => {
    const bad = parseGlossaryCsv('term,translation\na,b\n');
    expect(bad.ok ? '' : bad.error.code).toBe('GLOSSARY_BAD_HEADER');
    const empty = parseGlossaryCsv('\n\n');
    expect(empty.ok ? '' : empty.error.code).toBe('GLOSSARY_EMPTY');
  });
});

describe('GlossaryMatcher', () => {
  const terms = [
    { en: 'United Nations', ru: 'ООН', ar: 'الأمم المتحدة' },
    { en: 'nations' },
    { en: 'climate finance', ru: 'климатическое финансирование', ar: 'تمويل المناخ' },
    { ru: 'ёлка' },
  ];
  const matcher = new GlossaryMatcher(terms);

  it('finds terms case-insensitively on word boundaries, longest first', () => {
    const text = 'The united nations discussed Climate Finance; nationswide is not a term.';
    const found = matcher.match(text).map((m) => text.slice(m.start, m.end));
    expect(found).toEqual(['united nations', 'Climate Finance']);
  });

  it('finds Russian terms with ё/е folding', () => {
    const text = 'ООН поставила елку.';
    expect(matcher.match(text).map((m) => [text.slice(m.start, m.end), m.lang])).toEqual([['ООН', 'ru']]);
    const tree = 'Это ёлка и елка.';
    expect(matcher.match(tree).map((m) => tree.slice(m.start, m.end))).toEqual(['ёлка', 'елка']);
  });

  it('finds Arabic terms despite diacritics, alef variants and proclitics, returning original offsets', () => {
    const text = 'وقالت الْأُمَم المتحدة إن وتمويل المناخ مهم';
    const found = matcher.match(text).map((m) => text.slice(m.start, m.end));
    expect(found).toEqual(['الْأُمَم المتحدة', 'وتمويل المناخ']);
    expect(matcher.match('الأممالمتحدة')).toEqual([]);
  });

  it('builds a speech-to-text prompt per language within a length budget', () => {
    expect(glossaryPrompt(terms, 'en')).toBe('United Nations, nations, climate finance');
    expect(glossaryPrompt(terms, 'en', 30)).toBe('nations, climate finance');
    expect(matcher.promptFor('ar')).toBe('الأمم المتحدة, تمويل المناخ');
  });
});
