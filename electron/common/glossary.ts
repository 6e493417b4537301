/**
 * The event glossary: terms in Arabic, English and Russian that interpreters look out for. Imported as CSV
 * (header `en,ru,ar` in any order, RFC 4180 quoting), used by the console to highlight terms in the floor
 * transcript (in any of the three languages) and by the speech-to-text side as a prompt that nudges
 * recognition towards the event's vocabulary.
 *
 * Runs anywhere: no DOM, no Node.
 */
import { fail, ok, type Result } from './result';

/** The languages a glossary row can carry. */
export const GLOSSARY_LANGUAGES = ['en', 'ru', 'ar'] as const;
export type GlossaryLanguage = (typeof GLOSSARY_LANGUAGES)[number];

/** One row of the glossary: the same concept in up to three languages (at least one is set). */
export type GlossaryTerm = Partial<Record<GlossaryLanguage, string>>;

/** Most rows a glossary may hold; a bigger file is refused rather than slowing every highlight pass. */
export const MAX_GLOSSARY_TERMS = 5000;

/** Longest single term, in UTF-16 code units. */
export const MAX_TERM_LENGTH = 120;

/** Error codes of {@link parseGlossaryCsv}. */
export const GLOSSARY_ERROR_CODES = {
  GLOSSARY_EMPTY: 'GLOSSARY_EMPTY',
  GLOSSARY_BAD_HEADER: 'GLOSSARY_BAD_HEADER',
  GLOSSARY_BAD_QUOTING: 'GLOSSARY_BAD_QUOTING',
  GLOSSARY_TOO_LARGE: 'GLOSSARY_TOO_LARGE',
} as const;

/**
 * Splits CSV text into rows of fields (RFC 4180: `"` quotes a field, `""` inside quotes is a quote, commas,
 * CR and LF inside quotes are data). Accepts `\n`, `\r\n` and `\r` line ends and a leading byte-order mark.
 * Fails with `GLOSSARY_BAD_QUOTING` on an unterminated quote or text after a closing quote.
 */
export function parseCsv(text: string): Result<string[][]> {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let line = 1;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '"' && field === '') {
      // A quoted field: read to the closing quote.
      i++;
      let closed = false;
      while (i < src.length) {
        const c = src[i]!;
        if (c === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      if (!closed) return fail(GLOSSARY_ERROR_CODES.GLOSSARY_BAD_QUOTING, `Unterminated quoted field starting on line ${line}.`);
      const next = src[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        return fail(GLOSSARY_ERROR_CODES.GLOSSARY_BAD_QUOTING, `Text after a closing quote on line ${line}.`);
      }
      if (field === '') field = '\u0000';
      continue;
    }
    if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      line++;
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length > 0) endRow();
  // An empty quoted field ("") was marked so that `field === ''` above did not re-enter quote mode; unmark it.
  return ok(rows.map((r) => r.map((f) => (f === '\u0000' ? '' : f))));
}

/**
 * Parses a glossary CSV. The first non-empty row is the header and must name at least one of `en`, `ru`, `ar`
 * (case-insensitive, any order; other columns are ignored). Rows with no term are skipped; whitespace around
 * terms is trimmed; exact duplicate rows are dropped.
 */
export function parseGlossaryCsv(text: string): Result<GlossaryTerm[]> {
  const parsed = parseCsv(text);
  if (!parsed.ok) return parsed;
  const rows = parsed.value.filter((r) => r.some((f) => f.trim() !== ''));
  const header = rows[0];
  if (!header) return fail(GLOSSARY_ERROR_CODES.GLOSSARY_EMPTY, 'The glossary file is empty.');
  const columns = new Map<GlossaryLanguage, number>();
  header.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if ((GLOSSARY_LANGUAGES as readonly string[]).includes(key) && !columns.has(key as GlossaryLanguage)) {
      columns.set(key as GlossaryLanguage, index);
    }
  });
  if (columns.size === 0) {
    return fail(GLOSSARY_ERROR_CODES.GLOSSARY_BAD_HEADER, 'The first row must name the columns en, ru and ar (at least one of them).');
  }
  if (rows.length - 1 > MAX_GLOSSARY_TERMS) {
    return fail(GLOSSARY_ERROR_CODES.GLOSSARY_TOO_LARGE, `The glossary has ${rows.length - 1} rows; at most ${MAX_GLOSSARY_TERMS} are allowed.`);
  }
  const terms: GlossaryTerm[] = [];
  const seen = new Set<string>();
  for (const row of rows.slice(1)) {
    const term: GlossaryTerm = {};
    for (const [lang, index] of columns) {
      const value = (row[index] ?? '').trim().replace(/\s+/g, ' ');
      if (value !== '' && value.length <= MAX_TERM_LENGTH) term[lang] = value;
    }
    const key = JSON.stringify([term.en ?? '', term.ru ?? '', term.ar ?? '']);
    if (key === '["","",""]' || seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  return ok(terms);
}

/** A term found in a text: `[start, end)` are UTF-16 offsets into the original text. */
export interface GlossaryMatch {
  start: number;
  end: number;
  /** The glossary row the match belongs to (shows the other languages as a hint). */
  term: GlossaryTerm;
  /** Which language of the row matched. */
  lang: GlossaryLanguage;
}

const ARABIC_DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}\p{M}]/u;

/**
 * Folds one character for matching: lower case, Arabic alef and yeh/teh-marbuta variants unified, Russian
 * ё as е. Arabic diacritics and tatweel fold to '' (dropped), so "الْأُمَم" matches "الامم".
 */
function foldChar(ch: string): string {
  if (ARABIC_DIACRITICS.test(ch)) return '';
  switch (ch) {
    case 'أ':
    case 'إ':
    case 'آ':
    case 'ٱ':
      return 'ا';
    case 'ى':
      return 'ي';
    case 'ة':
      return 'ه';
    case 'ё':
    case 'Ё':
      return 'е';
    default:
      return ch.toLowerCase();
  }
}

/** The folded text and, for every folded code unit, the offset of the original character it came from. */
interface FoldedText {
  text: string;
  origin: number[];
}

function fold(text: string): FoldedText {
  let out = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const folded = foldChar(ch);
    for (let k = 0; k < folded.length; k++) origin.push(i);
    out += folded;
    i += ch.length;
  }
  origin.push(text.length);
  return { text: out, origin };
}

/** Arabic proclitics that may be written onto a term: و (and), ف (so), ب (with), ل (for), ك (like), and ال. */
const ARABIC_PREFIX = /^(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)$/;

interface PreparedTerm {
  folded: string;
  term: GlossaryTerm;
  lang: GlossaryLanguage;
}

/**
 * Finds glossary terms in text, in any of the three languages, case- and diacritic-insensitively, on word
 * boundaries (an Arabic term may carry a proclitic such as و or ال). Overlapping matches resolve to the
 * earliest, then the longest.
 */
export class GlossaryMatcher {
  private readonly prepared: PreparedTerm[];

  /** Number of glossary rows. */
  readonly size: number;

  constructor(readonly terms: readonly GlossaryTerm[]) {
    this.size = terms.length;
    const prepared: PreparedTerm[] = [];
    for (const term of terms) {
      for (const lang of GLOSSARY_LANGUAGES) {
        const value = term[lang];
        if (!value) continue;
        const folded = fold(value).text;
        if (folded.length >= 2) prepared.push({ folded, term, lang });
      }
    }
    // Longest first: at one start position the longer term wins.
    prepared.sort((a, b) => b.folded.length - a.folded.length);
    this.prepared = prepared;
  }

  /** All non-overlapping term occurrences in `text`, in order. */
  match(text: string): GlossaryMatch[] {
    if (this.prepared.length === 0 || text.length === 0) return [];
    const folded = fold(text);
    const found: GlossaryMatch[] = [];
    for (const p of this.prepared) {
      let from = 0;
      for (;;) {
        const at = folded.text.indexOf(p.folded, from);
        if (at < 0) break;
        from = at + 1;
        const endFolded = at + p.folded.length;
        const after = folded.text[endFolded];
        if (after !== undefined && LETTER_OR_DIGIT.test(after)) continue;
        let startFolded = at;
        if (!this.wordStartsAt(folded.text, at)) {
          if (p.lang !== 'ar') continue;
          const wordStart = this.wordStartBefore(folded.text, at);
          if (!ARABIC_PREFIX.test(folded.text.slice(wordStart, at))) continue;
          // Highlight the whole written word, proclitic included.
          startFolded = wordStart;
        }
        found.push({
          start: folded.origin[startFolded]!,
          end: this.originalEnd(text, folded.origin, endFolded),
          term: p.term,
          lang: p.lang,
        });
      }
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const result: GlossaryMatch[] = [];
    let reached = 0;
    for (const m of found) {
      if (m.start < reached) continue;
      result.push(m);
      reached = m.end;
    }
    return result;
  }

  /**
   * Terms of one language for a speech-to-text prompt ("Glossary: a, b, c"), most recent rows first, cut to
   * `maxChars`. Empty string when the glossary has no term in that language.
   */
  promptFor(lang: GlossaryLanguage, maxChars = 600): string {
    return glossaryPrompt(this.terms, lang, maxChars);
  }

  private wordStartsAt(text: string, at: number): boolean {
    return at === 0 || !LETTER_OR_DIGIT.test(text[at - 1]!);
  }

  private wordStartBefore(text: string, at: number): number {
    let i = at;
    while (i > 0 && LETTER_OR_DIGIT.test(text[i - 1]!)) i--;
    return i;
  }

  /** Original end offset for a folded end offset, including any dropped diacritics that follow the last letter. */
  private originalEnd(text: string, origin: number[], endFolded: number): number {
    let end = origin[endFolded]!;
    while (end < text.length && ARABIC_DIACRITICS.test(text[end]!)) end++;
    return end;
  }
}

/**
 * The speech-to-text prompt for a glossary: the terms of `lang`, comma-separated, within `maxChars` (whisper's
 * prompt window is small; the last rows of a file tend to be the most specific, so they are kept first).
 */
export function glossaryPrompt(terms: readonly GlossaryTerm[], lang: GlossaryLanguage, maxChars = 600): string {
  const picked: string[] = [];
  let length = 0;
  for (let i = terms.length - 1; i >= 0; i--) {
    const value = terms[i]![lang];
    if (!value) continue;
    const extra = value.length + (picked.length > 0 ? 2 : 0);
    if (length + extra > maxChars) break;
    picked.push(value);
    length += extra;
  }
  return picked.reverse().join(', ');
}
