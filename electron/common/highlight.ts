/**
 * What an interpreter looks for in a transcript line: numbers (the first thing to get wrong under pressure),
 * names and glossary terms. `highlightLine` splits a line into plain spans that a page renders as text nodes
 * (never as HTML), each with a kind and an `uncertain` flag from speech-to-text.
 *
 * Runs anywhere: no DOM, no Node.
 */
import type { GlossaryMatcher, GlossaryTerm } from './glossary';

/** Kinds of highlighted spans; `plain` is everything else. */
export type SpanKind = 'plain' | 'number' | 'term' | 'name';

/** A piece of a line: `text === line.slice(start, end)`. */
export interface HighlightSpan {
  text: string;
  kind: SpanKind;
  start: number;
  end: number;
  /** Speech-to-text was unsure of (part of) this text. */
  uncertain: boolean;
  /** For `term` spans: the glossary row (so the page can show the other languages as a tooltip). */
  term?: GlossaryTerm;
}

/** What to look for besides numbers and names. */
export interface HighlightOptions {
  glossary?: GlossaryMatcher | null;
  /** Ranges `[start, end)` (UTF-16 offsets) speech-to-text marked as uncertain. */
  uncertain?: readonly (readonly [number, number])[];
}

/** A highlighted range `[start, end)` of a line. */
export interface HighlightMark {
  start: number;
  end: number;
  kind: Exclude<SpanKind, 'plain'>;
  term?: GlossaryTerm;
}

const DIGIT = '[0-9\u0660-\u0669\u06f0-\u06f9]';
/**
 * A number: digits (ASCII, Arabic-Indic, Eastern Arabic-Indic), grouped with , . ٬ ٫ ' or a (narrow) no-break
 * space or a plain space before exactly three digits ("1 000 000" in Russian), an optional sign or currency in
 * front, an optional percent sign (% or ٪) behind. Years are plain four-digit numbers.
 */
const NUMBER = new RegExp(
  `(?:[-\u2212+]|[$€£₽]\\s?)?${DIGIT}+(?:(?:[.,\u066b\u066c'\u00a0\u202f]${DIGIT}+)|(?: ${DIGIT}{3}(?!${DIGIT})))*(?:\\s?[%\u066a])?`,
  'gu',
);
/** A capitalised Latin or Cyrillic word (with inner hyphens or apostrophes: "Jean-Claude", "O'Neill"). */
const CAPITALISED = /[A-ZА-ЯЁ][\p{Ll}\p{Lu}]*(?:[-'’][\p{Lu}\p{Ll}][\p{Ll}\p{Lu}]*)*/gu;
const LETTER = /[\p{L}\p{M}\p{N}]/u;
/** Function words that are capitalised only because they start a sentence ("The Secretary-General said"). */
const SENTENCE_STARTERS = new Set(
  (
    'the a an this that these those in on at for from to and but or if as so we our it its my i you he she they there here ' +
    'what when where why how today yesterday ' +
    'в на и но а мы наш это этот эта эти для по с к о от из как что когда где сегодня я вы он она они там здесь'
  ).split(' '),
);

/** Numbers in a line, as `[start, end)` ranges. */
export function findNumbers(text: string): HighlightMark[] {
  const marks: HighlightMark[] = [];
  for (const m of text.matchAll(NUMBER)) {
    let start = m.index;
    const end = start + m[0].length;
    // A minus or plus only belongs to the number at a word start ("-5", not "COVID-19").
    if (/^[-\u2212+]/.test(m[0]) && start > 0 && LETTER.test(text[start - 1]!)) start += 1;
    marks.push({ start, end, kind: 'number' });
  }
  return marks;
}

/**
 * Names: runs of capitalised Latin/Cyrillic words ("Maria Sanchez", "Организация Объединённых Наций") and
 * acronyms ("UN", "ООН"). A single capitalised word that starts a sentence is not a name by that alone, and
 * neither is English "I".
 */
export function findNames(text: string): HighlightMark[] {
  const words: { start: number; end: number; acronym: boolean; sentenceStart: boolean }[] = [];
  for (const m of text.matchAll(CAPITALISED)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > 0 && LETTER.test(text[start - 1]!)) continue; // inside a word ("iPhone")
    if (end < text.length && LETTER.test(text[end]!)) continue;
    const letters = m[0].replace(/[-'’]/g, '');
    const acronym = letters.length >= 2 && letters === letters.toUpperCase();
    if (letters.length === 1) continue;
    const before = text.slice(0, start).trimEnd();
    const sentenceStart = before === '' || /[.!?…:;"«“(]$/.test(before);
    words.push({ start, end, acronym, sentenceStart });
  }
  const marks: HighlightMark[] = [];
  let i = 0;
  while (i < words.length) {
    let j = i;
    // Capitalised words separated only by spaces form one name.
    while (j + 1 < words.length && /^[ \u00a0]+$/.test(text.slice(words[j]!.end, words[j + 1]!.start))) j++;
    let first = words[i]!;
    if (first.sentenceStart && j > i && SENTENCE_STARTERS.has(text.slice(first.start, first.end).toLowerCase())) {
      i++;
      first = { ...words[i]!, sentenceStart: false };
    }
    const multi = j > i;
    // A lone sentence-initial capitalised word is not marked: it is capitalised because it starts the sentence.
    if (multi || first.acronym || !first.sentenceStart) marks.push({ start: first.start, end: words[j]!.end, kind: 'name' });
    i = j + 1;
  }
  return marks;
}

/**
 * Splits `text` into spans: glossary terms first, then numbers, then names (an earlier kind wins where they
 * overlap), with uncertain ranges cutting spans so each span is wholly certain or uncertain. The spans cover
 * the whole text in order; concatenating their `text` gives the line back.
 */
export function highlightLine(text: string, options: HighlightOptions = {}): HighlightSpan[] {
  const chosen: HighlightMark[] = [];
  const taken = (m: HighlightMark): boolean => chosen.some((c) => m.start < c.end && c.start < m.end);
  const terms: HighlightMark[] = (options.glossary?.match(text) ?? []).map((g) => ({ start: g.start, end: g.end, kind: 'term', term: g.term }));
  for (const group of [terms, findNumbers(text), findNames(text)]) {
    for (const m of group) if (m.end > m.start && !taken(m)) chosen.push(m);
  }
  chosen.sort((a, b) => a.start - b.start);

  const uncertain = (options.uncertain ?? [])
    .map(([s, e]) => [Math.max(0, Math.min(s, text.length)), Math.max(0, Math.min(e, text.length))] as const)
    .filter(([s, e]) => e > s);
  const cuts = new Set<number>([0, text.length]);
  for (const m of chosen) {
    cuts.add(m.start);
    cuts.add(m.end);
  }
  for (const [s, e] of uncertain) {
    cuts.add(s);
    cuts.add(e);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const spans: HighlightSpan[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const start = points[k]!;
    const end = points[k + 1]!;
    if (end <= start) continue;
    const mark = chosen.find((m) => m.start <= start && end <= m.end);
    const isUncertain = uncertain.some(([s, e]) => s <= start && end <= e);
    const prev = spans[spans.length - 1];
    const kind: SpanKind = mark?.kind ?? 'plain';
    // Adjacent pieces of the same kind, mark and certainty merge back into one span.
    if (prev && prev.kind === kind && prev.uncertain === isUncertain && kind === 'plain') {
      prev.text += text.slice(start, end);
      prev.end = end;
      continue;
    }
    const span: HighlightSpan = { text: text.slice(start, end), kind, start, end, uncertain: isUncertain };
    if (mark?.term) span.term = mark.term;
    spans.push(span);
  }
  return spans;
}
