/**
 * Guards against the known whisper failures, applied to every pass before the commit policy sees it:
 * repeated-phrase loops, text decoded over non-speech, stock phrases whisper emits on noise, and low-confidence
 * words flagged for the UI. Pure functions, pinned by guards.test.ts.
 */
import { normalizeWord, type TimedWord } from './words';

/** A span of the timeline, seconds. */
export type TimeSpan = readonly [start: number, end: number];

/**
 * Stock phrases whisper produces on silence and noise (from subtitled training video), per language,
 * matched against a whole segment after `normalizeForPhrases`. A segment that is only such a phrase is dropped.
 */
export const STOCK_PHRASES: Readonly<Record<'any' | 'en' | 'ru' | 'ar', readonly RegExp[]>> = {
  any: [/^(music|applause|laughter|silence|blank audio|музыка|аплодисменты|смех|موسيقى|تصفيق)$/],
  en: [
    /^(thanks|thank you)( (so|very) much)? for (watching|listening)( and (watching|listening))?$/,
    /^(please )?(like (and|&) )?subscribe( to (my|our|the) channel)?$/,
    /^(subtitles|subtitled|captions|captioned|captioning|transcription|transcribed|transcript|translated|translation|sync(ed)?|corrections?) by\b/,
    /\bamara org\b/,
    /^see you (in the )?next (time|video|one)$/,
    /^www [a-z0-9 ]+$/,
  ],
  ru: [
    /^продолжение следует$/,
    /^(субтитры|субтитрами|редактор субтитров|корректор субтитров)(\s.*)?$/,
    /^спасибо за просмотр$/,
    /^подписывайтесь на (наш )?канал(\s.*)?$/,
  ],
  ar: [
    /^ترجمة نانسي قنقر$/,
    /^نانسي قنقر$/,
    /^(اشتركوا|اشترك) (في |ب)ال?قناة(\s.*)?$/,
    /^شكرا (لكم )?على المشاهدة$/,
    /^(ترجمة|تدقيق|سبتايتل) .*(قنقر|نانسي)/,
  ],
};

/** Normal form for stock-phrase matching: lower case, no diacritics, punctuation as spaces. */
export function normalizeForPhrases(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the whole text is a stock phrase of any language. */
export function isStockPhrase(text: string): boolean {
  const norm = normalizeForPhrases(text);
  if (norm.length === 0) return false;
  return Object.values(STOCK_PHRASES).some((list) => list.some((re) => re.test(norm)));
}

/**
 * Removes bracketed non-speech annotations (`[Music]`, `(applause)`, `*laughs*`) and music notes. A word that
 * opens a bracket drops everything up to the word that closes it.
 */
export function dropAnnotations(words: readonly TimedWord[]): TimedWord[] {
  const out: TimedWord[] = [];
  let closer: string | null = null;
  for (const word of words) {
    const text = word.text.replace(/[♪♫♬]/g, '');
    if (closer !== null) {
      if (text.includes(closer)) closer = null;
      continue;
    }
    const open = /^[[(*]/.exec(text)?.[0];
    if (open) {
      const close = open === '[' ? ']' : open === '(' ? ')' : '*';
      if (!text.slice(1).includes(close)) closer = close;
      continue;
    }
    if (text.trim().length === 0) continue;
    out.push(text === word.text ? word : { ...word, text });
  }
  return out;
}

/** Drops segments whose whole text is a stock phrase. */
export function dropStockPhrases(words: readonly TimedWord[]): TimedWord[] {
  const bySegment = groupBySegment(words);
  return bySegment.filter((seg) => !isStockPhrase(seg.map((w) => w.text).join(' '))).flat();
}

/**
 * Drops segments that lie entirely in non-speech: their overlap with the speech spans is under `toleranceSec`.
 * @param speech speech spans (timeline seconds) the voice detector found
 */
export function dropNonSpeech(words: readonly TimedWord[], speech: readonly TimeSpan[], toleranceSec = 0.05): TimedWord[] {
  return groupBySegment(words)
    .filter((seg) => {
      const start = seg[0]?.start ?? 0;
      const end = seg[seg.length - 1]?.end ?? 0;
      const overlap = speech.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(end, e) - Math.max(start, s)), 0);
      // A zero-length segment (timestamps collapsed) counts as speech when it sits inside a speech span.
      if (end - start <= 0) return speech.some(([s, e]) => start >= s - toleranceSec && start <= e + toleranceSec);
      return overlap >= toleranceSec;
    })
    .flat();
}

/** Result of the loop guard. */
export interface LoopCut {
  words: TimedWord[];
  /** Index of the first dropped word, or -1 when nothing was cut. */
  cutAt: number;
}

/**
 * Cuts a repeated-phrase loop: the first place where a word n-gram (n = 1..maxN) repeats `minRepeats` or more
 * times in a row. The first occurrence is kept, the repetitions and everything after them are dropped (what
 * follows a loop is not trustworthy either).
 */
export function cutRepetitionLoop(words: readonly TimedWord[], minRepeats = 3, maxN = 8): LoopCut {
  const norm = words.map((w) => normalizeWord(w.text));
  for (let i = 0; i < norm.length; i++) {
    for (let n = 1; n <= maxN && i + n * minRepeats <= norm.length; n++) {
      let repeats = 1;
      while (i + (repeats + 1) * n <= norm.length && sameRun(norm, i, i + repeats * n, n)) repeats++;
      if (repeats >= minRepeats) return { words: words.slice(0, i + n), cutAt: i + n };
    }
  }
  return { words: [...words], cutAt: -1 };
}

function sameRun(norm: readonly string[], a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (norm[a + k] !== norm[b + k]) return false;
  return true;
}

/**
 * Character ranges [start, end) of `joinWords(words)` covering the words whose probability is below
 * `threshold`; neighbouring uncertain words merge into one range (the space between them included).
 */
export function uncertainRanges(words: readonly TimedWord[], threshold: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let pos = 0;
  words.forEach((w, i) => {
    if (i > 0) pos += 1;
    const start = pos;
    const end = pos + w.text.length;
    if (w.p < threshold) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === start - 1) last[1] = end;
      else ranges.push([start, end]);
    }
    pos = end;
  });
  return ranges;
}

function groupBySegment(words: readonly TimedWord[]): TimedWord[][] {
  const groups: TimedWord[][] = [];
  let current: TimedWord[] = [];
  let segment = -1;
  for (const w of words) {
    if (w.segment !== segment && current.length > 0) {
      groups.push(current);
      current = [];
    }
    segment = w.segment;
    current.push(w);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Options of `applyGuards`. */
export interface GuardOptions {
  /** Speech spans of the buffer; segments outside all of them are dropped. */
  speech: readonly TimeSpan[];
  /** See `cutRepetitionLoop`. */
  minRepeats?: number;
}

/** Report of what the guards removed from one hypothesis (for logs and tests). */
export interface GuardReport {
  words: TimedWord[];
  droppedNonSpeech: number;
  droppedStock: number;
  droppedAnnotations: number;
  loopCutAt: number;
}

/** All guards in order: annotations, stock phrases, non-speech segments, then loops. */
export function applyGuards(words: readonly TimedWord[], options: GuardOptions): GuardReport {
  const a = dropAnnotations(words);
  const b = dropStockPhrases(a);
  const c = dropNonSpeech(b, options.speech);
  const loop = cutRepetitionLoop(c, options.minRepeats ?? 3);
  return {
    words: loop.words,
    droppedAnnotations: words.length - a.length,
    droppedStock: a.length - b.length,
    droppedNonSpeech: b.length - c.length,
    loopCutAt: loop.cutAt,
  };
}
