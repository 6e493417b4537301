/**
 * The event glossary: terms in Arabic, English and Russian that interpreters look out for. Imported as CSV
 * (header `en,ru,ar` in any order, RFC 4180 quoting, parsed by Papa Parse), matched in the floor transcript by
 * `term-matcher.ts` (highlights, the assist rail) and used by the speech-to-text side as a prompt that nudges
 * recognition towards the event's vocabulary.
 *
 * A cell may hold several forms separated by `|` (a broken plural the stemmer cannot derive, a surname alone:
 * `دولة عضو|الدول الأعضاء`, `Kassym-Jomart Tokayev|Tokayev`), and a form may end in an acronym in brackets:
 * `Shanghai Cooperation Organisation (SCO)` matches the full name and the acronym alone.
 *
 * This file holds the one glossary row type and its schema; the console settings and the speech-to-text
 * contract import them from here.
 *
 * Runs anywhere: no DOM, no Node.
 */
import Papa from 'papaparse';
import { z } from 'zod';
import { fail, ok, type Result } from './result';

/** The languages a glossary row can carry. */
export const GLOSSARY_LANGUAGES = ['en', 'ru', 'ar'] as const;
export type GlossaryLanguage = (typeof GLOSSARY_LANGUAGES)[number];

/** True when `code` is a glossary column's language. */
export function isGlossaryLanguage(code: string): code is GlossaryLanguage {
  return (GLOSSARY_LANGUAGES as readonly string[]).includes(code);
}

/**
 * A glossary language whose rows do not all fit the speech-to-text prompt: how many of its rows the prompt carries
 * (the first, in file order) of how many have that language. The others are matched on the rail but do not steer
 * recognition.
 */
export interface GlossaryPromptCarry {
  lang: GlossaryLanguage;
  rows: number;
  of: number;
}

/** Most rows a glossary may hold; a bigger file is refused rather than slowing every highlight pass. */
export const MAX_GLOSSARY_TERMS = 5000;

/** Longest cell (all its forms), in UTF-16 code units. */
export const MAX_TERM_LENGTH = 200;

/** One glossary row: the same concept in up to three languages, each cell one or more `|`-separated forms. */
export const glossaryTermSchema = z.strictObject({
  en: z.string().max(MAX_TERM_LENGTH).optional(),
  ru: z.string().max(MAX_TERM_LENGTH).optional(),
  ar: z.string().max(MAX_TERM_LENGTH).optional(),
});
export type GlossaryTerm = z.infer<typeof glossaryTermSchema>;

/** A row as the console stores it: at least one language present. */
export const storedGlossaryTermSchema = glossaryTermSchema.refine((t) => Boolean(t.en || t.ru || t.ar), 'a term needs at least one language');

/** Error codes of {@link parseGlossaryCsv}. */
export const GLOSSARY_ERROR_CODES = {
  GLOSSARY_EMPTY: 'GLOSSARY_EMPTY',
  GLOSSARY_BAD_HEADER: 'GLOSSARY_BAD_HEADER',
  GLOSSARY_BAD_QUOTING: 'GLOSSARY_BAD_QUOTING',
  GLOSSARY_TOO_LARGE: 'GLOSSARY_TOO_LARGE',
} as const;

/**
 * Parses a glossary CSV. The first non-empty row is the header and must name at least one of `en`, `ru`, `ar`
 * (case-insensitive, any order; other columns are ignored). Rows with no term are skipped; whitespace around
 * terms and forms is trimmed; exact duplicate rows are dropped; a cell longer than {@link MAX_TERM_LENGTH} is
 * left out of its row. A malformed quote fails with the line it is on, so nothing half-read is imported.
 */
export function parseGlossaryCsv(text: string): Result<GlossaryTerm[]> {
  const parsed = Papa.parse<string[]>(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, { skipEmptyLines: 'greedy', delimiter: ',' });
  const quoting = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoting) {
    const line = text.slice(0, quoting.index ?? 0).split(/\r\n|\r|\n/).length;
    return fail(GLOSSARY_ERROR_CODES.GLOSSARY_BAD_QUOTING, `Malformed quoted field near line ${line}: ${quoting.message}.`);
  }
  const rows = parsed.data;
  const header = rows[0];
  if (!header) return fail(GLOSSARY_ERROR_CODES.GLOSSARY_EMPTY, 'The glossary file is empty.');
  const columns = new Map<GlossaryLanguage, number>();
  header.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if (isGlossaryLanguage(key) && !columns.has(key)) {
      columns.set(key, index);
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
      const value = splitForms(row[index] ?? '').join('|');
      if (value !== '' && value.length <= MAX_TERM_LENGTH) term[lang] = value;
    }
    const key = JSON.stringify([term.en ?? '', term.ru ?? '', term.ar ?? '']);
    if (key === '["","",""]' || seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  return ok(terms);
}

/** The `|`-separated forms of a cell, trimmed, inner whitespace collapsed, empty ones dropped. */
export function splitForms(cell: string): string[] {
  return cell
    .split('|')
    .map((f) => f.trim().replace(/\s+/g, ' '))
    .filter((f) => f !== '');
}

/** One form of a cell, with a trailing bracketed acronym split off: `Shanghai Cooperation Organisation (SCO)`. */
export interface TermForm {
  /** The name without the acronym (empty when the form is only an acronym in brackets). */
  name: string;
  /** The acronym in brackets at the end, if any. */
  acronym: string | null;
}

const TRAILING_ACRONYM = /^(.*?)\s*\(([^()]+)\)$/u;

/** The forms of a cell: `|`-separated, each with its acronym split off. */
export function termForms(cell: string | undefined): TermForm[] {
  if (!cell) return [];
  return splitForms(cell).map((form) => {
    const m = TRAILING_ACRONYM.exec(form);
    return m ? { name: m[1]!.trim(), acronym: m[2]!.trim() } : { name: form, acronym: null };
  });
}

/** The first form of a cell, as a reader should see it (`Shanghai Cooperation Organisation (SCO)`). */
export function primaryForm(cell: string | undefined): string {
  return splitForms(cell ?? '')[0] ?? '';
}

/**
 * The words a speech-to-text prompt should carry for one cell: each form's name, then its acronym, without
 * repeats (`Shanghai Cooperation Organisation (SCO)|SCO` gives the name and `SCO`).
 */
export function promptWords(cell: string | undefined): string[] {
  const out: string[] = [];
  for (const form of termForms(cell)) {
    for (const w of [form.name, form.acronym]) if (w && !out.includes(w)) out.push(w);
  }
  return out;
}
