import { describe, expect, it } from 'vitest';
import { hasVisibleCharacter } from './visible-text';

describe('hasVisibleCharacter', () => {
  it('finds nothing visible in marks, bidi controls, zero-width characters and spaces', () => {
    for (const text of ['', '   ', '\u200E', '\u200F\u061C', '\u200B\u200B', '\u2066\u2069\u202E', '\u200C\u200D\u2060\uFEFF', '\u00A0\u3000\t\n', '\u00AD', '\u180E', '\uFE0F']) {
      expect(hasVisibleCharacter(text), JSON.stringify(text)).toBe(false);
    }
  });

  it('finds letters, digits, punctuation and symbols in any script', () => {
    for (const text of ['a', '\u200E.', '\u200Bشكرا', '1', '—', '€', 'Ж', '\u200D😀', 'ـ']) {
      expect(hasVisibleCharacter(text), JSON.stringify(text)).toBe(true);
    }
  });
});
