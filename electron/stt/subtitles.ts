/**
 * SRT and WebVTT from final captions: consecutive finals are joined into cues that end at a sentence end, a
 * pause, or when a cue gets too long to read.
 */
import type { CaptionEvent } from '../common/stt-protocol';

/** One subtitle cue, seconds. */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

/** Limits of a cue. */
export interface CueLimits {
  /** Longest cue text (default 84: two lines of 42). */
  maxChars?: number;
  /** Longest cue (default 7 s). */
  maxSeconds?: number;
  /** A silence longer than this starts a new cue (default 1 s). */
  maxGapSeconds?: number;
}

/** Groups final captions into cues. Partials are ignored. */
export function captionsToCues(captions: readonly CaptionEvent[], limits: CueLimits = {}): Cue[] {
  const maxChars = limits.maxChars ?? 84;
  const maxSeconds = limits.maxSeconds ?? 7;
  const maxGap = limits.maxGapSeconds ?? 1;
  const cues: Cue[] = [];
  let current: Cue | null = null;
  for (const c of captions) {
    if (c.state !== 'final' || c.text.trim() === '') continue;
    if (
      current &&
      c.start - current.end <= maxGap &&
      c.end - current.start <= maxSeconds &&
      current.text.length + 1 + c.text.length <= maxChars &&
      !/[.!?؟…]["»”')\]]*$/u.test(current.text)
    ) {
      current.text = `${current.text} ${c.text}`;
      current.end = c.end;
      continue;
    }
    current = { start: c.start, end: Math.max(c.end, c.start + 0.3), text: c.text };
    cues.push(current);
  }
  return cues;
}

function stamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(Math.max(0, seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** SubRip text. */
export function toSrt(cues: readonly Cue[]): string {
  return cues.map((c, i) => `${i + 1}\n${stamp(c.start, ',')} --> ${stamp(c.end, ',')}\n${c.text}\n`).join('\n');
}

/** WebVTT text. */
export function toVtt(cues: readonly Cue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${stamp(c.start, '.')} --> ${stamp(c.end, '.')}\n${c.text}\n`).join('\n')}`;
}

/** `mm:ss.s` for console lines. */
export function shortTime(seconds: number): string {
  // Round once, to tenths, before splitting: 59.96 s is 01:00.0, not 00:60.0.
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const m = Math.floor(tenths / 600);
  return `${String(m).padStart(2, '0')}:${((tenths % 600) / 10).toFixed(1).padStart(4, '0')}`;
}
