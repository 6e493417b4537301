/**
 * The booth assistant's step: what of a floor line an interpreter needs at a glance, in the booth's language.
 * One pass feeds the floor transcript highlights (`highlight.ts`), the assist rail in the console and the
 * `npm run assist` command line:
 * - numbers (`number-reader.ts`), with their unit;
 * - glossary terms (`term-matcher.ts`), with the booth language's equivalent;
 * - names and acronyms the glossary does not know (`names.ts`).
 *
 * Where they overlap, a term wins over a number and a name, a number over a name ("March" in "4 March").
 *
 * Runs anywhere: no DOM, no Node.
 */
import { GLOSSARY_LANGUAGES, termForms, type GlossaryLanguage, type GlossaryTerm } from './glossary';
import { findNames, type NameMention } from './names';
import { readNumbers, type NumberMention } from './number-reader';
import type { GlossaryMatcher } from './term-matcher';

/** A glossary term found in a line. */
export interface TermMention {
  start: number;
  end: number;
  text: string;
  /** The glossary row. */
  row: GlossaryTerm;
  /** The language of the form that matched. */
  lang: GlossaryLanguage;
  /** The acronym alone was said. */
  viaAcronym: boolean;
  /** The row's form in the booth's language (falls back to another language when the row has none). */
  equivalent: string;
}

/** What the assistant found in one line, each list in text order. */
export interface AssistFindings {
  numbers: NumberMention[];
  terms: TermMention[];
  names: NameMention[];
}

/** Inputs of {@link analyseFloorLine}. */
export interface AssistOptions {
  /** The glossary, prepared; null for none. */
  glossary: GlossaryMatcher | null;
  /** The booth's language (the language equivalents are shown in). */
  booth: GlossaryLanguage;
  /** The line's language as speech-to-text detected it (decides whether "11,4" is a decimal). */
  lang?: string;
}

/**
 * The booth's form of a glossary row: the acronym when the acronym was said and the booth's cell has one, else
 * the first form as written (`Шанхайская организация сотрудничества (ШОС)`). Rows without the booth's language
 * fall back to English, then Russian, then Arabic.
 */
export function boothEquivalent(row: GlossaryTerm, booth: GlossaryLanguage, viaAcronym = false): string {
  for (const lang of [booth, ...GLOSSARY_LANGUAGES.filter((l) => l !== booth)]) {
    const forms = termForms(row[lang]);
    const first = forms[0];
    if (!first) continue;
    if (viaAcronym && first.acronym) return first.acronym;
    return first.acronym ? (first.name ? `${first.name} (${first.acronym})` : first.acronym) : first.name;
  }
  return '';
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

/** Lines remembered per glossary: a partial is analysed once for the rail and once more for the highlights. */
const REMEMBERED_LINES = 400;
const remembered = new WeakMap<object, Map<string, AssistFindings>>();
const WITHOUT_GLOSSARY = {};

/**
 * Numbers, terms and names of one floor line (see the module comment). The result is remembered for the last
 * {@link REMEMBERED_LINES} lines per glossary, so the rail and the transcript highlights share one pass; treat it
 * as read-only.
 */
export function analyseFloorLine(text: string, options: AssistOptions): AssistFindings {
  const key = `${options.booth}\u0000${options.lang ?? ''}\u0000${text}`;
  let cache = remembered.get(options.glossary ?? WITHOUT_GLOSSARY);
  if (!cache) remembered.set(options.glossary ?? WITHOUT_GLOSSARY, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const found = analyse(text, options);
  if (cache.size >= REMEMBERED_LINES) cache.delete(cache.keys().next().value!);
  cache.set(key, found);
  return found;
}

function analyse(text: string, options: AssistOptions): AssistFindings {
  const terms: TermMention[] = (options.glossary?.match(text) ?? []).map((m) => ({
    start: m.start,
    end: m.end,
    text: text.slice(m.start, m.end),
    row: m.term,
    lang: m.lang,
    viaAcronym: m.viaAcronym,
    equivalent: boothEquivalent(m.term, options.booth, m.viaAcronym),
  }));
  const numbers = readNumbers(text, options.lang).filter((n) => !terms.some((t) => t.start <= n.start && n.end <= t.end));
  const names = findNames(text).filter((n) => !terms.some((t) => overlaps(t, n)) && !numbers.some((x) => overlaps(x, n)));
  return { numbers, terms, names };
}

/** One line's findings as the command line prints them (`npm run assist`). */
export interface AssistRecord {
  numbers: { text: string; value: string; unit: string | null }[];
  terms: { text: string; row: { en: string | null; ru: string | null; ar: string | null }; equivalent: string }[];
  names: { text: string; acronym: boolean }[];
}

/** The findings without offsets, rows with all three languages (null where the glossary has none). */
export function toAssistRecord(findings: AssistFindings): AssistRecord {
  return {
    numbers: findings.numbers.map((n) => ({ text: n.text, value: n.value, unit: n.unit })),
    terms: findings.terms.map((t) => ({ text: t.text, row: { en: t.row.en ?? null, ru: t.row.ru ?? null, ar: t.row.ar ?? null }, equivalent: t.equivalent })),
    names: findings.names.map((n) => ({ text: n.text, acronym: n.acronym })),
  };
}
