import { describe, expect, it } from 'vitest';
import {
  countStrongCharacters,
  directionOfLanguage,
  directionOfText,
  lineDirection,
  sanitizeCaptionText,
  stripBidiControls,
} from './bidi';

describe('directionOfLanguage', () => {
  it('knows right-to-left and left-to-right languages, with region subtags', () => {
    expect(directionOfLanguage('ar')).toBe('rtl');
    expect(directionOfLanguage('ar-EG')).toBe('rtl');
    expect(directionOfLanguage('FA')).toBe('rtl');
    expect(directionOfLanguage('he')).toBe('rtl');
    expect(directionOfLanguage('en')).toBe('ltr');
    expect(directionOfLanguage('ru')).toBe('ltr');
    expect(directionOfLanguage('en_GB')).toBe('ltr');
  });

  it('returns undefined for a missing tag or a channel name that is not a language', () => {
    expect(directionOfLanguage(undefined)).toBeUndefined();
    expect(directionOfLanguage('')).toBeUndefined();
    expect(directionOfLanguage('floor')).toBeUndefined();
  });
});

describe('directionOfText', () => {
  it('decides by the majority of letters, not the first strong one', () => {
    expect(directionOfText('UNOCT يعقد اجتماعه السنوي في فيينا')).toBe('rtl');
    expect(directionOfText('The delegate said مرحبا')).toBe('ltr');
    expect(directionOfText('مرحبا everyone in the hall')).toBe('ltr');
    expect(directionOfText('Привет, UN')).toBe('ltr');
  });

  it('does not count digits and punctuation, and has no opinion without letters', () => {
    expect(directionOfText('2026 — 15:30 ...')).toBeUndefined();
    expect(directionOfText('')).toBeUndefined();
    expect(directionOfText('١٢٣ 2026 بدأ')).toBe('rtl');
    expect(countStrongCharacters('A1 ب٢ c')).toEqual({ rtl: 1, ltr: 2 });
  });

  it('gives a tie to rtl', () => {
    expect(directionOfText('ab بت')).toBe('rtl');
  });

  it('counts Hebrew, Persian and Arabic presentation forms as rtl', () => {
    expect(directionOfText('שלום')).toBe('rtl');
    expect(directionOfText('ﻣﺮﺣﺒﺎ')).toBe('rtl');
    expect(directionOfText('گفتگو')).toBe('rtl');
  });
});

describe('lineDirection', () => {
  it('uses the language when known, even against the content', () => {
    expect(lineDirection('UNOCT 2026 conference', 'ar')).toBe('rtl');
    expect(lineDirection('2026 عام', 'ar')).toBe('rtl');
    expect(lineDirection('مرحبا مرحبا مرحبا', 'en')).toBe('ltr');
  });

  it('falls back to the content, then to the fallback', () => {
    expect(lineDirection('UNOCT يعقد اجتماعه', 'floor')).toBe('rtl');
    expect(lineDirection('UNOCT يعقد اجتماعه')).toBe('rtl');
    expect(lineDirection('Hello', undefined)).toBe('ltr');
    expect(lineDirection('2026', undefined, 'rtl')).toBe('rtl');
    expect(lineDirection('2026')).toBe('ltr');
  });
});

describe('stripBidiControls and sanitizeCaptionText', () => {
  it('removes overrides, embeddings, isolates and marks', () => {
    const nasty = '\u202Eabc\u202C \u2067مرحبا\u2069 \u200Ex\u200F \u202Ay\u202B\u202D \u2066\u2068z\u061C';
    expect(stripBidiControls(nasty)).toBe('abc مرحبا x y z');
  });

  it('keeps joiners and no-break spaces but flattens other controls', () => {
    expect(sanitizeCaptionText('  می\u200Cخواهم\n\tline\u2028two  1\u00A0000 \u0007 ')).toBe('می\u200Cخواهم line two 1\u00A0000');
  });

  it('leaves ordinary text alone', () => {
    const text = 'UNOCT: «Доброе утро», 2026 — مرحبا!';
    expect(sanitizeCaptionText(text)).toBe(text);
  });
});
