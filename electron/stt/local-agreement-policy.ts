/**
 * The commit policy: LocalAgreement-2 in the spirit of whisper_streaming (Macháček, Dabre and Bojar, 2023).
 * The buffer is re-decoded every step; the prefix that two consecutive passes agree on (beyond what is already
 * committed) is committed, the rest stays pending. A pause or the buffer cap forces the pending words out.
 * Committed words are never revisited: words of a later pass that start before the commit point are ignored,
 * and an overlap of up to five words with the committed tail is removed.
 *
 * Optionally (`contextSeconds` > 0) a word is also committed after one pass when the pass decoded at least that much
 * audio after it and no word before it is pending or unsure: the idea of AlignAtt (Papi et al. 2023), which
 * SimulStreaming runs on whisper (emit what the model aligned to audio at least a threshold before the end of what
 * it received, hold the rest), with word end times in place of cross-attention. A word no longer waits for a second
 * pass (on small dims on 2 cores: committed text on screen 1.6 s after speech instead of 3.4 s at p50); whether
 * whisper's words with that much audio after them are as stable as agreed ones is to be judged on real weights (off
 * by default).
 */
import { normalizeWord, type TimedWord } from './words';

/** What one pass produced after the policy. */
export interface PolicyUpdate {
  /** Newly committed words (final, in order). */
  committed: TimedWord[];
  /** The words after them in the latest pass (partial). */
  pending: TimedWord[];
}

/** Options of `LocalAgreementPolicy`. */
export interface LocalAgreementOptions {
  /** Timeline seconds up to which text is already committed (a restarted stream resumes here). */
  committedUntil?: number;
  /** Committed text before that point, for removing overlap. */
  committedTail?: string;
  /** A word starting this much before the commit point still counts as new (timestamps jitter). */
  startTolerance?: number;
  /** Longest overlap with the committed tail that is removed, in words. */
  maxOverlap?: number;
  /** One-pass commit: seconds of decoded audio a word needs after it (0, the default: agreement only). */
  contextSeconds?: number;
  /** One-pass commit: a word with a token probability below this waits for agreement (default 0.5). */
  contextMinP?: number;
}

export class LocalAgreementPolicy {
  private committedEnd: number;
  private tail: string[];
  private previous: TimedWord[] = [];
  private readonly startTolerance: number;
  private readonly maxOverlap: number;
  private readonly contextSeconds: number;
  private readonly contextMinP: number;

  constructor(options: LocalAgreementOptions = {}) {
    this.committedEnd = options.committedUntil ?? 0;
    this.startTolerance = options.startTolerance ?? 0.1;
    this.maxOverlap = options.maxOverlap ?? 5;
    this.contextSeconds = options.contextSeconds ?? 0;
    this.contextMinP = options.contextMinP ?? 0.5;
    this.tail = (options.committedTail ?? '').split(/\s+/).filter(Boolean).map(normalizeWord).slice(-this.maxOverlap);
  }

  /** Timeline seconds up to which text is committed. */
  get committedUntil(): number {
    return this.committedEnd;
  }

  /** The pending words of the latest pass. */
  get pending(): readonly TimedWord[] {
    return this.previous;
  }

  /**
   * Feeds the words of a new pass over the buffer; returns what became final and what is still pending.
   * `audioEnd`: timeline seconds where the pass's audio ends (for the one-pass rule; without it, agreement only).
   */
  update(hypothesis: readonly TimedWord[], audioEnd?: number): PolicyUpdate {
    const fresh = this.newPart(hypothesis);
    let agreed = 0;
    while (
      agreed < fresh.length &&
      agreed < this.previous.length &&
      normalizeWord(fresh[agreed]!.text) === normalizeWord(this.previous[agreed]!.text)
    ) {
      agreed++;
    }
    if (this.contextSeconds > 0 && audioEnd !== undefined) {
      const heardBy = audioEnd - this.contextSeconds;
      while (agreed < fresh.length && fresh[agreed]!.end <= heardBy && fresh[agreed]!.p >= this.contextMinP) agreed++;
    }
    const committed = fresh.slice(0, agreed);
    this.previous = fresh.slice(agreed);
    this.markCommitted(committed);
    return { committed, pending: [...this.previous] };
  }

  /** Commits the pending words of the latest pass (at a pause, at the buffer cap, at the end of input). */
  commitPending(): TimedWord[] {
    const committed = this.previous;
    this.previous = [];
    this.markCommitted(committed);
    return committed;
  }

  /** Forgets the pending words (after a gap in the audio), and moves the commit point to `until` if later. */
  dropPending(until?: number): void {
    this.previous = [];
    if (until !== undefined) this.committedEnd = Math.max(this.committedEnd, until);
  }

  private newPart(hypothesis: readonly TimedWord[]): TimedWord[] {
    const fresh = hypothesis.filter((w) => w.start > this.committedEnd - this.startTolerance);
    const first = fresh[0];
    if (!first || this.tail.length === 0 || first.start - this.committedEnd > 1) return fresh;
    const head = fresh.map((w) => normalizeWord(w.text));
    for (let n = Math.min(this.maxOverlap, this.tail.length, head.length); n >= 1; n--) {
      const tailPart = this.tail.slice(-n);
      if (tailPart.every((t, i) => t === head[i])) return fresh.slice(n);
    }
    return fresh;
  }

  private markCommitted(words: readonly TimedWord[]): void {
    const last = words[words.length - 1];
    if (!last) return;
    this.committedEnd = Math.max(this.committedEnd, last.end);
    this.tail = [...this.tail, ...words.map((w) => normalizeWord(w.text))].slice(-this.maxOverlap);
  }
}
