/**
 * Numbers as the booth reads them: the value the floor said, written in the booth language's conventions by the
 * platform's Intl (CLDR data): 340,000,000 in English, 340 000 000 in Russian, ٣٤٠ مليون in Arabic, with the
 * unit in the booth's words (25 %, 4 марта, 800 миллионов узбекских сумов).
 *
 * Two choices are the booth's: full digits or a scale word (340 million), and for Arabic, Arabic-Indic or
 * Latin digits. A scale word is used only when it loses nothing (1,234,567 stays in digits).
 *
 * Runs anywhere: no DOM, no Node (Intl is part of the language).
 */
import type { GlossaryLanguage } from './glossary';
import { monthIndex } from './number-words';

/** How a booth wants its figures written. */
export interface BoothNumberFormat {
  lang: GlossaryLanguage;
  /** `digits`: 340,000,000; `scale`: 340 million. */
  style: 'digits' | 'scale';
  /** Arabic booths: ٣٤٠ (true) or 340 (false). Ignored for other languages. */
  arabicDigits: boolean;
}

/** What a booth gets unless it chooses otherwise: digits in English and Russian, ٣٤٠ مليون in Arabic. */
export function defaultNumberFormat(lang: GlossaryLanguage): BoothNumberFormat {
  return { lang, style: lang === 'ar' ? 'scale' : 'digits', arabicDigits: lang === 'ar' };
}

function locale(f: BoothNumberFormat): string {
  if (f.lang === 'ar') return f.arabicDigits ? 'ar-u-nu-arab' : 'ar-u-nu-latn';
  return f.lang === 'ru' ? 'ru-RU' : 'en-GB';
}

/** Whether `value` is a whole number of millions, billions or trillions to at most three decimals. */
function scalable(value: string): boolean {
  const [int = '', frac = ''] = value.replace(/^-/, '').split('.');
  if (int.length < 7) return false;
  const digits = (int + frac).replace(/0+$/, '');
  const scaleDigits = int.length - 1 - ((int.length - 1) % 3);
  return digits.length <= int.length - scaleDigits + 3;
}

/** A number mention (`value` a plain decimal string, `unit` as `number-reader.ts` gives it) for the booth. */
export function formatForBooth(n: { value: string; unit: string | null }, f: BoothNumberFormat): string {
  const loc = locale(f);
  const compact = f.style === 'scale' && scalable(n.value);
  const base: Intl.NumberFormatOptions = compact ? { notation: 'compact', compactDisplay: 'long', maximumFractionDigits: 3 } : { maximumFractionDigits: 6 };
  // Intl formats decimal strings exactly (no float rounding of 12500000000.5).
  const value = n.value as unknown as number;
  const unit = n.unit;
  if (unit === 'year') return new Intl.NumberFormat(loc, { useGrouping: false }).format(value);
  if (unit === '%') return new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 6 }).format(`${n.value}E-2` as unknown as number);
  if (unit === 'ordinal') {
    const digits = new Intl.NumberFormat(loc, { useGrouping: false }).format(value);
    if (f.lang === 'ru') return `${digits}-й`;
    if (f.lang === 'ar') return digits;
    const rule = new Intl.PluralRules('en-GB', { type: 'ordinal' }).select(Number(n.value));
    return `${digits}${{ one: 'st', two: 'nd', few: 'rd' }[rule as 'one' | 'two' | 'few'] ?? 'th'}`;
  }
  const month = unit ? monthIndex(unit) : null;
  if (month !== null) {
    return new Intl.DateTimeFormat(loc, { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, month, Number(n.value)));
  }
  if (unit && /^[A-Z]{3}$/.test(unit)) {
    try {
      return new Intl.NumberFormat(loc, { ...base, style: 'currency', currency: unit, currencyDisplay: 'name', minimumFractionDigits: 0 }).format(value);
    } catch {
      // An unknown code: the figure and the code.
    }
    return `${new Intl.NumberFormat(loc, base).format(value)} ${unit}`;
  }
  return new Intl.NumberFormat(loc, base).format(value);
}
