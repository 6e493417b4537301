/**
 * A channel's committed lines as subtitles (the hub's `/export/<room>/<channel>.vtt|.srt|.txt`), each line at its
 * latest revision; written by the one subtitle writer (electron/common/subtitles.ts).
 *
 * Times: when every line carries audio times (speech-to-text lines), cues use them (seconds in the publisher's
 * session timeline, which never goes back when its source restarts). Otherwise cues use the wall-clock times
 * relative to the first line: a cue starts when its line started (the publisher's `startedAt`, or the hub's
 * first sight of the id) and ends when it was committed, at least {@link MIN_CUE_MS} later. Either way cues
 * follow one another: none overlaps the next, none goes back, and a speech-to-text source's short lines are joined
 * into cues of up to two rows (electron/common/cue-timing.ts).
 */
import type { CaptionLine } from '../common/protocol';
import { joinSpeechLines, sequentialCues } from '../common/cue-timing';
import { cueLines, writeSubtitles, type ExportFormat, type SubtitleCue } from '../common/subtitles';

/** Shortest cue, so a line committed the instant it started is still readable. */
export const MIN_CUE_MS = 1000;

/** Longest plausible line; a publisher clock far off the hub's is not trusted beyond this. */
const MAX_LINE_MS = 10 * 60_000;

/** What the cue times of a line are laid out from. */
export type CueSourceLine = Pick<CaptionLine, 'text' | 'startedAt' | 'updatedAt' | 'committedAt' | 'audioStart' | 'audioEnd'> &
  Partial<Pick<CaptionLine, 'source' | 'lang'>>;

/** The cues of committed lines (lines with no text are left out before the times are laid out). */
export function lineCues(all: readonly CueSourceLine[]): SubtitleCue[] {
  const lines = all.filter((l) => cueLines(l.text).length > 0);
  if (lines.length === 0) return [];
  const withAudio = lines.every((l) => l.audioStart !== undefined && l.audioEnd !== undefined);
  if (withAudio) {
    const audio = lines.map((l) => ({ startMs: Math.round((l.audioStart ?? 0) * 1000), endMs: Math.round((l.audioEnd ?? 0) * 1000), text: l.text, source: l.source, lang: l.lang }));
    return sequentialCues(joinSpeechLines(audio), 1);
  }
  const spans = lines.map((l) => {
    const end = l.committedAt ?? l.updatedAt;
    const start = l.startedAt <= end && end - l.startedAt <= MAX_LINE_MS ? l.startedAt : end;
    return { start, end, text: l.text, source: l.source, lang: l.lang };
  });
  const origin = Math.min(...spans.map((s) => s.start));
  return sequentialCues(
    joinSpeechLines(spans.map((s) => ({ startMs: s.start - origin, endMs: s.end - origin, text: s.text, source: s.source, lang: s.lang }))),
    MIN_CUE_MS,
  );
}

/** Renders committed lines in a format. */
export function exportLines(lines: readonly CaptionLine[], format: ExportFormat): string {
  return writeSubtitles(lineCues(lines), format);
}
