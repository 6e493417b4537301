/**
 * Reads the numbers in a floor line, in digits and in words, English, Russian and Arabic, as an interpreter
 * needs them: one value per spoken number ("three hundred and forty million" is 340000000, "полтора
 * миллиарда" 1500000000, "مليونين ونصف المليون" 2500000), with its unit: `%`, a currency (ISO 4217), `year`,
 * `ordinal`, or the month of a day ("the fourth of March", "четвёртого марта", "الرابع من مارس").
 *
 * Digits: ASCII, Arabic-Indic and Eastern Arabic-Indic; grouped with a (no-break) space, comma, ' or ٬; a decimal
 * point, ٫, or (Russian) a comma. Scale words and abbreviations follow digits ("4,2 млн", "$4.6m", "٢٥٠ مليون").
 *
 * What is not reported (see bench/assist/README.md for the labelling rules this follows): "one" alone ("one of",
 * "одна из", "أحد"), vague plurals ("thousands of", "тысячи", "آلاف"), first/second/third outside dates and
 * compounds ("first of all", "во-вторых", "ثانيا", "30 ثانية"), decades in words ("девяностые годы").
 *
 * Runs anywhere: no DOM, no Node.
 */
import { add, decimal, fromDigits, isInteger, mul, toNumber, toPlainString, ZERO, type Decimal } from './decimal';
import { NumberBuilder } from './number-builder';
import {
  arabicTwoWordMonth,
  CURRENCY_SIGNS,
  currencyWord,
  lookupNumberWord,
  monthName,
  monthWord,
} from './number-words';
import { fold } from './word-forms';

/** A number found in a line. `[start, end)` are UTF-16 offsets; `text` is what was said. */
export interface NumberMention {
  start: number;
  end: number;
  text: string;
  /** The value as a plain decimal string: "340000000", "1.5", "2022". */
  value: string;
  /** `%`, an ISO 4217 currency code, `year`, `ordinal`, an English month name (a day of that month), or null. */
  unit: string | null;
}

interface Token {
  kind: 'digits' | 'word' | 'sign';
  text: string;
  folded: string;
  start: number;
  end: number;
}

const DIGIT = '[0-9\u0660-\u0669\u06f0-\u06f9]';
const TOKEN = new RegExp(
  `(${DIGIT}+(?:[.,\u066b\u066c'\u00a0\u202f]${DIGIT}+|(?: ${DIGIT}{3}(?!${DIGIT})))*)|([\\p{L}\\p{M}]+)|([%\u066a$€£₽])`,
  'gu',
);

function tokenizeNumbers(text: string): Token[] {
  const out: Token[] = [];
  const re = new RegExp(TOKEN.source, TOKEN.flags);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const kind = m[1] ? 'digits' : m[2] ? 'word' : 'sign';
    let raw = m[0];
    // "2030 250": a space group only follows a leading group of at most three digits.
    if (kind === 'digits') {
      const lead = /^[^ ]+/.exec(raw)![0];
      if (lead.length < raw.length && lead.replace(/\D/gu, '').length > 3 && !/[.,\u066b\u066c'\u00a0\u202f]/.test(lead)) raw = lead;
    }
    out.push({ kind, text: raw, folded: kind === 'word' ? fold(raw) : raw, start: m.index, end: m.index + raw.length });
    re.lastIndex = m.index + raw.length;
  }
  return out;
}

const toAsciiDigits = (s: string): string =>
  s.replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660)).replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x6f0));

/** The value of a digit group; `commaIsDecimal` for Russian ("11,4"). */
export function parseDigits(raw: string, commaIsDecimal: boolean): Decimal {
  const s = toAsciiDigits(raw).replace(/[\u00a0\u202f' \u066c]/g, (c) => (c === '\u066c' ? ',' : ''));
  const normal = s.replace(/\u066b/g, '.');
  const commas = (normal.match(/,/g) ?? []).length;
  const dots = (normal.match(/\./g) ?? []).length;
  let int: string;
  let frac = '';
  if (commas > 0 && dots > 0) {
    const decimalSep = normal.lastIndexOf(',') > normal.lastIndexOf('.') ? ',' : '.';
    const [i, f = ''] = normal.split(decimalSep);
    int = i!.replace(/[.,]/g, '');
    frac = f;
  } else if (commas === 1 && (commaIsDecimal || !/,\d{3}$/.test(normal))) {
    [int, frac = ''] = normal.split(',') as [string, string?];
  } else if (dots === 1) {
    [int, frac = ''] = normal.split('.') as [string, string?];
  } else {
    int = normal.replace(/[.,]/g, '');
  }
  return fromDigits(int, frac);
}

/** Scale abbreviations written after digits. */
const SCALE_ABBREVIATIONS: Record<string, number> = { k: 1e3, m: 1e6, mn: 1e6, mln: 1e6, bn: 1e9, b: 1e9, tn: 1e12 };
const ENGLISH_ORDINAL_SUFFIX = /^(?:st|nd|rd|th)$/;

interface Phrase {
  first: number;
  last: number;
  value: Decimal;
  ordinal: boolean;
  /** Made of a single "one" word (or a lone first/second/third). */
  lone: 'one' | 'small-ordinal' | 'plural-ordinal' | null;
  /** Contains a scale word or abbreviation. */
  scaled: boolean;
  /** Only words, no digits. */
  wordsOnly: boolean;
  unit: string | null;
}

/** Text between two tokens that keeps a number together: spaces or a hyphen. */
const JOINS = /^[\s\u00a0\u202f\-\u2010\u2011]*$/u;

const isArabicWord = (t: Token | undefined): boolean => !!t && /[\u0600-\u06ff]/.test(t.text);

/** Reads every number of `text` (see the module comment). `lang` decides whether "11,4" is a decimal. */
export function readNumbers(text: string, lang?: string): NumberMention[] {
  const tokens = tokenizeNumbers(text);
  const commaIsDecimal = lang ? lang.startsWith('ru') : /[\u0400-\u04ff]/.test(text);
  const joined = (a: Token, b: Token): boolean => JOINS.test(text.slice(a.end, b.start));
  const out: NumberMention[] = [];
  let i = 0;
  while (i < tokens.length) {
    const phrase = readPhrase(tokens, i, joined, commaIsDecimal);
    if (!phrase) {
      i++;
      continue;
    }
    const following = readPhrase(tokens, phrase.last + 1, joined, commaIsDecimal);
    const year = following ? spokenYear(phrase, following, tokens, joined) : null;
    const done = finish(year ?? phrase, tokens, text, joined);
    if (done) out.push(done.mention);
    // Whatever the unit took ("في المائة", "of March") is not read again.
    i = Math.max((year ?? phrase).last, done?.last ?? 0) + 1;
  }
  propagateRangeUnits(out, text);
  return out;
}

function readPhrase(tokens: Token[], from: number, joined: (a: Token, b: Token) => boolean, commaIsDecimal: boolean): Phrase | null {
  const b = new NumberBuilder();
  let last = -1;
  let wordsOnly = true;
  let i = from;
  const t0 = tokens[from];
  if (!t0 || t0.kind === 'sign') return null;
  if (t0.kind === 'digits') {
    b.group = parseDigits(t0.text, commaIsDecimal);
    b.groupHas = true;
    b.slots = { hundreds: true, tens: true, units: true };
    b.parts = 1;
    wordsOnly = false;
    last = from;
    i = from + 1;
    const next = tokens[i];
    // 4th, 21st; 4.6m, 5bn.
    if (next && next.kind === 'word' && next.start === t0.end) {
      if (ENGLISH_ORDINAL_SUFFIX.test(next.folded)) {
        b.ordinal = true;
        last = i++;
      } else if (SCALE_ABBREVIATIONS[next.folded] && (next.folded !== 'm' || hasCurrencyBefore(tokens, from))) {
        b.total = mul(b.group, decimal(SCALE_ABBREVIATIONS[next.folded]!));
        b.group = ZERO;
        b.groupHas = false;
        b.scaled = true;
        b.lastScale = SCALE_ABBREVIATIONS[next.folded]!;
        last = i++;
      }
    }
  } else if (t0.kind === 'word') {
    // "half a million", "نصف مليون", "نصف في المائة".
    const start = lookupNumberWord(t0.folded);
    if (start?.word.kind === 'half') {
      const n1 = tokens[from + 1];
      const n2 = tokens[from + 2];
      const w1 = n1 && joined(t0, n1) ? lookupNumberWord(n1.folded)?.word : undefined;
      const w2 = n2 && n1 && joined(n1, n2) ? lookupNumberWord(n2.folded)?.word : undefined;
      if (w1?.kind === 'scale' || (w1?.kind === 'a' && w2?.kind === 'scale')) {
        b.pendingHalf = true;
        b.parts = 1;
        last = from;
        i = from + 1;
      } else if (n1 && joined(t0, n1) && percentAt(tokens, from + 1, joined)) {
        b.group = decimal(5, 1);
        b.groupHas = true;
        b.parts = 1;
        last = from;
        i = from + 1;
      } else return null;
    }
  }
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1]!;
    if (last >= 0 && !joined(prev, t)) break;
    if (t.kind !== 'word') break;
    const f = t.folded;
    // "بالمئة", "في المائة" close a number rather than multiply it.
    if (last >= 0 && percentAt(tokens, i, joined) !== null) break;
    // Connectors inside a number: "three hundred and forty", "ثلاثمائة و أربعين", "двенадцать с половиной".
    if (last >= 0 && (f === 'and' || f === 'و')) {
      const next = tokens[i + 1];
      if (!next || !joined(t, next)) break;
      const nextWord = lookupNumberWord(next.folded);
      if (f === 'and' && next.folded === 'a' && tokens[i + 2]?.folded === 'half' && joined(next, tokens[i + 2]!)) {
        b.addHalf();
        last = i + 2;
        i += 2;
        continue;
      }
      if (nextWord && nextWord.word.kind !== 'a' && nextWord.word.kind !== 'zero') continue;
      if (f === 'و' && next.folded === 'نصف') continue;
      break;
    }
    if (last >= 0 && f === 'с' && tokens[i + 1]?.folded === 'половиной' && joined(t, tokens[i + 1]!)) {
      b.addHalf();
      last = i + 1;
      i += 1;
      continue;
    }
    // "point five", "три целых две десятых", "اثنان فاصل خمسة".
    if (last >= 0 && b.groupHas && (f === 'point' || f === 'فاصل' || f === 'فاصله' || f === 'целых' || f === 'целая' || f === 'целой')) {
      const fraction = readFraction(tokens, i + 1, joined, f.startsWith('цел'));
      if (fraction) {
        b.group = add(b.group, fraction.value);
        last = fraction.last;
        i = fraction.last;
        continue;
      }
      break;
    }
    const found = lookupNumberWord(f);
    if (!found) break;
    const w = found.word;
    if (w.kind === 'half') {
      // "ونصف المليون" after a scale.
      if (found.conjunction && last >= 0 && b.lastScale) {
        b.addHalf();
        last = i;
        const n = tokens[i + 1];
        const nw = n && joined(t, n) ? lookupNumberWord(n.folded)?.word : undefined;
        if (nw?.kind === 'scale' && nw.value === b.lastScale) {
          last = i + 1;
          i += 1;
        }
        continue;
      }
      break;
    }
    if (!b.accept(w, isArabicWord(t))) break;
    if (w.kind !== 'a') last = i;
  }
  if (last < 0 || b.parts === 0 || b.pendingA) return null;
  if (b.pendingHalf) return null;
  return {
    first: from,
    last,
    value: b.value(),
    ordinal: b.ordinal,
    lone: b.onlyOne ? 'one' : b.smallOrdinal ? 'small-ordinal' : b.pluralOrdinal ? 'plural-ordinal' : null,
    scaled: b.scaled,
    wordsOnly,
    unit: null,
  };
}

/** The fractional part after "point" / "целых" (with its "десятых"/"сотых"). */
function readFraction(tokens: Token[], from: number, joined: (a: Token, b: Token) => boolean, russian: boolean): { value: Decimal; last: number } | null {
  if (russian) {
    const inner = readPhrase(tokens, from, joined, true);
    if (!inner || inner.ordinal) return null;
    const denomToken = tokens[inner.last + 1];
    if (!denomToken || !joined(tokens[inner.last]!, denomToken)) return null;
    const places = /^десят/.test(denomToken.folded) ? 1 : /^сот/.test(denomToken.folded) ? 2 : /^тысячн/.test(denomToken.folded) ? 3 : 0;
    if (!places) return null;
    return { value: { m: inner.value.m, e: inner.value.e + places }, last: inner.last + 1 };
  }
  let digits = '';
  let last = -1;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (i > from && !joined(tokens[i - 1]!, t)) break;
    const w = t.kind === 'word' ? lookupNumberWord(t.folded)?.word : undefined;
    if (w?.kind === 'unit') digits += String(w.value);
    else if (w?.kind === 'zero') digits += '0';
    else break;
    last = i;
  }
  if (!digits) return null;
  return { value: fromDigits('0', digits), last };
}

function hasCurrencyBefore(tokens: Token[], at: number): boolean {
  const prev = tokens[at - 1];
  return !!prev && prev.kind === 'sign' && prev.text in CURRENCY_SIGNS && prev.end === tokens[at]!.start;
}

/** Whether a percent word or sign starts at token `at`; returns the last token of it. */
function percentAt(tokens: Token[], at: number, joined: (a: Token, b: Token) => boolean): number | null {
  const t = tokens[at];
  if (!t) return null;
  if (t.kind === 'sign' && (t.text === '%' || t.text === '\u066a')) return at;
  if (t.kind !== 'word') return null;
  const f = t.folded;
  if (f === 'percent' || /^процент(?:а|ов|ам|ами|ах|е|у|ом)?$/.test(f) || f === 'بالمائه' || f === 'بالمئه' || f === 'بالميه') return at;
  const n = tokens[at + 1];
  if (!n || !joined(t, n)) return null;
  if (f === 'per' && (n.folded === 'cent' || n.folded === 'centum')) return at + 1;
  if ((f === 'في' || f === 'فى') && (n.folded === 'المائه' || n.folded === 'المئه' || n.folded === 'الميه')) return at + 1;
  return null;
}

/** "twenty twenty-two", "nineteen ninety": two English word numbers of two digits each make a year. */
function spokenYear(a: Phrase, b: Phrase, tokens: Token[], joined: (a: Token, b: Token) => boolean): Phrase | null {
  if (!a.wordsOnly || !b.wordsOnly || a.ordinal || b.ordinal || a.scaled || b.scaled) return null;
  if (a.last + 1 !== b.first || !joined(tokens[a.last]!, tokens[b.first]!)) return null;
  if (!/^[a-z]/.test(tokens[a.first]!.folded)) return null;
  const x = toNumber(a.value);
  const y = toNumber(b.value);
  if (!isInteger(a.value) || !isInteger(b.value) || x < 10 || x > 29 || y < 10 || y > 99) return null;
  return { ...a, last: b.last, value: decimal(x * 100 + y), unit: 'year', lone: null };
}

const YEAR_BEFORE = new Set(['year', 'عام', 'العام', 'سنه', 'السنه', 'لعام', 'وعام']);
const YEAR_AFTER = /^(?:год|года|году|годом|годе|г)$/;
const OF_WORDS = new Set(['of', 'من']);

/** Turns a phrase into a mention: units (percent, currency, date, year), filters, and the spoken text. */
function finish(p: Phrase, tokens: Token[], text: string, joined: (a: Token, b: Token) => boolean): { mention: NumberMention; last: number } | null {
  let first = p.first;
  let last = p.last;
  let unit = p.unit;
  const value = p.value;
  const n = toNumber(value);
  const next = (k: number): Token | undefined => (tokens[k] && joined(tokens[k - 1]!, tokens[k]!) ? tokens[k] : undefined);

  // Currency sign before: "$1,200", "€250 million".
  const before = tokens[first - 1];
  if (!unit && before?.kind === 'sign' && before.text in CURRENCY_SIGNS && JOINS.test(text.slice(before.end, tokens[first]!.start))) {
    unit = CURRENCY_SIGNS[before.text]!;
    first -= 1;
    if (tokens[first - 1]?.folded === 'us' && tokens[first - 1]!.end === tokens[first]!.start) first -= 1;
  }
  // Arabic percent sign before the digits: ٪٧٥.
  if (!unit && before?.kind === 'sign' && before.text === '\u066a' && before.end === tokens[first]!.start) {
    unit = '%';
    first -= 1;
  }

  // After: percent, currency (optionally after "US"), Russian abbreviations and years, dates.
  if (!unit) {
    const pct = next(last + 1) ? percentAt(tokens, last + 1, joined) : null;
    if (pct !== null) {
      unit = '%';
      last = pct;
    }
  }
  if (!unit) {
    let k = last + 1;
    if (next(k) && (next(k)!.folded === 'us' || next(k)!.folded === 'u')) k++;
    const t = next(k);
    const code = t ? (t.kind === 'sign' ? (CURRENCY_SIGNS[t.text] ?? null) : currencyWord(t.folded)) : null;
    if (code) {
      unit = code;
      last = k;
      const after = next(k + 1);
      // "долларов США", "دولار أمريكي".
      if (after && (after.folded === 'сша' || after.folded === 'امريكي')) last = k + 1;
    }
  }
  const dayLike = isInteger(value) && n >= 1 && n <= 31 && !p.scaled;
  if (!unit && dayLike) {
    // "4 March", "четвёртого марта", "the fourth of March", "الرابع من مارس", "الرابع عشر من تشرين الثاني".
    let k = last + 1;
    if (next(k) && OF_WORDS.has(next(k)!.folded)) k++;
    const t = next(k);
    if (t && t.kind === 'word') {
      let month = monthWord(t.folded);
      let end = k;
      const t2 = next(k + 1);
      if (t2) {
        const two = arabicTwoWordMonth(t.folded, t2.folded);
        if (two !== null) {
          month = two;
          end = k + 1;
        }
      }
      if (month !== null && (k === last + 1 || p.ordinal || !p.wordsOnly)) {
        unit = monthName(month);
        last = end;
      }
    }
    // "March 4", "May 3rd", "on May the 3rd".
    if (!unit) {
      let k2 = first - 1;
      if (tokens[k2]?.folded === 'the' && joined(tokens[k2]!, tokens[first]!)) k2--;
      const m = tokens[k2];
      if (m && m.kind === 'word' && /^[A-Z]/.test(m.text) && joined(m, tokens[k2 + 1]!)) {
        const month = monthWord(m.folded);
        if (month !== null && !/[\u0400-\u04ff\u0600-\u06ff]/.test(m.text)) {
          unit = monthName(month);
          first = k2;
        }
      }
    }
  }
  // Filters: "one" alone, first/second/third outside dates, decades in words.
  // A month name (not a currency code) as unit: a day of the month.
  const dated = unit !== null && /^[A-Z][a-z]/.test(unit);
  if (p.lone === 'one' && !unit && !p.scaled) return null;
  if (p.lone === 'small-ordinal' && !dated) return null;
  if (p.lone === 'plural-ordinal' && !dated) return null;

  if (!unit) {
    const after = next(last + 1);
    const prevWord = tokens[first - 1];
    const yearAfter = after && YEAR_AFTER.test(after.folded);
    const yearBefore = prevWord && YEAR_BEFORE.has(prevWord.folded) && joined(prevWord, tokens[first]!);
    if ((yearAfter || yearBefore) && isInteger(value) && n >= 1000 && n <= 2199) {
      unit = 'year';
      if (yearAfter) last += 1;
    } else if (!p.ordinal && isInteger(value) && n >= 1900 && n <= 2100 && !p.scaled && !p.wordsOnly && /^\d{4}$/.test(toAsciiDigits(tokens[p.first]!.text))) {
      unit = 'year';
    } else if (p.wordsOnly && !p.ordinal && isInteger(value) && n >= 1900 && n <= 2100 && tokens[p.first - 1] && /^(?:in|since|by|until|from|of|before|after|عام|العام)$/.test(tokens[p.first - 1]!.folded)) {
      unit = 'year';
    } else if (p.ordinal) unit = 'ordinal';
  }
  const start = tokens[first]!.start;
  const end = tokens[last]!.end;
  return { mention: { start, end, text: text.slice(start, end), value: toPlainString(value), unit }, last };
}

/** "between 10 and 15 per cent", "10–15 процентов": the first number of a range takes the unit of the second. */
function propagateRangeUnits(mentions: NumberMention[], text: string): void {
  for (let k = 0; k + 1 < mentions.length; k++) {
    const a = mentions[k]!;
    const b = mentions[k + 1]!;
    if (a.unit !== null || b.unit === null || b.unit === 'year' || b.unit === 'ordinal') continue;
    if (/^[A-Z][a-z]/.test(b.unit) && !/^[A-Z]{3}$/.test(b.unit)) continue;
    if (/^\s*(?:-|–|—|to|and|и|до|و|или|or)\s*$/u.test(text.slice(a.end, b.start))) a.unit = b.unit;
  }
}
