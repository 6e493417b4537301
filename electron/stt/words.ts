/**
 * Words with times: the unit the commit policy and the guards work on. Built from an engine pass (segments
 * with tokens), with times moved from buffer-relative to the stream's timeline.
 */
import type { EngineSegment } from './engine';

/** One word of a hypothesis. */
export interface TimedWord {
  /** The word as decoded, punctuation attached, no surrounding spaces. */
  text: string;
  /** Seconds on the stream's timeline. */
  start: number;
  end: number;
  /** Lowest token probability in the word, in [0, 1] (1 when the engine gives none). */
  p: number;
  /** Language of the segment the word came from. */
  lang: string;
  /** Index of the engine segment within its pass. */
  segment: number;
  /** The last word of its engine segment. */
  segmentEnd: boolean;
}

const SPECIAL_TOKEN = /^\s*(\[_[^\]]*\]|<\|[^|]*\|>)\s*$/;

/** Normal form for comparing words between passes: case, punctuation, Arabic diacritics and tatweel ignored. */
export function normalizeWord(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
    .replace(/[\p{P}\p{S}]/gu, '')
    .trim();
}

/** Joins words into caption text. */
export function joinWords(words: readonly TimedWord[]): string {
  return words.map((w) => w.text).join(' ');
}

/**
 * Turns the segments of one pass into words on the timeline.
 * @param offset timeline seconds of the first sample of the buffer that was decoded
 * @param bufferSeconds length of that buffer; times are clamped into it
 */
export function segmentsToWords(segments: readonly EngineSegment[], offset: number, bufferSeconds: number): TimedWord[] {
  const out: TimedWord[] = [];
  const clamp = (t: number): number => Math.min(Math.max(t, 0), bufferSeconds);
  segments.forEach((segment, segIndex) => {
    const segStart = clamp(segment.start);
    const segEnd = Math.max(segStart, clamp(segment.end));
    const words = fromTokens(segment, segStart, segEnd) ?? fromText(segment, segStart, segEnd);
    words.forEach((w, i) => {
      out.push({
        text: w.text,
        start: offset + w.start,
        end: offset + Math.max(w.start, w.end),
        p: w.p,
        lang: segment.lang,
        segment: segIndex,
        segmentEnd: i === words.length - 1,
      });
    });
  });
  return out;
}

interface RawWord {
  text: string;
  start: number;
  end: number;
  p: number;
}

/** Words from tokens when their texts add up to the segment text (a split multi-byte char does not). */
function fromTokens(segment: EngineSegment, segStart: number, segEnd: number): RawWord[] | null {
  const tokens = segment.tokens.filter((t) => !SPECIAL_TOKEN.test(t.text) && t.text.length > 0);
  if (tokens.length === 0) return null;
  const joined = tokens.map((t) => t.text).join('');
  if (joined.trim() !== segment.text.trim() || joined.includes('\uFFFD')) return null;
  if (tokens.some((t) => t.start === undefined || t.end === undefined)) return null;
  const words: RawWord[] = [];
  let current: RawWord | null = null;
  for (const token of tokens) {
    const start = Math.min(Math.max(token.start ?? segStart, segStart), segEnd);
    const end = Math.min(Math.max(token.end ?? start, start), segEnd);
    const startsWord = /^\s/.test(token.text) || current === null;
    const piece = token.text.trim();
    if (piece.length === 0) continue;
    const isPunctuation = /^[\p{P}\p{S}]+$/u.test(piece);
    if (startsWord && !(isPunctuation && current !== null)) {
      if (current) words.push(current);
      current = { text: piece, start, end, p: token.p };
    } else if (current) {
      current.text += piece;
      current.end = Math.max(current.end, end);
      current.p = Math.min(current.p, token.p);
    }
  }
  if (current) words.push(current);
  return words;
}

/** Words from the segment text, times spread over the segment by length, probabilities by position. */
function fromText(segment: EngineSegment, segStart: number, segEnd: number): RawWord[] {
  const pieces = segment.text.split(/\s+/).filter((w) => w.length > 0);
  const total = pieces.reduce((n, w) => n + w.length, 0);
  if (total === 0) return [];
  const tokens = segment.tokens.filter((t) => !SPECIAL_TOKEN.test(t.text));
  const span = segEnd - segStart;
  let acc = 0;
  return pieces.map((text) => {
    const from = acc / total;
    acc += text.length;
    const to = acc / total;
    let p = 1;
    if (tokens.length > 0) {
      const first = Math.min(tokens.length - 1, Math.floor(from * tokens.length));
      const last = Math.max(first, Math.min(tokens.length - 1, Math.ceil(to * tokens.length) - 1));
      for (let i = first; i <= last; i++) p = Math.min(p, tokens[i]?.p ?? 1);
    }
    return { text, start: segStart + from * span, end: segStart + to * span, p };
  });
}
