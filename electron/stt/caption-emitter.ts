/**
 * Turns the committed and pending words of a pass into caption events. Committed words are gathered into caption
 * lines the size a reader takes in at a glance: a `final` goes out when its line is complete, the next text gets
 * the next id. Until then the line's committed words lead the `partial` (same id), so they are on screen as soon
 * as they are committed; a `partial` goes out whenever that text changes (an empty one withdraws it). Keeps the
 * tail of the committed text, which the stream carries as the prompt and a restarted stream resumes from.
 *
 * Why lines and not a final per commit: the commit policy commits every pass, each step of speech (1 s on a fast
 * machine: two or three words). Every final is a line downstream: a row of a wall display, which gives each row
 * at least 1.5 s of reading time, a cue of YouTube, Zoom or an SRT export, a Teams CART line. Two-word finals once
 * a second (the base-dims model on 2 cores: 52 finals of 2.1 words a minute), replayed into a wall's roll-up in the
 * order the stream sends them, left it 4-5 s behind the speech, always catching up; in the order the console sent
 * them before it kept a channel's order, each row was on the wall about 1.1 s, less than its reading time.
 *
 * A line is complete at the end of a sentence or of an engine segment, once it holds {@link LINE_MIN_CHARS}
 * characters (it then closes at a word boundary within the display's line length, keeping its last word for the next
 * line while speech goes on, so that line does not start alone), when its first word has waited
 * {@link LINE_MAX_HOLD_SECONDS} of audio since it was committed, when waiting for the next pass would make its first
 * word's final later than {@link LINE_MAX_AGE_SECONDS} after it was spoken,
 * and whenever the stream says so (end of an utterance, a forced commit, a trim, a drop): a committed word is never
 * held past the audio the stream keeps, so a restarted stream decodes it again instead of losing it.
 */
import type { CaptionEvent, SttSourceLanguage } from '../common/stt-protocol';
import { lineLengthFor } from '../common/line-breaking';
import { uncertainRanges } from './guards';
import { joinWords, type TimedWord } from './words';

/** A line closes once its committed text is this long (about two thirds of a display row). */
export const LINE_MIN_CHARS = 28;
/** A line closes once its first committed word has waited this long, seconds of audio. */
export const LINE_MAX_HOLD_SECONDS = 1.6;
/**
 * A line's final goes out at most this long after its first word was spoken (seconds of audio), as far as the
 * stream can tell: a line closes at a pass when holding it to the next pass's captions would make it later (the
 * stream says when those are due, `EmitContext.nextEmit`). What a platform shows (a YouTube or Zoom cue, a Teams
 * line) is the final: on a slow machine, with passes every 1.3-1.5 s (whisper small on 2 cores), a line of two
 * passes put its first words on a platform 4 s and more after they were spoken; such a machine sends a line per
 * pass instead, and a wall flows those short lines into its rows (flowedCaptionRows).
 */
export const LINE_MAX_AGE_SECONDS = 3;

/** A word that ends a sentence. */
const SENTENCE_END = /[.!?؟…。][«»"”'’)\]]*$/u;

/** Ends a sentence or an engine segment: the audio before it is done with (the stream trims there). */
export function endsPhrase(word: TimedWord): boolean {
  return word.segmentEnd || SENTENCE_END.test(word.text);
}

/** Options of {@link CaptionEmitter}. */
export interface CaptionEmitterOptions {
  /** Prefix of caption ids (`<prefix><n>`). */
  idPrefix: string;
  /** Number of the next caption. */
  nextSeq: number;
  /** Committed text before this stream (a resumed one), at most 400 chars kept. */
  committedTail: string;
  /** Words whose lowest token probability is below this are flagged uncertain. */
  uncertainBelow: number;
  onCaption: (event: CaptionEvent) => void;
}

/** What the stream tells {@link CaptionEmitter.emit} besides the words. */
export interface EmitContext {
  /** Timeline seconds of the audio the pass reached (the line's hold is measured against it). */
  now: number;
  /**
   * Timeline seconds (of the audio, which arrives in real time) by which the next pass's captions are expected out
   * (default `now`): a line whose first word would by then be older than {@link LINE_MAX_AGE_SECONDS} closes now.
   */
  nextEmit?: number;
  /** Close the line whatever its length: end of an utterance, a forced commit, a drop. */
  closeAll?: boolean;
  /** Close every committed word that ends at or before this time (the stream trims its audio there). */
  closeThrough?: number;
  /** The speaker goes on (the utterance is open), even when no word is pending yet. */
  speaking?: boolean;
  /** Where an empty partial is placed. */
  committedUntil: number;
  /** Labels captions whose words carry no language. */
  language: SttSourceLanguage;
}

/** The caption side of one stream. */
export class CaptionEmitter {
  private seq: number;
  private committed: string;
  private partial = '';
  /** Committed words of the line not yet sent as a final. */
  private open: TimedWord[] = [];
  /** Timeline seconds at which the open line's first word was committed. */
  private openSince = 0;

  constructor(private readonly o: CaptionEmitterOptions) {
    this.seq = o.nextSeq;
    this.committed = o.committedTail;
  }

  /** The last 400 characters of committed text (the open line's words included). */
  get committedText(): string {
    return `${this.committed} ${joinWords(this.open)}`.trim().slice(-400);
  }

  /** True when a partial is on screen (the open line's committed words or pending words). */
  get showsPartial(): boolean {
    return this.partial !== '';
  }

  /** Timeline seconds where the open line's first word starts, or null when no committed word waits. */
  get openLineStart(): number | null {
    return this.open[0]?.start ?? null;
  }

  /** True when committed words wait in the open line. */
  get holdsLine(): boolean {
    return this.open.length > 0;
  }

  /**
   * Adds `committed` to the open line, sends the finals of the lines now complete (see the module comment), then
   * the partial (the open line's words and `pending`) if its text changed.
   */
  emit(committed: readonly TimedWord[], pending: readonly TimedWord[], at: EmitContext): void {
    if (committed.length > 0 && this.open.length === 0) this.openSince = at.now;
    this.open.push(...committed);
    for (let n = this.closeCount(at, pending); n > 0; n = this.closeCount(at, pending)) {
      const line = this.open.splice(0, n);
      this.o.onCaption(this.caption('final', line, at.language));
      this.committed = `${this.committed} ${joinWords(line)}`.trim().slice(-400);
      this.seq++;
      this.partial = '';
      this.openSince = at.now;
    }
    const shown = [...this.open, ...pending];
    const text = joinWords(shown);
    if (text === this.partial) return;
    if (shown.length > 0) {
      const event = this.caption('partial', shown, at.language);
      const last = this.open[this.open.length - 1];
      this.o.onCaption(last ? { ...event, stableChars: joinWords(this.open).length, stableEnd: round3(last.end) } : event);
    }
    else {
      const t = at.committedUntil;
      this.o.onCaption({ type: 'caption', id: this.id(), state: 'partial', text: '', start: t, end: t, lang: fixedLang(at.language) });
    }
    this.partial = text;
  }

  /** How many of the open words make the next complete line (0: none yet); `pending` is the speech after them. */
  private closeCount(at: EmitContext, pending: readonly TimedWord[]): number {
    const open = this.open;
    if (open.length === 0) return 0;
    if (at.closeAll) return open.length;
    // The end of a sentence or segment, or the last word before the stream's trim point, whichever comes first:
    // the line ends there.
    const through = at.closeThrough;
    const beforeTrim = through === undefined ? -1 : open.findLastIndex((word) => word.end <= through);
    const phraseEnd = open.findIndex(endsPhrase);
    const cut = phraseEnd >= 0 && (beforeTrim < 0 || phraseEnd < beforeTrim) ? phraseEnd : beforeTrim;
    if (cut >= 0) return cut + 1;
    const maxChars = lineLengthFor(open[0]!.lang);
    if (joinWords(open).length >= LINE_MIN_CHARS) {
      // As many words as fit a display row (at least one).
      let n = 1;
      while (n < open.length && joinWords(open.slice(0, n + 1)).length <= maxChars) n++;
      // Every open word fits and speech goes on (words pending, or the utterance still open: a one-pass stream often
      // has nothing pending): the last one waits for the next line, which then does not start
      // alone (bench:e2e's lines had a sentence's last word, cut off by the pause after it, as a line of its own:
      // 7 of 72). Not when that word is due by age already: it would go out alone at once.
      const last = open[n - 1]!;
      const goesOn = pending.length > 0 || at.speaking === true;
      const carry = n === open.length && n > 1 && goesOn && (at.nextEmit ?? at.now) - last.end < LINE_MAX_AGE_SECONDS;
      return carry && joinWords(open.slice(0, n - 1)).length >= LINE_MIN_CHARS / 2 ? n - 1 : n;
    }
    return at.now - this.openSince >= LINE_MAX_HOLD_SECONDS || (at.nextEmit ?? at.now) - open[0]!.end >= LINE_MAX_AGE_SECONDS ? open.length : 0;
  }

  private caption(state: 'partial' | 'final', words: readonly TimedWord[], language: SttSourceLanguage): CaptionEvent {
    const uncertain = uncertainRanges(words, this.o.uncertainBelow);
    const first = words[0]!;
    const last = words[words.length - 1]!;
    return {
      type: 'caption',
      id: this.id(),
      state,
      text: joinWords(words),
      start: round3(first.start),
      end: round3(Math.max(first.start, last.end)),
      lang: first.lang && first.lang !== 'auto' ? first.lang : fixedLang(language),
      ...(uncertain.length > 0 ? { uncertain } : {}),
    };
  }

  private id(): string {
    return `${this.o.idPrefix}${this.seq}`;
  }
}

function fixedLang(language: SttSourceLanguage): string {
  return language === 'auto' ? 'und' : language;
}

function round3(x: number): number {
  return Math.round(Math.max(0, x) * 1000) / 1000;
}
