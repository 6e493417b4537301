/**
 * The one subtitle writer: timed cues as SubRip (SRT), WebVTT or plain text. The hub's exports, the console's
 * session record and `npm run transcribe` each decide their cues' times; this module writes them.
 *
 * Caption text is data, never structure. Whatever a caption holds, every cue comes out as exactly one cue:
 * - line breaks are normalised (`\r\n`, `\r` become `\n`) and blank lines dropped, since a blank line ends a
 *   cue in both formats (a caption of "…\n\n2\n00:00:00,000 --> 09:59:59,000\n…" would otherwise forge a cue);
 * - `-->` in text becomes `→`: WebVTT forbids it in a cue payload, and lenient SRT readers take any line
 *   holding it for a timing line;
 * - WebVTT text has `&`, `<` and `>` escaped, so a caption cannot open a tag, a class or a voice span;
 * - a cue whose text is empty after that is left out (numbering stays consecutive).
 *
 * No npm package is used: the maintained writers (`subtitle`, `subsrt-ts`) pass cue text through as given, and
 * `subtitle` brings Node streams into this layer, which runs anywhere. The formats' rules above are the work.
 */

/** The formats, in the order menus list them. */
export const EXPORT_FORMATS = ['srt', 'vtt', 'txt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** HTTP content type of each format. */
export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

/** Is `value` one of {@link EXPORT_FORMATS}? */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** One timed cue, milliseconds from the start of the recording or session. */
export interface SubtitleCue {
  startMs: number;
  /** Clamped to be no earlier than `startMs`. */
  endMs: number;
  /** The caption text as published (any characters; see the module comment for what is done to it). */
  text: string;
}

/** A caption's text as cue lines: normalised breaks, each line trimmed, no blank line, no `-->`. */
export function cueLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/-->/g, '→').trim())
    .filter((line) => line !== '');
}

/** `hh:mm:ss,mmm` (SRT) or `hh:mm:ss.mmm` (WebVTT); negative times are 0. */
export function cueTimestamp(ms: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(ms));
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(total % 1000, 3)}`;
}

function escapeVtt(line: string): string {
  return line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Writes cues as `format`: SRT (numbered cues), WebVTT (`WEBVTT` header, cues without identifiers) or plain text
 * (one cue per line, its line breaks as spaces). An empty list gives an empty SRT or text and a bare header.
 */
export function writeSubtitles(cues: readonly SubtitleCue[], format: ExportFormat): string {
  const kept = cues.map((cue) => ({ cue, lines: cueLines(cue.text) })).filter((c) => c.lines.length > 0);
  if (format === 'txt') return kept.map((c) => `${c.lines.join(' ')}\n`).join('');
  const separator = format === 'srt' ? ',' : '.';
  const blocks = kept.map(({ cue, lines }, i) => {
    const timing = `${cueTimestamp(cue.startMs, separator)} --> ${cueTimestamp(Math.max(cue.endMs, cue.startMs), separator)}`;
    if (format === 'srt') return `${i + 1}\n${timing}\n${lines.join('\n')}\n`;
    return `${timing}\n${lines.map(escapeVtt).join('\n')}\n`;
  });
  if (format === 'srt') return blocks.join('\n');
  return blocks.length === 0 ? 'WEBVTT\n' : `WEBVTT\n\n${blocks.join('\n')}`;
}
