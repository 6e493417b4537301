/**
 * Turns the committed and pending words of a pass into caption events: a `final` per commit (the next text gets
 * the next id), a `partial` whenever the pending text changes (an empty one withdraws it). Keeps the tail of the
 * committed text, which the stream carries as the prompt and a restarted stream resumes from.
 */
import type { CaptionEvent, SttSourceLanguage } from '../common/stt-protocol';
import { uncertainRanges } from './guards';
import { joinWords, type TimedWord } from './words';

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

/** The caption side of one stream. */
export class CaptionEmitter {
  private seq: number;
  private committed: string;
  private partial = '';

  constructor(private readonly o: CaptionEmitterOptions) {
    this.seq = o.nextSeq;
    this.committed = o.committedTail;
  }

  /** The last 400 characters of committed text. */
  get committedText(): string {
    return this.committed;
  }

  /** True when a partial is on screen. */
  get showsPartial(): boolean {
    return this.partial !== '';
  }

  /**
   * Emits a final for `committed` (if any), then the partial for `pending` if it changed; `committedUntil` places an
   * empty partial, `language` labels captions whose words carry none.
   */
  emit(committed: readonly TimedWord[], pending: readonly TimedWord[], committedUntil: number, language: SttSourceLanguage): void {
    if (committed.length > 0) {
      this.o.onCaption(this.caption('final', committed, language));
      this.committed = `${this.committed} ${joinWords(committed)}`.trim().slice(-400);
      this.seq++;
      this.partial = '';
    }
    const text = joinWords(pending);
    if (text === this.partial) return;
    if (pending.length > 0) this.o.onCaption(this.caption('partial', pending, language));
    else {
      const at = committedUntil;
      this.o.onCaption({ type: 'caption', id: this.id(), state: 'partial', text: '', start: at, end: at, lang: fixedLang(language) });
    }
    this.partial = text;
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
