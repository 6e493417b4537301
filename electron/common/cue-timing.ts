/**
 * Cue times for exports: captions follow one another on a channel, so their cues must too. Given each line's span
 * (from when it started, its first partial or its audio start, to when it was committed or its audio end), in
 * commit order, this gives cues that never overlap and never go back in time:
 * - a cue starts no earlier than the previous one ends (a line that started while the previous one was still up
 *   starts when that one ends);
 * - a cue lasts at least `minMs` (readable) unless the next line started sooner: it then ends where the next
 *   one starts.
 */

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
