/**
 * The booth assistant's labelled set (bench/assist/) and its scoring: numbers by value (a multiset per sentence),
 * terms by glossary row (a set per sentence), units of the numbers found as a side figure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFloorLine } from '../electron/common/assist';
import { parseGlossaryCsv, primaryForm, termForms, type GlossaryLanguage, type GlossaryTerm } from '../electron/common/glossary';
import { GlossaryMatcher } from '../electron/common/term-matcher';

export const LABELLED_DIR = join(import.meta.dirname, 'assist');

/** One labelled sentence. */
export interface LabelledSentence {
  id: string;
  lang: GlossaryLanguage;
  text: string;
  /** Development half (odd lines) or held-out half (even lines). */
  half: 'dev' | 'held-out';
  numbers: { value: string; unit: string | null }[];
  /** Row ids: the first English form without its acronym. */
  terms: string[];
}

/** The id of a glossary row in the labelled set. */
export function rowId(row: GlossaryTerm): string {
  return termForms(row.en)[0]?.name ?? primaryForm(row.ru ?? row.ar);
}

export function loadGlossary(): GlossaryTerm[] {
  const parsed = parseGlossaryCsv(readFileSync(join(LABELLED_DIR, 'glossary.csv'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

export function loadSentences(): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  for (const lang of ['en', 'ru', 'ar'] as const) {
    const lines = readFileSync(join(LABELLED_DIR, `${lang}.tsv`), 'utf8').split('\n').filter((l) => l.trim() !== '');
    lines.forEach((line, index) => {
      const [text = '', numbers = '', terms = ''] = line.split('\t');
      out.push({
        id: `${lang}-${String(index + 1).padStart(2, '0')}`,
        lang,
        text,
        half: index % 2 === 0 ? 'dev' : 'held-out',
        numbers: numbers
          .split(';')
          .map((n) => n.trim())
          .filter(Boolean)
          .map((n) => {
            const [value = '', ...unit] = n.split(' ');
            return { value, unit: unit.length ? unit.join(' ') : null };
          }),
        terms: terms
          .split(';')
          .map((t) => t.trim())
          .filter(Boolean),
      });
    });
  }
  return out;
}

/** Counts of one scoring run. */
export interface Score {
  sentences: number;
  numberTp: number;
  numberFound: number;
  numberExpected: number;
  unitsRight: number;
  termTp: number;
  termFound: number;
  termExpected: number;
  /** Per sentence: what was missed and what was extra. */
  misses: { id: string; text: string; missedNumbers: string[]; extraNumbers: string[]; missedTerms: string[]; extraTerms: string[]; wrongUnits: string[] }[];
}

export function emptyScore(): Score {
  return { sentences: 0, numberTp: 0, numberFound: 0, numberExpected: 0, unitsRight: 0, termTp: 0, termFound: 0, termExpected: 0, misses: [] };
}

/** Runs the assist step on every sentence and scores it. */
export function scoreSentences(sentences: readonly LabelledSentence[], glossary: readonly GlossaryTerm[]): Score {
  const matcher = new GlossaryMatcher(glossary);
  const score = emptyScore();
  for (const s of sentences) {
    const found = analyseFloorLine(s.text, { glossary: matcher, booth: 'en', lang: s.lang });
    score.sentences++;
    const expected = [...s.numbers];
    const missedNumbers: string[] = [];
    const extraNumbers: string[] = [];
    const wrongUnits: string[] = [];
    for (const n of found.numbers) {
      const k = expected.findIndex((e) => e.value === n.value);
      if (k >= 0) {
        score.numberTp++;
        if ((expected[k]!.unit ?? null) === (n.unit ?? null)) score.unitsRight++;
        else wrongUnits.push(`${n.value}: ${n.unit ?? '-'} (want ${expected[k]!.unit ?? '-'})`);
        expected.splice(k, 1);
      } else extraNumbers.push(`${n.value}${n.unit ? ` ${n.unit}` : ''} «${n.text}»`);
    }
    missedNumbers.push(...expected.map((e) => `${e.value}${e.unit ? ` ${e.unit}` : ''}`));
    score.numberFound += found.numbers.length;
    score.numberExpected += s.numbers.length;
    const gotTerms = new Set(found.terms.map((t) => rowId(t.row)));
    const wantTerms = new Set(s.terms);
    for (const t of gotTerms) if (wantTerms.has(t)) score.termTp++;
    score.termFound += gotTerms.size;
    score.termExpected += wantTerms.size;
    const missedTerms = [...wantTerms].filter((t) => !gotTerms.has(t));
    const extraTerms = [...gotTerms].filter((t) => !wantTerms.has(t));
    if (missedNumbers.length || extraNumbers.length || missedTerms.length || extraTerms.length || wrongUnits.length) {
      score.misses.push({ id: s.id, text: s.text, missedNumbers, extraNumbers, missedTerms, extraTerms, wrongUnits });
    }
  }
  return score;
}

/** Precision and recall, 1 when there is nothing to find or nothing found. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 1 : part / whole;
}
