/**
 * Caption text shaped for each platform, from a committed line. Pure functions: the same rules in the hub, the
 * tests and the benchmark.
 *
 * - YouTube and Zoom show a caption of one or two lines: a long final is cut into two-line cues with the display's
 *   per-language line length ({@link lineLengthFor}: Arabic 42, Russian 39, English 42), sentence-aware.
 * - Teams CART takes complete lines only, and cannot change a line once sent: a final becomes lines of at most
 *   {@link TEAMS_MAX_LINE} characters, as even as possible so none falls below {@link TEAMS_MIN_LINE} unless the
 *   whole final is shorter.
 * - CEA-608 (OBS) has 32 columns and a Latin character set: text in another script is refused (never garbled),
 *   Latin letters outside the 608 set lose their accents, typographic punctuation becomes its ASCII form.
 */
import { breakIntoLines, displayLength, lineLengthFor, splitScriptIntoCues } from '../../common/line-breaking';

/** Longest Teams CART line. */
export const TEAMS_MAX_LINE = 120;
/** Shortest Teams CART line when a final is long enough to be cut. */
export const TEAMS_MIN_LINE = 80;
/** Columns of a CEA-608 caption row. */
export const CEA608_COLUMNS = 32;

/** Two-line cues for a caption display (YouTube, Zoom): each cue's lines joined with `\n`. */
export function twoLineCues(text: string, lang: string | undefined, maxChars = lineLengthFor(lang)): string[] {
  return splitScriptIntoCues(text.replace(/\s*\n\s*/g, ' '), { maxChars, maxLinesPerCue: 2 }).map((c) => c.lines.join('\n'));
}

/**
 * Teams CART lines: at most {@link TEAMS_MAX_LINE} characters, as few lines as that allows, each as long as
 * the others (so a 130-character final is two lines of about 65, not 120 and 10; a 250-character one is three
 * of about 84).
 */
export function teamsLines(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return [];
  const greedy = breakIntoLines(flat, TEAMS_MAX_LINE);
  if (greedy.length <= 1) return greedy;
  const target = Math.ceil(displayLength(flat) / greedy.length);
  for (let width = Math.max(target, 1); width <= TEAMS_MAX_LINE; width++) {
    const lines = breakIntoLines(flat, width);
    if (lines.length <= greedy.length && lines.join(' ') === greedy.join(' ')) return lines;
  }
  return greedy;
}

/** A letter of a script other than Latin (Arabic, Cyrillic, Greek, Han...): CEA-608 cannot carry it. */
const NON_LATIN_LETTER = /(?=\p{L})[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u;

/** Whether `text` has letters CEA-608 cannot carry. */
export function hasNonLatinLetters(text: string): boolean {
  return NON_LATIN_LETTER.test(text);
}

/** Characters of the CEA-608 basic, special and Western European extended sets that are not plain ASCII. */
const CEA608_EXTRA = new Set(Array.from('áéíóúçÑñ÷®°½¿™¢£♪àèâêîôûÁÉÓÚÜü¡©•ÀÂÇÈÊËëÎÏïÔÙùÛ«»ÃãÍÌìÒòÕõÄäÖößÅåØø¥¤¦'));

const PUNCTUATION_TO_ASCII: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u02BC': "'",
  '\u02BB': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2007': ' ',
};

/**
 * Text folded into the CEA-608 character set, or `null` when it has letters of another script. Accented Latin
 * letters outside the set lose their marks (`ş` → `s`, `ğ` → `g`); other characters outside it are dropped.
 */
export function toCea608Text(text: string): string | null {
  if (hasNonLatinLetters(text)) return null;
  let out = '';
  for (const ch of text) {
    const mapped = PUNCTUATION_TO_ASCII[ch];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    if (ch === '\n' || (ch >= ' ' && ch <= '~') || CEA608_EXTRA.has(ch)) {
      out += ch;
      continue;
    }
    const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
    for (const b of base) if ((b >= ' ' && b <= '~') || CEA608_EXTRA.has(b)) out += b;
  }
  return out.replace(/[ \t]+/g, ' ').trim();
}

/** CEA-608 captions: two rows of 32 columns each, or `null` for text in a script 608 cannot carry. */
export function cea608Cues(text: string): string[] | null {
  const folded = toCea608Text(text);
  if (folded === null) return null;
  return twoLineCues(folded, undefined, CEA608_COLUMNS);
}

/** YouTube's caption text: line breaks as `<br>` (the body format reserves new lines for its own structure). */
export function youtubeCaptionText(cue: string): string {
  return cue.split('\n').join('<br>');
}

/** `YYYY-MM-DDTHH:MM:SS.mmm` in UTC without a zone suffix, as YouTube's caption ingestion wants it. */
export function youtubeTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 23);
}

/** Parses {@link youtubeTimestamp}'s format (UTC); `null` when it is not exactly that. */
export function parseYoutubeTimestamp(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
  return Number.isFinite(ms) && youtubeTimestamp(ms) === text.trim() ? ms : null;
}
