/**
 * What an interpreter looks for in a transcript line: numbers (the first thing to get wrong under pressure),
 * names and glossary terms, as the assist step (`assist.ts`) finds them: the transcript highlights and the assist
 * rail come from the same pass. `highlightLine` splits a line into plain spans that a page renders as text nodes
 * (never as HTML), each with a kind and an `uncertain` flag from speech-to-text.
 *
 * Runs anywhere: no DOM, no Node.
 */
import { analyseFloorLine, type AssistFindings } from './assist';
import type { GlossaryLanguage, GlossaryTerm } from './glossary';
import type { GlossaryMatcher } from './term-matcher';

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
  /** After the settled start of a partial (see {@link HighlightOptions.settled}): may still change. */
  pending?: true;
}

/** What to look for besides numbers and names. */
export interface HighlightOptions {
  glossary?: GlossaryMatcher | null;
  /** Ranges `[start, end)` (UTF-16 offsets) speech-to-text marked as uncertain. */
  uncertain?: readonly (readonly [number, number])[];
  /** The line's language (decides whether "11,4" is a decimal). */
  lang?: string;
  /** The booth's language: the assist rail analyses the line for it, and the highlights reuse that pass. */
  booth?: GlossaryLanguage;
  /**
   * A partial's settled start: its first `settled` characters are committed words; the spans after it are flagged
   * `pending` (cut there, so a number half settled is two spans of the same kind).
   */
  settled?: number;
}

/** A highlighted range `[start, end)` of a line. */
export interface HighlightMark {
  start: number;
  end: number;
  kind: Exclude<SpanKind, 'plain'>;
  term?: GlossaryTerm;
}

/** The marks of one line from the assist step's findings: terms, numbers, names. */
export function findingsToMarks(findings: AssistFindings): HighlightMark[] {
  return [
    ...findings.terms.map((t): HighlightMark => ({ start: t.start, end: t.end, kind: 'term', term: t.row })),
    ...findings.numbers.map((n): HighlightMark => ({ start: n.start, end: n.end, kind: 'number' })),
    ...findings.names.map((n): HighlightMark => ({ start: n.start, end: n.end, kind: 'name' })),
  ];
}

/**
 * Splits `text` into spans from the assist step's findings (computed here unless the caller has them already):
 * glossary terms first, then numbers, then names (an earlier kind wins where they overlap), with uncertain ranges
 * cutting spans so each span is wholly certain or uncertain. The spans cover the whole text in order;
 * concatenating their `text` gives the line back.
 */
export function highlightLine(text: string, options: HighlightOptions = {}, findings?: AssistFindings): HighlightSpan[] {
  const found = findings ?? analyseFloorLine(text, { glossary: options.glossary ?? null, booth: options.booth ?? 'en', lang: options.lang });
  const chosen: HighlightMark[] = [];
  const taken = (m: HighlightMark): boolean => chosen.some((c) => m.start < c.end && c.start < m.end);
  for (const m of findingsToMarks(found)) if (m.end > m.start && !taken(m)) chosen.push(m);
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
  const settled = options.settled === undefined ? text.length : Math.max(0, Math.min(options.settled, text.length));
  cuts.add(settled);
  const points = [...cuts].sort((a, b) => a - b);
  const spans: HighlightSpan[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const start = points[k]!;
    const end = points[k + 1]!;
    if (end <= start) continue;
    const mark = chosen.find((m) => m.start <= start && end <= m.end);
    const isUncertain = uncertain.some(([s, e]) => s <= start && end <= e);
    const pending = start >= settled;
    const prev = spans[spans.length - 1];
    const kind: SpanKind = mark?.kind ?? 'plain';
    // Adjacent plain pieces of the same certainty, on the same side of the settled start, merge back into one span.
    if (prev && prev.kind === kind && prev.uncertain === isUncertain && kind === 'plain' && (prev.pending ?? false) === pending) {
      prev.text += text.slice(start, end);
      prev.end = end;
      continue;
    }
    const span: HighlightSpan = { text: text.slice(start, end), kind, start, end, uncertain: isUncertain };
    if (mark?.term) span.term = mark.term;
    if (pending) span.pending = true;
    spans.push(span);
  }
  return spans;
}
