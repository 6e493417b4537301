/**
 * Breaking caption text into display lines, and a prepared script into caption cues.
 *
 * Subtitle practice limits a line by characters per language (Arabic 42, Russian 39, English 42). A line is
 * never broken inside a word; the only exception is a single word longer than a whole line, which is split
 * hard. Lengths are counted in grapheme clusters, so Arabic vowel marks (harakat) and combining accents do not
 * count as characters. Breaks happen only at ordinary spaces: a no-break space (U+00A0, U+202F, U+2007), as
 * used in "1 000 000" or "15 %", keeps its neighbours on one line.
 */

/** Characters per display line by language (ISO 639-1). */
export const LINE_LENGTHS: Readonly<Record<string, number>> = { ar: 42, ru: 39, en: 42 };

/** Characters per display line for the floor channel and any language not in {@link LINE_LENGTHS}. */
export const DEFAULT_LINE_LENGTH = 42;

/** The line length for a language or channel name (`ar-EG` counts as `ar`; `floor` and unknown tags get the default). */
export function lineLengthFor(lang: string | undefined): number {
  const primary = lang?.trim().toLowerCase().split(/[-_]/)[0];
  return (primary && LINE_LENGTHS[primary]) || DEFAULT_LINE_LENGTH;
}

/** Whitespace a line may break at: `\s` without the no-break spaces U+00A0, U+2007, U+202F and U+FEFF. */
const BREAKABLE_SPACE = /[\t\n\v\f\r \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]+/;

const graphemeSegmenter: Intl.Segmenter | undefined =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/** The grapheme clusters of `text` (user-perceived characters; a letter with its marks is one). */
function graphemes(text: string): string[] {
  if (graphemeSegmenter) return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
  // Without Intl.Segmenter: code points, with combining marks attached to the character before them.
  const out: string[] = [];
  for (const ch of text) {
    if (out.length > 0 && /\p{M}/u.test(ch)) out[out.length - 1] += ch;
    else out.push(ch);
  }
  return out;
}

/** Length of `text` in grapheme clusters, the unit of the per-language line limits. */
export function displayLength(text: string): number {
  if (graphemeSegmenter) {
    let n = 0;
    for (const _ of graphemeSegmenter.segment(text)) n += 1;
    return n;
  }
  return graphemes(text).length;
}

/** The words of `text`: split at breakable whitespace, empty pieces dropped. */
function words(text: string): string[] {
  const tokens = text.split(BREAKABLE_SPACE).filter((w) => w.length > 0);
  // A free-standing punctuation mark stays with its word, so no line starts with a dash (in subtitles that
  // reads as a change of speaker) or a closing mark, and none ends with an opening one: "seats —", "« Bonjour".
  const units: string[] = [];
  let opening = '';
  for (const token of tokens) {
    if (OPENING_MARKS.test(token)) {
      opening += opening ? ` ${token}` : token;
      continue;
    }
    const unit = opening ? `${opening} ${token}` : token;
    opening = '';
    const last = units.length - 1;
    if (last >= 0 && TRAILING_MARKS.test(token)) units[last] += ` ${unit}`;
    else units.push(unit);
  }
  if (opening) {
    if (units.length > 0) units[units.length - 1] += ` ${opening}`;
    else units.push(opening);
  }
  return units;
}

/** A token made only of opening quotes and brackets: it goes with the word after it. */
const OPENING_MARKS = /^[«‹“‘„([{¿¡]+$/u;

/** A token made only of dashes, closing marks and other punctuation: it goes with the word before it. */
const TRAILING_MARKS = /^[\p{Pd}\p{Pe}\p{Pf}\p{Po}»›”’%‰]+$/u;

/** Splits one over-long word into pieces of at most `maxChars` grapheme clusters. */
function splitHard(word: string, maxChars: number): string[] {
  const chars = graphemes(word);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += maxChars) pieces.push(chars.slice(i, i + maxChars).join(''));
  return pieces;
}

function checkLimit(maxChars: number): void {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
}

/**
 * Breaks `text` into lines of at most `maxChars` grapheme clusters, filling each line as far as it goes
 * (greedy, as a roll-up display fills its rows). Runs of whitespace collapse to one space; no line is broken
 * inside a word unless the word alone is longer than `maxChars`. Empty or blank text gives no lines.
 */
export function breakIntoLines(text: string, maxChars: number): string[] {
  checkLimit(maxChars);
  const lines: string[] = [];
  let current = '';
  let currentLength = 0;
  // A unit that keeps punctuation with its word but is too long for a line gives up that nicety first.
  const units = words(text).flatMap((unit) => (unit.includes(' ') && displayLength(unit) > maxChars ? unit.split(' ') : [unit]));
  for (const word of units) {
    const length = displayLength(word);
    if (currentLength > 0 && currentLength + 1 + length <= maxChars) {
      current += ' ' + word;
      currentLength += 1 + length;
      continue;
    }
    if (currentLength > 0) lines.push(current);
    if (length <= maxChars) {
      current = word;
      currentLength = length;
    } else {
      const pieces = splitHard(word, maxChars);
      const last = pieces.pop() ?? '';
      lines.push(...pieces);
      current = last;
      currentLength = displayLength(last);
    }
  }
  if (currentLength > 0) lines.push(current);
  return lines;
}

/** {@link breakIntoLines} with the line length of a language (see {@link lineLengthFor}). */
export function breakCaption(text: string, lang: string | undefined): string[] {
  return breakIntoLines(text, lineLengthFor(lang));
}

/**
 * Breaks `text` into at most `maxLines` lines of at most `maxChars` with lines as even as possible (the longest
 * line as short as it can be), which reads better in a two-line subtitle than a full first line and a stub.
 * Returns `undefined` when the text does not fit in `maxLines` lines at all.
 */
export function breakBalanced(text: string, maxChars: number, maxLines: number): string[] | undefined {
  checkLimit(maxChars);
  const greedy = breakIntoLines(text, maxChars);
  if (greedy.length > maxLines) return undefined;
  if (greedy.length <= 1) return greedy;
  const ws = words(text);
  if (ws.some((w) => displayLength(w) > maxChars)) return greedy;
  const lengths = ws.map(displayLength);
  // Smallest width w for which greedy filling still needs no more lines than the greedy result at maxChars.
  let low = Math.max(...lengths);
  let high = maxChars;
  const fits = (width: number): boolean => breakIntoLines(text, width).length <= greedy.length;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) high = mid;
    else low = mid + 1;
  }
  return breakIntoLines(text, low);
}

/** A caption-sized piece of a prepared script. */
export interface ScriptCue {
  /** The cue's text on one line (its `lines` joined with spaces). */
  text: string;
  /** The cue as it should be displayed: 1 to `maxLinesPerCue` lines, each within the line length. */
  lines: string[];
}

/** Options for {@link splitScriptIntoCues}. */
export interface ScriptCueOptions {
  /** Language of the script; picks the line length (see {@link lineLengthFor}). */
  lang?: string;
  /** Overrides the line length of the language. */
  maxChars?: number;
  /** Lines per cue, 1 or 2 (default 2). */
  maxLinesPerCue?: 1 | 2;
}

/** Abbreviations whose full stop does not end a sentence (lower case, without the final dot). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'sr', 'jr', 'vs', 'etc', 'e.g', 'i.e', 'no', 'nos', 'art', 'para', 'fig',
  'approx', 'dept', 'gen', 'gov', 'sen', 'rep', 'amb', 'h.e', 'cf', 'al', 'op', 'u.s', 'u.n',
  'г', 'гг', 'т', 'т.е', 'т.д', 'т.п', 'др', 'пр', 'см', 'стр', 'им', 'ул', 'д', 'ст', 'п', 'млн', 'млрд', 'тыс', 'руб', 'проф', 'акад', 'господин',
]);

/** Characters that end a sentence: . ! ? … and the Arabic question mark and full stop. */
const SENTENCE_END = /[.!?…؟۔]+["'»”’)\]]*$/;

/** Characters after which a long sentence may be cut into cues: , ; : and the Arabic comma and semicolon, dashes. */
const CLAUSE_END = /[,;:،؛]["'»”’)\]]*$|(?:^|\s)[—–]$/;

/** Does `word` end a sentence, given the word after it? */
function endsSentence(word: string, next: string | undefined): boolean {
  if (!SENTENCE_END.test(word)) return false;
  if (next === undefined) return true;
  if (/[!?…؟۔]/.test(word.slice(-3))) return true;
  const stem = word.replace(/[.]+["'»”’)\]]*$/, '').replace(/^["'«“‘([]+/, '').toLowerCase();
  if (ABBREVIATIONS.has(stem)) return false;
  // A single letter with a dot is an initial ("J. Smith") or an abbreviation ("т. д.").
  if (/^\p{L}$/u.test(stem)) return false;
  // A sentence does not go on in lower case after its full stop ("approx. ten").
  if (/^["'«“‘([]*\p{Ll}/u.test(next)) return false;
  return true;
}

/** Splits a paragraph into sentences (arrays of words). */
function sentencesOf(paragraph: string): string[][] {
  const ws = words(paragraph);
  const sentences: string[][] = [];
  let current: string[] = [];
  ws.forEach((word, i) => {
    current.push(word);
    if (endsSentence(word, ws[i + 1])) {
      sentences.push(current);
      current = [];
    }
  });
  if (current.length > 0) sentences.push(current);
  return sentences;
}

/** Splits a sentence's words into clauses at commas, semicolons, colons and dashes. */
function clausesOf(sentence: string[]): string[][] {
  const clauses: string[][] = [];
  let current: string[] = [];
  for (const word of sentence) {
    current.push(word);
    if (CLAUSE_END.test(word)) {
      clauses.push(current);
      current = [];
    }
  }
  if (current.length > 0) clauses.push(current);
  return clauses;
}

/**
 * Lines for text that needs several cues: the narrowest greedy breaking that needs no more cues of `maxLines`
 * lines than breaking at `maxChars` does, so the cues come out about the same length instead of full cues and a
 * stub.
 */
function evenLines(text: string, maxChars: number, maxLines: number): string[] {
  const greedy = breakIntoLines(text, maxChars);
  const cues = Math.ceil(greedy.length / maxLines);
  let low = 1;
  let high = maxChars;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const lines = breakIntoLines(text, mid);
    // A hard-split word would change the words; only widths that keep every word whole qualify.
    const whole = lines.join(' ') === greedy.join(' ');
    if (whole && Math.ceil(lines.length / maxLines) <= cues) high = mid;
    else low = mid + 1;
  }
  return breakIntoLines(text, low);
}

/**
 * For a two-line cue: the most even break at a sentence or clause end where both halves fit on one line each
 * ("Good morning." / "Welcome to the conference."), or `undefined` when there is none.
 */
function breakAtBoundary(ws: string[], maxChars: number, maxLines: number, sentencesOnly = false): string[] | undefined {
  if (maxLines < 2 || breakIntoLines(ws.join(' '), maxChars).length < 2) return undefined;
  let best: string[] | undefined;
  let bestLongest = Infinity;
  for (let i = 1; i < ws.length; i += 1) {
    const before = ws[i - 1] ?? '';
    if (!endsSentence(before, ws[i]) && (sentencesOnly || !CLAUSE_END.test(before))) continue;
    const first = ws.slice(0, i).join(' ');
    const second = ws.slice(i).join(' ');
    const longest = Math.max(displayLength(first), displayLength(second));
    if (longest <= maxChars && longest < bestLongest) {
      best = [first, second];
      bestLongest = longest;
    }
  }
  return best;
}

/**
 * Splits a long prepared script (a speech the booth reads along) into caption-sized cues of 1 to
 * `maxLinesPerCue` lines, by the same line rules as {@link breakIntoLines}. Sentence-aware: a cue holds whole
 * sentences where they fit (short consecutive sentences share a cue); a sentence too long for one cue is cut at
 * clause punctuation (, ; : ، ؛ —) where possible, and only otherwise between words. A blank line in the script
 * (a paragraph break) always starts a new cue. Lines within a cue are balanced.
 */
export function splitScriptIntoCues(script: string, options: ScriptCueOptions = {}): ScriptCue[] {
  const maxChars = options.maxChars ?? lineLengthFor(options.lang);
  checkLimit(maxChars);
  const maxLines = options.maxLinesPerCue ?? 2;
  const cues: ScriptCue[] = [];
  const fitsInCue = (ws: string[]): boolean => breakIntoLines(ws.join(' '), maxChars).length <= maxLines;
  const emit = (ws: string[]): void => {
    if (ws.length === 0) return;
    const text = ws.join(' ');
    const lines = breakAtBoundary(ws, maxChars, maxLines, true) ?? breakAtBoundary(ws, maxChars, maxLines) ?? breakBalanced(text, maxChars, maxLines) ?? breakIntoLines(text, maxChars);
    cues.push({ text: lines.join(' '), lines });
  };
  /** Packs word groups (sentences or clauses) into cues; returns the words still open at the end. */
  const pack = (groups: string[][], open: string[]): string[] => {
    let pending = open;
    for (const group of groups) {
      if (fitsInCue([...pending, ...group])) {
        pending = [...pending, ...group];
        continue;
      }
      emit(pending);
      pending = [];
      if (fitsInCue(group)) {
        pending = group;
        continue;
      }
      // Too long for one cue on its own: as few cues as it needs, of even length, without breaking words.
      const lines = evenLines(group.join(' '), maxChars, maxLines);
      for (let i = 0; i < lines.length; i += maxLines) {
        const chunk = lines.slice(i, i + maxLines).join(' ').split(' ');
        if (i + maxLines >= lines.length) pending = chunk;
        else emit(chunk);
      }
    }
    return pending;
  };

  /** Whole sentences share a cue only if they fit on one line or the cue can break between them. */
  const canShare = (ws: string[]): boolean =>
    breakIntoLines(ws.join(' '), maxChars).length <= 1 || breakAtBoundary(ws, maxChars, maxLines, true) !== undefined;

  for (const paragraph of script.split(/\n\s*\n/)) {
    let pending: string[] = [];
    for (const sentence of sentencesOf(paragraph)) {
      if (pending.length === 0 ? fitsInCue(sentence) : canShare([...pending, ...sentence])) {
        pending = [...pending, ...sentence];
        continue;
      }
      emit(pending);
      pending = fitsInCue(sentence) ? sentence : pack(clausesOf(sentence), []);
    }
    emit(pending);
  }
  return cues;
}
