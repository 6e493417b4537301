/**
 * A channel's committed lines as subtitles (the hub's `/export/<room>/<channel>.vtt|.srt|.txt`), each line at its
 * latest revision; written by the one subtitle writer (electron/common/subtitles.ts).
 *
 * Times: when every line carries audio times (speech-to-text lines), cues use them as they are (seconds of the
 * source audio). Otherwise cues use the wall-clock times relative to the first line: a cue starts when its
 * line started (the publisher's `startedAt`, or the hub's first sight of the id) and ends when it was
 * committed, at least {@link MIN_CUE_MS} later.
 */
import type { CaptionLine } from '../common/protocol';
import { cueLines, writeSubtitles, type ExportFormat, type SubtitleCue } from '../common/subtitles';

/** Shortest cue, so a line committed the instant it started is still readable. */
export const MIN_CUE_MS = 1000;

/** Longest plausible line; a publisher clock far off the hub's is not trusted beyond this. */
const MAX_LINE_MS = 10 * 60_000;

/** What the cue times of a line are laid out from. */
export type CueSourceLine = Pick<CaptionLine, 'text' | 'startedAt' | 'updatedAt' | 'committedAt' | 'audioStart' | 'audioEnd'>;

/** The cues of committed lines (lines with no text are left out before the times are laid out). */
export function lineCues(all: readonly CueSourceLine[]): SubtitleCue[] {
  const lines = all.filter((l) => cueLines(l.text).length > 0);
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

/** Renders committed lines in a format. */
export function exportLines(lines: readonly CaptionLine[], format: ExportFormat): string {
  return writeSubtitles(lineCues(lines), format);
}
