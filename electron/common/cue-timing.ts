/**
 * Cue times for exports: captions follow one another on a channel, so their cues must too. Given each line's span
 * (from when it started, its first partial or its audio start, to when it was committed or its audio end), in
 * commit order, this gives cues that never overlap and never go back in time:
 * - a cue starts no earlier than the previous one ends (a line that started while the previous one was still up
 *   starts when that one ends);
 * - a cue lasts at least `minMs` (readable) unless the next line started sooner: it then ends where the next
 *   one starts.
 */

import { isSpeechToTextSource, type CaptionSource } from './protocol';
import { breakBalanced, displayLength, lineLengthFor } from './line-breaking';

/** A line's span, ms (any origin), and its text. */
export interface CueSpan {
  startMs: number;
  endMs: number;
  text: string;
}

/** Non-overlapping, non-decreasing cues for spans given in commit order (see the module comment). */
export function sequentialCues(spans: readonly CueSpan[], minMs: number): CueSpan[] {
  const cues: CueSpan[] = [];
  let previousEnd = -Infinity;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const startMs = Math.max(span.startMs, previousEnd);
    let endMs = Math.max(span.endMs, startMs + minMs);
    const next = spans[i + 1];
    if (next && next.startMs > startMs && next.startMs < endMs) endMs = next.startMs;
    cues.push({ startMs, endMs, text: span.text });
    previousEnd = endMs;
  }
  return cues;
}

/** A line's span with what {@link joinSpeechLines} needs to know of the line. */
export interface SourceSpan extends CueSpan {
  /** Where the line came from; a line of unknown source is a cue of its own. */
  source?: CaptionSource | undefined;
  lang?: string | undefined;
}

/** A joined cue lasts at most this long, ms. */
export const JOINED_CUE_MAX_MS = 7000;
/** A line joins the cue before it only if it starts within this long after that cue's end, ms. */
export const JOINED_CUE_MAX_GAP_MS = 1000;

/**
 * Cues a viewer can read from a speech-to-text source's lines. A live source sends a line every pass or two (a few
 * words on a slow machine, so that they reach the platforms within 3 s), and a cue per line would flash by. Here
 * consecutive lines of the same speech-to-text source are joined into one cue while the text fits two rows of the
 * language's line length, the cue lasts at most {@link JOINED_CUE_MAX_MS} and no pause of more than
 * {@link JOINED_CUE_MAX_GAP_MS} falls between them (subtitle practice: one or two lines of 42 characters, 1 to 7 s on
 * screen). A joined cue's text is two balanced lines. Typed lines and script cues stay a cue each, as their
 * interpreter composed them. Spans in commit order; the result goes to {@link sequentialCues}.
 */
export function joinSpeechLines(spans: readonly SourceSpan[]): CueSpan[] {
  interface Open {
    span: SourceSpan;
    text: string;
    /** A joined cue's two balanced rows (undefined while it holds one line, kept as it came). */
    rows?: string[] | undefined;
  }
  const cues: CueSpan[] = [];
  const close = (cue: Open): void => {
    cues.push({ startMs: cue.span.startMs, endMs: cue.span.endMs, text: cue.rows ? cue.rows.join('\n') : cue.text });
  };
  let open = null as Open | null;
  for (const span of spans) {
    if (open !== null && isSpeechToTextSource(span.source) && span.source === open.span.source && span.lang === open.span.lang) {
      const text: string = `${open.text} ${span.text.trim()}`;
      const maxChars = lineLengthFor(span.lang);
      const rows = displayLength(text) <= 2 * maxChars ? breakBalanced(text, maxChars, 2) : undefined;
      if (rows && span.startMs - open.span.endMs <= JOINED_CUE_MAX_GAP_MS && span.endMs - open.span.startMs <= JOINED_CUE_MAX_MS) {
        open = { span: { ...open.span, endMs: Math.max(open.span.endMs, span.endMs) }, text, rows };
        continue;
      }
    }
    if (open !== null) close(open);
    open = { span, text: span.text.trim() };
  }
  if (open !== null) close(open);
  return cues;
}
