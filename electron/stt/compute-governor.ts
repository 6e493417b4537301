/**
 * How often the streaming pipeline may decode, decided from how long its passes take, so that it never asks for
 * more passes than the cores can run and its lag behind live audio stays bounded.
 *
 * The step (seconds of new speech between two passes) follows the passes: step = pass time / target duty, so
 * decoding takes about `targetDuty` of the time and the rest is left to the other sources on the machine (an
 * interpreter's voice, the console). The lag of the oldest uncaptioned speech at the end of a pass is about
 * step + pass time, so the step is also held to `hardLagSeconds` - pass time. When that is not enough the
 * governor degrades, one level at a time and in this order, as the pass time grows:
 *
 *   1. `longer-step`: the step may grow past `normalMaxStepSeconds` up to `longMaxStepSeconds` (fewer passes,
 *      later captions, the same text);
 *   2. `shorter-buffer`: the duty cannot be met within the lag bound: the utterance buffer is capped at
 *      `shortBufferSeconds` instead of `bufferCapSeconds`, so each pass has less audio to encode and fewer tokens
 *      to decode, and the prompt is cut to `shortPrompt` (fewer glossary terms, less committed text: every prompt
 *      token is decoded again in every pass, about half the cost of a decoded token; on the small dims a
 *      200-character carry costs a quarter of a 5 s pass);
 *   3. `dropping`: even back-to-back passes would end past `hardLagSeconds`: the audio no pass could decode in
 *      time is dropped (the stream commits what it has and resumes `keepSeconds` before the live edge, chosen so
 *      that the next pass ends inside the bound) and counted.
 *
 * A pass time that jumps (a neighbour took the cores) may skip levels: the lag bound comes first. It recovers one
 * level at a time, after `recoverAfterPasses` passes in a row that would fit the level above with room to spare.
 *
 * Pure: the stream feeds it pass times and audio positions; time never comes from a clock here.
 */
import type { PacingLevel, SttRealtime } from '../common/stt-protocol';

/** Options of {@link ComputeGovernor}. */
export interface ComputeGovernorOptions {
  /** The shortest step, seconds (the tuning's `stepSeconds`). */
  minStepSeconds: number;
  /** The normal buffer cap, seconds (the tuning's `bufferCapSeconds`). */
  bufferCapSeconds: number;
  /** Share of wall time the passes may take (default 0.45). */
  targetDuty?: number;
  /** Longest step at the `normal` level, seconds (default 2). */
  normalMaxStepSeconds?: number;
  /** Longest step at the later levels, seconds (default 3). */
  longMaxStepSeconds?: number;
  /** Buffer cap from the `shorter-buffer` level on, seconds (default 4: on the small dims a 4 s pass takes about 1 s on 2 cores). */
  shortBufferSeconds?: number;
  /** The prompt's budget from the `shorter-buffer` level on (default 64 tokens, 100 committed characters). */
  shortPrompt?: PromptBudget;
  /** The bound on the lag of the oldest uncaptioned speech at the end of a pass, seconds (default 4.5). */
  hardLagSeconds?: number;
  /** Passes in a row with room to spare before one level is given back (default 4). */
  recoverAfterPasses?: number;
}

/** A budget for the initial prompt (see electron/stt/prompt.ts). */
export interface PromptBudget {
  /** Whisper tokens of the whole prompt (glossary and committed text). */
  maxTokens: number;
  /** Characters of committed text carried over. */
  carryChars: number;
}

/** What the governor says after a pass. */
export interface GovernorDecision {
  /** Drop the undecoded audio older than `keepSeconds` before the live edge. */
  drop: boolean;
  keepSeconds: number;
}

/** The levels in the order they are taken. */
export const PACING_ORDER: readonly PacingLevel[] = ['normal', 'longer-step', 'shorter-buffer', 'dropping'];

/** Undecoded audio a drop keeps at most before the live edge, seconds (the next pass decodes it). */
const MAX_KEEP_SECONDS = 3;

/** Weight of the newest pass in the running pass time. */
const SMOOTHING = 0.35;

/** Decides the step and the buffer cap from the passes (see the module comment). */
export class ComputeGovernor {
  private readonly o: Required<ComputeGovernorOptions>;
  private levelIndex = 0;
  private passSeconds = 0;
  private lastPassSeconds = 0;
  private calmPasses = 0;
  private minStep: number;

  constructor(options: ComputeGovernorOptions) {
    this.o = {
      targetDuty: 0.45,
      normalMaxStepSeconds: 2,
      longMaxStepSeconds: 3,
      shortBufferSeconds: 4,
      shortPrompt: { maxTokens: 64, carryChars: 100 },
      hardLagSeconds: 4.5,
      recoverAfterPasses: 4,
      ...options,
    };
    this.minStep = options.minStepSeconds;
  }

  /** The current degradation level. */
  get level(): PacingLevel {
    return PACING_ORDER[this.levelIndex]!;
  }

  /** Seconds of new speech between two passes. */
  get stepSeconds(): number {
    const levelMax = this.levelIndex === 0 ? this.o.normalMaxStepSeconds : this.o.longMaxStepSeconds;
    const maxStep = Math.min(levelMax, this.lagRoom());
    return clamp(this.passSeconds / this.o.targetDuty, this.minStep, Math.max(this.minStep, maxStep));
  }

  /** Longest utterance buffer before a forced commit and trim, seconds. */
  get bufferCapSeconds(): number {
    return this.levelIndex >= 2 ? Math.min(this.o.bufferCapSeconds, this.o.shortBufferSeconds) : this.o.bufferCapSeconds;
  }

  /** The prompt's budget: the prompt's own defaults until `shorter-buffer`, then `shortPrompt`. */
  get promptBudget(): PromptBudget | undefined {
    return this.levelIndex >= 2 ? this.o.shortPrompt : undefined;
  }

  /** Changes the shortest step (a settings change). */
  setMinStep(seconds: number): void {
    this.minStep = seconds;
  }

  /**
   * Takes the time of a finished pass and the seconds of audio no pass has covered yet (what arrived while it ran);
   * says whether to drop audio.
   */
  onPass(passMs: number, undecodedSeconds: number): GovernorDecision {
    const seconds = passMs / 1000;
    this.passSeconds = this.passSeconds === 0 ? seconds : this.passSeconds + SMOOTHING * (seconds - this.passSeconds);
    this.lastPassSeconds = seconds;
    const keepSeconds = clamp(this.lagRoom(), 1, MAX_KEEP_SECONDS);
    const target = this.targetLevel(undecodedSeconds);
    if (target === PACING_ORDER.length - 1 && undecodedSeconds > keepSeconds) {
      this.levelIndex = target;
      this.calmPasses = 0;
      return { drop: true, keepSeconds };
    }
    if (target > this.levelIndex) {
      this.levelIndex++;
      this.calmPasses = 0;
      return { drop: false, keepSeconds };
    }
    // Room to spare for the level above: with a margin, its step would meet the duty within the lag bound.
    const needed = this.passSeconds / this.o.targetDuty;
    const above = this.levelIndex - 1;
    const aboveMax = Math.min(above === 0 ? this.o.normalMaxStepSeconds : this.o.longMaxStepSeconds, this.lagRoom());
    const roomy = above >= 0 && target <= above && needed < 0.7 * aboveMax;
    this.calmPasses = roomy ? this.calmPasses + 1 : 0;
    if (this.calmPasses >= this.o.recoverAfterPasses) {
      this.levelIndex = above;
      this.calmPasses = 0;
    }
    return { drop: false, keepSeconds };
  }

  /** The level the current pass time calls for. */
  private targetLevel(undecodedSeconds: number): number {
    const needed = this.passSeconds / this.o.targetDuty;
    if (undecodedSeconds + this.nextPassBound() > this.o.hardLagSeconds) return 3;
    if (needed > Math.min(this.o.longMaxStepSeconds, this.lagRoom())) return 2;
    if (needed > this.o.normalMaxStepSeconds) return 1;
    return 0;
  }

  /** The longest wait before the next pass that still lets it end inside the lag bound. */
  private lagRoom(): number {
    return this.o.hardLagSeconds - this.nextPassBound();
  }

  /** What the next pass may take: the running pass time or the last one, whichever is longer, plus a fifth. */
  private nextPassBound(): number {
    return 1.2 * Math.max(this.passSeconds, this.lastPassSeconds);
  }
}

/** Speech seconds over which the first verdict is measured. */
export const VERDICT_SPEECH_SECONDS = 60;

/**
 * Whether this machine keeps up with the model, measured over the first minute of speech: `keeps-up` when the
 * governor never left `normal` and dropped nothing, `tight` when it needed longer steps, `behind` when it had to
 * shorten the buffer or drop audio (said at once, without waiting for the minute). Live figures (level, lag,
 * dropped seconds) go on being reported after the verdict.
 */
export class RealtimeMeter {
  private speechSeconds = 0;
  private busySeconds = 0;
  private worstLevel = 0;
  private maxLag = 0;
  private lastLag = 0;
  private dropped = 0;
  private verdict: SttRealtime['verdict'] = 'measuring';

  /** Adds speech audio that reached the utterance buffer. */
  addSpeech(seconds: number): void {
    this.speechSeconds += seconds;
  }

  /** Records a finished pass, the lag at its end and the level after it. */
  addPass(passMs: number, lagSeconds: number, level: PacingLevel): void {
    this.lastLag = lagSeconds;
    this.maxLag = Math.max(this.maxLag, lagSeconds);
    // The share of decoding time counts over the whole first minute, even when the verdict came early (behind).
    if (this.speechSeconds <= VERDICT_SPEECH_SECONDS) this.busySeconds += passMs / 1000;
    if (this.verdict !== 'measuring') return;
    this.worstLevel = Math.max(this.worstLevel, PACING_ORDER.indexOf(level));
    this.decide();
  }

  /** Records audio dropped because the pipeline fell behind. */
  addDropped(seconds: number): void {
    this.dropped += seconds;
    if (this.verdict === 'measuring') this.decide();
  }

  /** The report for the console. */
  report(governor: ComputeGovernor): SttRealtime {
    const measured = Math.min(this.speechSeconds, VERDICT_SPEECH_SECONDS);
    return {
      verdict: this.verdict,
      level: governor.level,
      stepSeconds: round2(governor.stepSeconds),
      bufferCapSeconds: round2(governor.bufferCapSeconds),
      rtf: this.speechSeconds > 0 ? round2(this.busySeconds / Math.max(measured, 1)) : 0,
      measuredSeconds: round2(measured),
      lagSeconds: round2(this.lastLag),
      maxLagSeconds: round2(this.maxLag),
      droppedSeconds: round2(this.dropped),
    };
  }

  private decide(): void {
    if (this.dropped > 0 || this.worstLevel >= 2) this.verdict = 'behind';
    else if (this.speechSeconds >= VERDICT_SPEECH_SECONDS) this.verdict = this.worstLevel === 0 ? 'keeps-up' : 'tight';
  }
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
