/**
 * The streaming pipeline: 16 kHz mono Float32 frames of any size in, caption events out.
 *
 * Audio goes through the voice detector frame by frame. Outside speech only a short pre-roll is kept and
 * nothing is decoded. While speech goes on, the utterance buffer is re-decoded every `stepSeconds` of new
 * audio; the words go through the guards, then the LocalAgreement-2 policy: the prefix two passes agree on
 * becomes `final`, the rest is `partial`. The buffer is trimmed at committed sentence and segment ends (the
 * committed text goes on as the prompt, so a pass decodes little more than what is new) and capped (commit and
 * trim). A pause (end of speech after the hangover) forces a last pass and commits everything pending; a pass
 * also runs once a pause has lasted 0.2 s (and half a step of audio came since the last pass), and when the pause
 * then ends the utterance that pass has heard all of it, so its pending words are committed at once instead of
 * after a final pass over the same audio. (Commits of a pass at a pause that does not end the utterance only add
 * words to the open caption line: lines are cut by caption-emitter.ts, not by passes.)
 *
 * Passes run one at a time; audio keeps flowing in while one runs. The step and the buffer cap come from the
 * `ComputeGovernor` (compute-governor.ts): the step follows the pass time, and when the machine cannot keep up
 * the stream degrades in a stated order (longer step, shorter buffer and prompt, then dropping the audio it could
 * not decode, counted) and recovers. `RealtimeMeter` turns that into the realtime report the console shows.
 *
 * A little over 500 lines: the frame pump, the passes and the commit and trim rules share the buffer state; the
 * caption side (caption-emitter.ts), the buffer (utterance-buffer.ts) and the pacing live in their own modules.
 */
import type {
  CaptionEvent,
  GlossaryTerm,
  StreamResume,
  StreamTuning,
  SttErrorCode,
  SttRealtime,
  SttSourceLanguage,
  SttTask,
} from '../common/stt-protocol';
import { isGlossaryLanguage, type GlossaryLanguage } from '../common/glossary';
import { CaptionEmitter, endsPhrase } from './caption-emitter';
import { ComputeGovernor, RealtimeMeter, type ComputeGovernorOptions } from './compute-governor';
import { SAMPLE_RATE, type SpeechEngine } from './engine';
import { initialPromptParts, promptText } from './prompt';
import { applyGuards, type TimeSpan } from './guards';
import { LocalAgreementPolicy } from './local-agreement-policy';
import { UtteranceBuffer, keepTail } from './utterance-buffer';
import { VadSegmenter, type VadDetector } from './vad';
import { segmentsToWords, type TimedWord } from './words';

/** Defaults of the tunables (see `StreamTuning`). */
export const STREAM_DEFAULTS = {
  stepSeconds: 1,
  bufferCapSeconds: 15,
  shrinkAudioCtx: true,
  uncertainBelow: 0.35,
  pauseMs: 600,
  minSpeechMs: 250,
  commit: 'agreement',
} as const satisfies Required<StreamTuning>;

/** Audio kept before speech starts so its onset is not clipped, seconds. */
const PREROLL_SECONDS = 0.4;
/** Audio kept after the detected end of speech in the last pass of an utterance, seconds. */
const TAIL_PAD_SECONDS = 0.2;
/** whisper.cpp refuses buffers under 1 s; shorter ones are padded with silence. */
const MIN_PASS_SECONDS = 1.1;
/** Margin added to the buffer length for `audio_ctx`, seconds. */
const AUDIO_CTX_MARGIN_SECONDS = 1;
/** `one-pass` commit: seconds of decoded audio a word needs after it to be final after one pass. */
const ONE_PASS_CONTEXT_SECONDS = 0.5;
/** Speech spans are padded by this on both sides for the non-speech guard, seconds. */
const SPEECH_SPAN_PAD = 0.2;

/** Information about one decoding pass. */
export interface PassInfo {
  pass: number;
  /** Seconds of audio decoded. */
  bufferSeconds: number;
  /** Timeline seconds of the first sample of the buffer. */
  offset: number;
  /** The prompt and `audio_ctx` used. */
  prompt: string;
  audioCtx: number;
  /** `final` for the last pass of an utterance. */
  kind: 'step' | 'final';
  /** Token ids of the draft handed to the engine (the previous pass's, same buffer start), 0 for none. */
  draftTokens: number;
}

/** A finished pass. */
export interface PassResult extends PassInfo {
  ms: number;
  words: number;
  /** Seconds from the oldest speech without a caption to the newest audio received, as the pass ended. */
  lagSeconds: number;
}

/** Where the stream is, in timeline samples (see the `progress` worker message). */
export interface StreamProgress {
  consumedSample: number;
  doneSample: number;
  retainFromSample: number;
}

/** Options of `SttStream`. */
export interface SttStreamOptions {
  engine: SpeechEngine;
  vad: VadDetector;
  language: SttSourceLanguage;
  task: SttTask;
  glossary?: readonly GlossaryTerm[];
  threads?: number;
  /** Prefix of caption ids (default none). */
  idPrefix?: string;
  tuning?: StreamTuning;
  /** Where a restarted stream picks up (default: a fresh stream at sample 0). */
  resume?: StreamResume;
  /** Caption events, in order. */
  onCaption: (event: CaptionEvent) => void;
  onPassStart?: (info: PassInfo) => void;
  onPassEnd?: (result: PassResult) => void;
  onProgress?: (progress: StreamProgress) => void;
  /** The realtime report, after every pass (see `RealtimeMeter`). */
  onRealtime?: (report: SttRealtime) => void;
  /** A pass threw; the stream goes on. */
  onError?: (code: SttErrorCode, message: string) => void;
  /** Governor settings other than the step and the buffer cap (which come from `tuning`). */
  governor?: Partial<Omit<ComputeGovernorOptions, 'minStepSeconds' | 'bufferCapSeconds'>>;
  /** Milliseconds clock for pass times (default `performance.now`). */
  now?: () => number;
}

/** One stream of captions from one audio source. Not thread-safe: one caller pushes audio in order. */
export class SttStream {
  private readonly engine: SpeechEngine;
  private readonly vad: VadDetector;
  private readonly segmenter: VadSegmenter;
  private readonly policy: LocalAgreementPolicy;
  private readonly tuning: Required<StreamTuning>;
  private language: SttSourceLanguage;
  private task: SttTask;
  private glossary: readonly GlossaryTerm[];
  private readonly threads: number | undefined;
  private readonly captions: CaptionEmitter;

  private readonly governor: ComputeGovernor;
  private readonly meter = new RealtimeMeter();
  /**
   * With `auto`, the glossary language whisper last heard (the latest pass's last word), or null before any or when it
   * heard another: the prompt then carries that language's terms instead of all three languages' (which share one
   * budget: a third of the rows each).
   */
  private heardLanguage: GlossaryLanguage | null = null;
  private readonly now: () => number;

  private readonly queue: Array<{ startSample: number; pcm: Float32Array }> = [];
  private carry = new Float32Array(0);
  private consumedSample: number;
  private pumping = false;

  private preroll = new Float32Array(0);
  private readonly buffer: UtteranceBuffer;
  private utteranceOpen = false;
  private speechSamples = 0;
  private speechSpanStart = 0;
  private speechSpans: TimeSpan[] = [];
  private samplesSincePass = 0;
  private sealAt: number | null = null;
  /** Audio before this timeline sample is being dropped (the pipeline fell behind): not buffered. */
  private dropUntil = 0;

  private passRunning = false;
  private currentPass: Promise<void> | null = null;
  private passCount = 0;
  private lastPassCovered: number;
  /** Where the audio the last pass decoded ends (timeline sample); -1 after a pass that failed or a drop. */
  private decodedUntil = -1;
  /** The token ids of the last pass and its buffer start: the next pass's draft while the start stays. */
  private lastIds: { start: number; ids: number[] } | null = null;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: SttStreamOptions) {
    this.engine = options.engine;
    this.vad = options.vad;
    this.tuning = { ...STREAM_DEFAULTS, ...stripUndefined(options.tuning ?? {}) };
    this.segmenter = new VadSegmenter({ pauseMs: this.tuning.pauseMs });
    this.language = options.language;
    this.task = options.task;
    this.glossary = options.glossary ?? [];
    this.threads = options.threads;
    const resume = options.resume;
    this.captions = new CaptionEmitter({
      idPrefix: options.idPrefix ?? '',
      nextSeq: resume?.nextSeq ?? 1,
      committedTail: resume?.committedTail ?? '',
      uncertainBelow: this.tuning.uncertainBelow,
      onCaption: options.onCaption,
    });
    this.consumedSample = resume?.startSample ?? 0;
    this.buffer = new UtteranceBuffer(this.consumedSample, SAMPLE_RATE * 4);
    this.lastPassCovered = this.consumedSample;
    this.now = options.now ?? (() => performance.now());
    this.governor = new ComputeGovernor({
      ...options.governor,
      minStepSeconds: this.tuning.stepSeconds,
      bufferCapSeconds: this.tuning.bufferCapSeconds,
    });
    this.policy = new LocalAgreementPolicy({
      committedUntil: resume?.committedUntil ?? 0,
      committedTail: resume?.committedTail ?? '',
      contextSeconds: this.tuning.commit === 'one-pass' ? ONE_PASS_CONTEXT_SECONDS : 0,
    });
  }

  /** Changes settings; they apply from the next pass. */
  configure(settings: { language?: SttSourceLanguage; task?: SttTask; glossary?: readonly GlossaryTerm[]; stepSeconds?: number }): void {
    if (settings.language) {
      this.language = settings.language;
      this.heardLanguage = null;
    }
    if (settings.task) this.task = settings.task;
    if (settings.glossary) this.glossary = settings.glossary;
    if (settings.stepSeconds) this.governor.setMinStep(settings.stepSeconds);
  }

  /** Seconds from the oldest speech without a caption to the newest audio received (0 when nothing is pending). */
  lagSeconds(): number {
    return Math.max(0, this.expectedNext() - this.progress().doneSample) / SAMPLE_RATE;
  }

  /**
   * Adds audio. `startSample` is its timeline position (default: right after the previous audio). A jump
   * forward means audio was dropped upstream: the utterance in progress is closed at the jump.
   */
  push(pcm: Float32Array, startSample?: number): void {
    if (this.closed) return;
    const expected = this.expectedNext();
    this.queue.push({ startSample: startSample ?? expected, pcm });
    void this.pump();
  }

  /** End of input: closes the utterance in progress and resolves when every pass is done. */
  async flush(): Promise<void> {
    await this.whenIdle();
    this.consumeCarry();
    const end = this.consumedSample;
    const ended = this.segmenter.close(end);
    if (ended !== undefined) this.seal(ended, end);
    this.maybeStartPass();
    await this.whenIdle();
  }

  /** Resolves when all pushed audio is consumed and no pass is running or due. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking audio. Does not close the engine or the detector (their owner does). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  /** Where the stream is, in timeline samples. */
  progress(): StreamProgress {
    const busy = this.passRunning || this.passDue();
    // The samples short of a detector frame count as taken: they go with the next audio.
    const received = this.consumedSample + this.carry.length;
    return {
      consumedSample: received,
      doneSample: busy ? Math.max(this.lastPassCovered, this.buffer.start) : received,
      retainFromSample: this.retainFrom(),
    };
  }

  /**
   * Where a restarted stream needs the audio from: the buffer (or the pre-roll), and the open caption line's words,
   * which are not final yet (a one-pass stream trims the buffer past them): a new worker decodes them again.
   */
  private retainFrom(): number {
    const from = this.buffer.length > 0 ? this.buffer.start : this.consumedSample - this.preroll.length;
    const line = this.captions.openLineStart;
    return line === null ? from : Math.max(0, Math.min(from, Math.floor(line * SAMPLE_RATE)));
  }

  private expectedNext(): number {
    const last = this.queue[this.queue.length - 1];
    return last ? last.startSample + last.pcm.length : this.consumedSample + this.carry.length;
  }

  private isIdle(): boolean {
    return !this.pumping && this.queue.length === 0 && !this.passRunning && !this.passDue();
  }

  private notifyIdle(): void {
    this.options.onProgress?.(this.progress());
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const frameSize = this.vad.frameSamples;
      while (this.queue.length > 0 && !this.closed) {
        const item = this.queue.shift()!;
        let pcm = item.pcm;
        const expected = this.consumedSample + this.carry.length;
        if (item.startSample > expected) await this.jumpTo(item.startSample);
        else if (item.startSample < expected) pcm = pcm.subarray(Math.min(pcm.length, expected - item.startSample));
        let data = pcm;
        if (this.carry.length > 0) {
          data = new Float32Array(this.carry.length + pcm.length);
          data.set(this.carry, 0);
          data.set(pcm, this.carry.length);
        }
        let offset = 0;
        while (offset + frameSize <= data.length) {
          await this.onFrame(data.slice(offset, offset + frameSize));
          offset += frameSize;
        }
        this.carry = data.slice(offset);
        this.options.onProgress?.(this.progress());
      }
    } finally {
      this.pumping = false;
      this.notifyIdle();
    }
  }

  /** A jump forward in the timeline: close the utterance before it, let its last pass finish, start afresh. */
  private async jumpTo(sample: number): Promise<void> {
    this.consumeCarry();
    const gapAt = this.consumedSample;
    const ended = this.segmenter.close(gapAt);
    if (ended !== undefined) this.seal(ended, gapAt);
    this.maybeStartPass();
    while (this.currentPass) await this.currentPass;
    // A committed word waiting in the open line goes out before its audio is cleared.
    if (this.captions.holdsLine) this.emit([], [], gapAt, { closeAll: true });
    if (this.buffer.length > 0) this.clearBuffer();
    this.policy.dropPending();
    this.vad.reset();
    this.preroll = new Float32Array(0);
    this.consumedSample = sample;
    this.buffer.moveTo(sample);
    this.lastPassCovered = sample;
  }

  /** Takes the samples short of a whole detector frame as they are (end of input, or before a jump). */
  private consumeCarry(): void {
    if (this.carry.length === 0) return;
    if (this.utteranceOpen || this.sealAt !== null) this.appendToBuffer(this.carry);
    this.consumedSample += this.carry.length;
    this.carry = new Float32Array(0);
  }

  private async onFrame(frame: Float32Array): Promise<void> {
    const frameStart = this.consumedSample;
    let p: number;
    try {
      p = await this.vad.probability(frame);
    } catch (err) {
      this.options.onError?.('VAD_FAILED', errorText(err));
      p = 0;
    }
    const step = this.segmenter.step(p, frameStart, frameStart + frame.length);
    if (step.started !== undefined) this.openUtterance(frameStart);
    const frameEnd = frameStart + frame.length;
    if (frameEnd <= this.dropUntil && this.buffer.length === 0) this.buffer.moveTo(frameEnd);
    else if (this.utteranceOpen || this.sealAt !== null) this.appendToBuffer(frame);
    else this.keepPreroll(frame);
    if (this.utteranceOpen && p >= 0.5) this.speechSamples += frame.length;
    if (this.utteranceOpen) this.meter.addSpeech(frame.length / SAMPLE_RATE);
    this.consumedSample = frameStart + frame.length;
    if (step.ended !== undefined) this.seal(step.ended, this.consumedSample);
    this.maybeStartPass();
  }

  private openUtterance(at: number): void {
    if (this.buffer.length === 0) {
      this.buffer.moveTo(at - this.preroll.length);
      this.appendToBuffer(this.preroll);
      this.preroll = new Float32Array(0);
    }
    this.utteranceOpen = true;
    this.speechSamples = 0;
    this.speechSpanStart = at;
  }

  private seal(ended: number, now: number): void {
    this.utteranceOpen = false;
    const enough = this.speechSamples >= (this.tuning.minSpeechMs / 1000) * SAMPLE_RATE;
    if (!enough) {
      if (this.sealAt === null && !this.passRunning && !this.captions.showsPartial) this.clearBuffer();
      return;
    }
    this.speechSpans.push([this.speechSpanStart / SAMPLE_RATE - SPEECH_SPAN_PAD, ended / SAMPLE_RATE + SPEECH_SPAN_PAD]);
    this.sealAt = Math.min(now, ended + Math.round(TAIL_PAD_SECONDS * SAMPLE_RATE));
  }

  private keepPreroll(frame: Float32Array): void {
    this.preroll = keepTail(this.preroll, frame, Math.round(PREROLL_SECONDS * SAMPLE_RATE));
  }

  private appendToBuffer(pcm: Float32Array): void {
    this.buffer.append(pcm);
    this.samplesSincePass += pcm.length;
  }

  /** Drops buffer audio before timeline sample `sample`. */
  private trimTo(sample: number): void {
    if (this.buffer.trimTo(sample) === 0) return;
    const startSec = this.buffer.start / SAMPLE_RATE;
    this.speechSpans = this.speechSpans.filter(([, e]) => e > startSec);
  }

  /** Empties the buffer; its tail becomes the pre-roll. */
  private clearBuffer(): void {
    this.preroll = this.buffer.clear(Math.round(PREROLL_SECONDS * SAMPLE_RATE));
    this.samplesSincePass = 0;
    this.speechSpans = [];
  }

  private passDue(): boolean {
    if (this.sealAt !== null) return true;
    if (!this.utteranceOpen || this.speechSamples < (this.tuning.minSpeechMs / 1000) * SAMPLE_RATE) return false;
    const step = this.governor.stepSeconds * SAMPLE_RATE;
    if (this.samplesSincePass >= step) return true;
    // A pause: once it has lasted the tail pad, decode (if half a step of audio came since the last pass). If the
    // pause ends the utterance, this pass has heard all of it and no final pass repeats it (see runPass): the last
    // words are final when the detector closes the utterance, not a pass later. If the speaker goes on, it was a step
    // a little early.
    const pause = this.segmenter.silentSince;
    const pad = Math.round(TAIL_PAD_SECONDS * SAMPLE_RATE);
    return (
      pause !== null &&
      this.consumedSample - pause >= pad &&
      this.lastPassCovered < pause + pad &&
      this.samplesSincePass >= step / 2
    );
  }

  private maybeStartPass(): void {
    if (this.passRunning || this.closed || !this.passDue()) return;
    this.passRunning = true;
    this.currentPass = this.runPass().finally(() => {
      this.passRunning = false;
      this.currentPass = null;
      this.maybeStartPass();
      this.notifyIdle();
    });
  }

  private async runPass(): Promise<void> {
    const target = this.sealAt;
    if (target !== null && this.decodedUntil >= target) {
      // The last pass decoded this utterance to its end and past it (it started in the pause before the voice
      // detector closed the utterance): a final pass would decode the same audio again. What it left pending is
      // final as it is. (whisper_streaming commits its last hypothesis at a pause without decoding at all; this
      // does so only when that hypothesis heard the whole utterance.)
      this.endUtterance(target, this.decodedUntil, this.policy.commitPending());
      return;
    }
    const kind = target !== null ? 'final' : 'step';
    const endSample = target !== null ? Math.min(target, this.buffer.end) : this.buffer.end;
    const length = Math.max(0, endSample - this.buffer.start);
    const offset = this.buffer.start / SAMPLE_RATE;
    const pcm = this.buffer.copyUntil(endSample, Math.ceil(MIN_PASS_SECONDS * SAMPLE_RATE));
    const padded = pcm.length;
    const bufferSeconds = length / SAMPLE_RATE;
    // The oldest speech without a caption: what the previous pass did not cover, or this buffer's start.
    const uncaptionedFrom = Math.max(this.lastPassCovered, this.buffer.start);
    const audioCtx = this.tuning.shrinkAudioCtx
      ? Math.min(1500, Math.ceil((padded / SAMPLE_RATE + AUDIO_CTX_MARGIN_SECONDS) * 50))
      : 0;
    const parts = initialPromptParts({
      committedText: this.captions.committedText,
      glossary: this.glossary,
      language: this.language === 'auto' ? (this.heardLanguage ?? 'auto') : this.language,
      task: this.task,
      ...this.governor.promptBudget,
    });
    const prompt = promptText(parts);
    // The previous pass over the same buffer start decoded what this one will decode again up to its new audio:
    // the engine verifies it in one batch (the output is what it would decode anyway).
    const bufferStart = this.buffer.start;
    const draft = this.lastIds?.start === bufferStart && this.lastIds.ids.length > 0 ? this.lastIds.ids : undefined;
    this.lastIds = null;
    const info: PassInfo = { pass: ++this.passCount, bufferSeconds, offset, prompt, audioCtx, kind, draftTokens: draft?.length ?? 0 };
    this.samplesSincePass = 0;
    this.options.onPassStart?.(info);
    const started = this.now();
    let words: TimedWord[] = [];
    try {
      const segments = await this.engine.transcribe(pcm, {
        language: this.language,
        task: this.task,
        initialPrompt: prompt,
        audioCtx,
        maxTokens: Math.ceil(bufferSeconds * 10) + 16,
        ...(this.threads !== undefined ? { threads: this.threads } : {}),
        ...(draft ? { draft } : {}),
      });
      words = segmentsToWords(segments, offset, bufferSeconds);
      this.lastIds = { start: bufferStart, ids: segments.flatMap((s) => s.ids ?? []) };
      this.decodedUntil = endSample;
    } catch (err) {
      this.decodedUntil = -1;
      this.options.onError?.('PASS_FAILED', errorText(err));
    }
    const ms = this.now() - started;
    if (this.closed) return;
    const lagSeconds = Math.max(0, this.expectedNext() - uncaptionedFrom) / SAMPLE_RATE;
    this.lastPassCovered = endSample;
    let guarded = applyGuards(words, { speech: this.currentSpeechSpans(endSample) }).words;
    const heard = guarded[guarded.length - 1]?.lang;
    if (heard !== undefined) this.heardLanguage = isGlossaryLanguage(heard) ? heard : null;
    // whisper ends a pass's last segment where the audio ends, not where the phrase does. A one-pass commit can make
    // that word final at once: it must not end the caption line (nor trim there) as a real segment end does.
    const last = guarded[guarded.length - 1];
    if (this.tuning.commit === 'one-pass' && kind === 'step' && last?.segmentEnd) guarded = [...guarded.slice(0, -1), { ...last, segmentEnd: false }];
    const update = this.policy.update(guarded, endSample / SAMPLE_RATE);
    let committed = update.committed;
    if (kind === 'final') {
      this.endUtterance(target!, endSample, [...committed, ...this.policy.commitPending()]);
    } else {
      let pending = update.pending;
      const capped = this.buffer.length / SAMPLE_RATE > this.governor.bufferCapSeconds;
      if (capped) {
        committed = [...committed, ...this.policy.commitPending()];
        pending = [];
      }
      const trim = this.trimPointAfterPass(committed);
      const lineEnd = trim?.phraseEnd;
      // The next pass starts a step after this one did (or when this one ends, if later) and takes about as long: its
      // captions are due then, on the audio's clock (a line that cannot wait for them closes now).
      const pass = ms / 1000;
      const nextEmit = endSample / SAMPLE_RATE + Math.max(this.governor.stepSeconds, pass) + pass;
      this.emit(committed, pending, endSample, capped ? { closeAll: true } : lineEnd !== undefined ? { closeThrough: lineEnd / SAMPLE_RATE, nextEmit } : { nextEmit });
      if (trim) this.trimTo(trim.at);
    }
    const undecoded = Math.max(0, this.expectedNext() - Math.max(this.lastPassCovered, this.buffer.start)) / SAMPLE_RATE;
    const decision = this.governor.onPass(ms, undecoded);
    if (decision.drop) this.dropBehind(decision.keepSeconds);
    this.meter.addPass(ms, lagSeconds, this.governor.level);
    this.options.onPassEnd?.({ ...info, ms, words: words.length, lagSeconds });
    this.options.onRealtime?.({ ...this.meter.report(this.governor), glossaryTerms: parts.terms.length });
  }

  /** Commits the last words of an utterance that ends at `target` (decoded up to `atSample`) and lets its audio go. */
  private endUtterance(target: number, atSample: number, committed: readonly TimedWord[]): void {
    this.emit(committed, [], atSample, { closeAll: true });
    this.trimTo(target);
    if (this.sealAt === target) this.sealAt = null;
    if (!this.utteranceOpen && this.sealAt === null) this.clearBuffer();
  }

  /**
   * The pipeline fell too far behind: what is pending is committed (it was heard), the audio that no pass covered
   * and that is older than `keepSeconds` before the newest audio is dropped and counted, and decoding resumes there.
   */
  private dropBehind(keepSeconds: number): void {
    const keepFrom = this.expectedNext() - Math.round(keepSeconds * SAMPLE_RATE);
    const from = Math.max(this.buffer.start, this.lastPassCovered);
    if (keepFrom <= from) return;
    this.emit(this.policy.commitPending(), [], this.expectedNext(), { closeAll: true });
    this.decodedUntil = -1;
    // Audio still on its way through the voice detector is skipped as it arrives (see onFrame).
    this.trimTo(keepFrom);
    this.dropUntil = keepFrom;
    this.policy.dropPending(keepFrom / SAMPLE_RATE);
    this.lastPassCovered = Math.max(this.lastPassCovered, keepFrom);
    this.meter.addDropped((keepFrom - from) / SAMPLE_RATE);
  }

  /** Speech spans of the buffer up to `endSample`, including the one still open. */
  private currentSpeechSpans(endSample: number): TimeSpan[] {
    const spans = [...this.speechSpans];
    if (this.utteranceOpen) spans.push([this.speechSpanStart / SAMPLE_RATE - SPEECH_SPAN_PAD, endSample / SAMPLE_RATE + SPEECH_SPAN_PAD]);
    return spans;
  }

  /**
   * Where to trim the buffer after a pass that committed `committed` (timeline sample `at`), or null: keep it all.
   * `phraseEnd`: the trim is at the end of a sentence or segment, where the caption line closes too.
   */
  private trimPointAfterPass(committed: readonly TimedWord[]): { at: number; phraseEnd?: number } | null {
    const capSamples = this.governor.bufferCapSeconds * SAMPLE_RATE;
    const lastEnd = committed[committed.length - 1]?.end;
    if (this.buffer.length > capSamples) {
      const lastWordSample = lastEnd !== undefined ? Math.round(lastEnd * SAMPLE_RATE) : 0;
      return { at: Math.max(lastWordSample, this.buffer.end - Math.round(capSamples / 2)) };
    }
    // The last committed word that ends a sentence or an engine segment: the audio before it is done with.
    let phraseEnd: number | undefined;
    for (let i = committed.length - 1; i >= 0 && phraseEnd === undefined; i--) {
      const word = committed[i]!;
      if (endsPhrase(word)) phraseEnd = Math.round(word.end * SAMPLE_RATE);
    }
    // One pass commits: the committed words are done with too (the prompt carries them), so the next pass decodes
    // only what is new. Their caption line stays open across the trim (the stream retains its audio, see retainFrom).
    if (this.tuning.commit === 'one-pass' && lastEnd !== undefined) {
      return { at: Math.round(lastEnd * SAMPLE_RATE), ...(phraseEnd !== undefined ? { phraseEnd } : {}) };
    }
    return phraseEnd === undefined ? null : { at: phraseEnd, phraseEnd };
  }

  /**
   * Sends the pass's words to the caption side. `atSample`: the audio the pass reached. Committed words are never
   * held in an open line past a trim: the line closes at the trim point (`closeThrough`) or whole (`closeAll`).
   */
  private emit(committed: readonly TimedWord[], pending: readonly TimedWord[], atSample: number, close: { closeAll?: boolean; closeThrough?: number; nextEmit?: number }): void {
    this.captions.emit(committed, pending, {
      ...close,
      now: atSample / SAMPLE_RATE,
      speaking: this.utteranceOpen,
      committedUntil: this.policy.committedUntil,
      language: this.language,
    });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
