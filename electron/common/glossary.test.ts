import { describe, expect, it } from 'vitest';
import { parseGlossaryCsv, primaryForm, promptWords, splitForms, termForms } from './glossary';

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

  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a byte-order mark', () => {
    const r = parseGlossaryCsv('\ufeffen,ru\r\n"Smith, J.","say ""hi"""\r\n"multi\nline",x\r\n');
    expect(r).toEqual({ ok: true, value: [{ en: 'Smith, J.', ru: 'say "hi"' }, { en: 'multi line', ru: 'x' }] });
  });

  it('keeps several forms per cell, trimmed, and a bracketed acronym', () => {
    const r = parseGlossaryCsv('en,ar\n"member state | member states ",دولة عضو|الدول الأعضاء\nShanghai Cooperation Organisation (SCO),منظمة شنغهاي للتعاون\n');
    expect(r.ok && r.value).toEqual([
      { en: 'member state|member states', ar: 'دولة عضو|الدول الأعضاء' },
      { en: 'Shanghai Cooperation Organisation (SCO)', ar: 'منظمة شنغهاي للتعاون' },
    ]);
  });

  it('refuses a malformed quote with its line, a file without a language header, and an empty file', () => {
    const open = parseGlossaryCsv('en,ru\nok,ok\n"abc,x\n');
    expect(open.ok ? '' : open.error.code).toBe('GLOSSARY_BAD_QUOTING');
    expect(open.ok ? '' : open.error.message).toMatch(/line 3/);
    const trailing = parseGlossaryCsv('en\n"abc"d\n');
    expect(trailing.ok ? '' : trailing.error.code).toBe('GLOSSARY_BAD_QUOTING');
    const bad = parseGlossaryCsv('term,translation\na,b\n');
    expect(bad.ok ? '' : bad.error.code).toBe('GLOSSARY_BAD_HEADER');
    const empty = parseGlossaryCsv('\n\n');
    expect(empty.ok ? '' : empty.error.code).toBe('GLOSSARY_EMPTY');
  });

  it('refuses a glossary over the row limit', () => {
    const big = `en\n${Array.from({ length: 5001 }, (_, i) => `t${i}`).join('\n')}\n`;
    const r = parseGlossaryCsv(big);
    expect(r.ok ? '' : r.error.code).toBe('GLOSSARY_TOO_LARGE');
  });
});

describe('term forms', () => {
  it('splits forms and acronyms', () => {
    expect(splitForms(' a | | b  c ')).toEqual(['a', 'b c']);
    expect(termForms('Shanghai Cooperation Organisation (SCO)|SCO')).toEqual([
      { name: 'Shanghai Cooperation Organisation', acronym: 'SCO' },
      { name: 'SCO', acronym: null },
    ]);
    expect(termForms('Контртеррористическое управление ООН (КТУ ООН)')[0]).toEqual({ name: 'Контртеррористическое управление ООН', acronym: 'КТУ ООН' });
    expect(primaryForm('dam|dams')).toBe('dam');
    expect(promptWords('Shanghai Cooperation Organisation (SCO)|SCO')).toEqual(['Shanghai Cooperation Organisation', 'SCO']);
  });
});
