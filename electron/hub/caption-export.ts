/**
 * A channel's committed lines as WebVTT, SRT or plain text, each line at its latest revision.
 *
 * Times: when every line carries audio times (speech-to-text lines), cues use them as they are (seconds of the
 * source audio). Otherwise cues use the wall-clock times relative to the first line: a cue starts when its
 * line started (the publisher's `startedAt`, or the hub's first sight of the id) and ends when it was
 * committed, at least {@link MIN_CUE_MS} later.
 */
import type { CaptionLine } from '../common/protocol';

/** Export formats and their content types. */
export const EXPORT_FORMATS = {
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** Shortest cue, so a line committed the instant it started is still readable. */
export const MIN_CUE_MS = 1000;

/** Longest plausible line; a publisher clock far off the hub's is not trusted beyond this. */
const MAX_LINE_MS = 10 * 60_000;

interface Cue {
  startMs: number;
  endMs: number;
  text: string;
}

function cues(all: readonly CaptionLine[]): Cue[] {
  const lines = all.filter((l) => cueText(l.text) !== '');
  if (lines.length === 0) return [];
  const withAudio = lines.every((l) => l.audioStart !== undefined && l.audioEnd !== undefined);
  if (withAudio) {
    return lines.map((l) => {
      const startMs = Math.round((l.audioStart ?? 0) * 1000);
      return { startMs, endMs: Math.max(Math.round((l.audioEnd ?? 0) * 1000), startMs + 1), text: l.text };
    });
  }
  const spans = lines.map((l) => {
    const end = l.committedAt ?? l.updatedAt;
    const start = l.startedAt <= end && end - l.startedAt <= MAX_LINE_MS ? l.startedAt : end;
    return { start, end: Math.max(end, start + MIN_CUE_MS), text: l.text };
  });
  const origin = Math.min(...spans.map((s) => s.start));
  return spans.map((s) => ({ startMs: s.start - origin, endMs: s.end - origin, text: s.text }));
}

function clock(ms: number, fractionSeparator: '.' | ','): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  const f = total % 1000;
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${fractionSeparator}${pad(f, 3)}`;
}

/** A cue payload may not contain a blank line (it would end the cue). */
function cueText(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}

/** WebVTT: `&`, `<` and `>` escaped, so caption text stays text in a player too. */
export function toWebVtt(lines: readonly CaptionLine[]): string {
  const body = cues(lines).map((c, i) => {
    const text = cueText(c.text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return `${i + 1}\n${clock(c.startMs, '.')} --> ${clock(c.endMs, '.')}\n${text}\n`;
  });
  return ['WEBVTT\n', ...body].join('\n');
}

/** SubRip. */
export function toSrt(lines: readonly CaptionLine[]): string {
  return cues(lines)
    .map((c, i) => `${i + 1}\n${clock(c.startMs, ',')} --> ${clock(c.endMs, ',')}\n${cueText(c.text)}\n`)
    .join('\n');
}

/** Plain text: one committed line per line. */
export function toPlainText(lines: readonly CaptionLine[]): string {
  return lines
    .map((l) => l.text.replace(/\s*\n\s*/g, ' ').trim())
    .filter((t) => t !== '')
    .map((t) => t + '\n')
    .join('');
}

/** Renders lines in a format. */
export function exportLines(lines: readonly CaptionLine[], format: ExportFormat): string {
  if (format === 'vtt') return toWebVtt(lines);
  if (format === 'srt') return toSrt(lines);
  return toPlainText(lines);
}
