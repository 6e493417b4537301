/**
 * SRT and WebVTT from final captions: consecutive finals are joined into cues that end at a sentence end, a
 * pause, or when a cue gets too long to read.
 */
import type { CaptionEvent } from '../common/stt-protocol';
import { writeSubtitles, type SubtitleCue } from '../common/subtitles';

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

/** Cues in seconds as the one subtitle writer's cues (electron/common/subtitles.ts). */
function inMs(cues: readonly Cue[]): SubtitleCue[] {
  return cues.map((c) => ({ startMs: c.start * 1000, endMs: c.end * 1000, text: c.text }));
}

/** SubRip text. */
export function toSrt(cues: readonly Cue[]): string {
  return writeSubtitles(inMs(cues), 'srt');
}

/** WebVTT text. */
export function toVtt(cues: readonly Cue[]): string {
  return writeSubtitles(inMs(cues), 'vtt');
}

/** `mm:ss.s` for console lines. */
export function shortTime(seconds: number): string {
  // Round once, to tenths, before splitting: 59.96 s is 01:00.0, not 00:60.0.
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const m = Math.floor(tenths / 600);
  return `${String(m).padStart(2, '0')}:${((tenths % 600) / 10).toFixed(1).padStart(4, '0')}`;
}
