/**
 * The speech-to-text contract: the messages between the main side (the supervisor) and the worker process
 * that runs whisper, and the caption and status events the console consumes. Both sides parse every incoming
 * message with the schemas below (types alone validate nothing).
 *
 * Audio travels as Float32Array (16 kHz mono, samples in [-1, 1]); Electron's utilityProcess and a Node child
 * process forked with `serialization: 'advanced'` both pass typed arrays by structured clone.
 *
 * Times: every caption carries `start`/`end` in seconds of the stream's own audio timeline (0 = first sample
 * the supervisor received). The timeline stays continuous across worker restarts and dropped audio.
 */
import { z } from 'zod';
import { glossaryTermSchema, type GlossaryTerm } from './glossary';
import { STT_LANGUAGE_CHOICES } from './languages';

export type { GlossaryTerm };

/** Languages a source can be fixed to, or `auto` (the worker reports the detected one per caption). */
export const STT_LANGUAGES = STT_LANGUAGE_CHOICES;
export type SttSourceLanguage = (typeof STT_LANGUAGES)[number];

/** `transcribe` keeps the source language; `translate` decodes into English. */
export const STT_TASKS = ['transcribe', 'translate'] as const;
export type SttTask = (typeof STT_TASKS)[number];

/** Stable error codes of the speech-to-text side. */
export const STT_ERROR_CODES = {
  /** The model file is missing, truncated, corrupt or not a ggml whisper model. */
  MODEL_INVALID: 'MODEL_INVALID',
  /** The engine could not load the model (native error). */
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  /** The voice activity detector could not start. */
  VAD_FAILED: 'VAD_FAILED',
  /** A message did not match the contract. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** A decoding pass threw (the stream goes on). */
  PASS_FAILED: 'PASS_FAILED',
  /** The worker crashed too often in a short time; the supervisor gave up. */
  WORKER_CRASHED: 'WORKER_CRASHED',
} as const;
/** One of {@link STT_ERROR_CODES}. */
export type SttErrorCode = (typeof STT_ERROR_CODES)[keyof typeof STT_ERROR_CODES];
const sttErrorCodeSchema = z.enum(Object.values(STT_ERROR_CODES) as [SttErrorCode, ...SttErrorCode[]]);

/** The commit rules of the streaming pipeline (see `StreamTuning.commit`). */
export const STT_COMMIT_RULES = ['agreement', 'one-pass'] as const;
export type SttCommitRule = (typeof STT_COMMIT_RULES)[number];

/** Is `value` one of {@link STT_COMMIT_RULES}? */
export function isSttCommitRule(value: string): value is SttCommitRule {
  return (STT_COMMIT_RULES as readonly string[]).includes(value);
}

/** Tunables of the streaming pipeline; every field has a default (see `SttStream`). */
export const streamTuningSchema = z.strictObject({
  /** Seconds of new speech audio between two decoding passes (default 1). */
  stepSeconds: z.number().min(0.2).max(10).optional(),
  /** Longest audio buffer before a forced commit and trim, seconds (default 15). */
  bufferCapSeconds: z.number().min(2).max(30).optional(),
  /** Shrink whisper's encoder window to the buffer length plus a margin (default true). */
  shrinkAudioCtx: z.boolean().optional(),
  /** Words whose lowest token probability is below this are flagged uncertain (default 0.35). */
  uncertainBelow: z.number().min(0).max(1).optional(),
  /** Silence after speech that ends an utterance (and forces a commit), ms (default 600). */
  pauseMs: z.number().int().min(100).max(5000).optional(),
  /** Speech shorter than this (in one utterance) is ignored, ms (default 250). */
  minSpeechMs: z.number().int().min(0).max(5000).optional(),
  /**
   * When a word becomes final (default `agreement`). `agreement`: LocalAgreement-2, two consecutive passes agree on it.
   * `one-pass`: one pass suffices once it decoded 0.5 s of audio after the word (and the word's probability is not
   * low), and the buffer is trimmed at the commit point, so a pass decodes only what is new (small dims on 2 cores:
   * passes a third shorter, words final 1-2 s sooner); whether whisper is as accurate that way is to be judged on
   * real weights (see electron/stt/README.md).
   */
  commit: z.enum(STT_COMMIT_RULES).optional(),
});
export type StreamTuning = z.infer<typeof streamTuningSchema>;

/**
 * Where a (re)started worker picks up the stream: the timeline position of the first audio it will receive,
 * what is already committed, and the next caption number. Lets a restarted worker continue without
 * re-emitting committed finals.
 */
export const streamResumeSchema = z.strictObject({
  /** Timeline sample index of the first audio message that follows. */
  startSample: z.number().int().nonnegative(),
  /** Seconds on the timeline up to which text is committed; words ending before it are not emitted again. */
  committedUntil: z.number().nonnegative(),
  /** The tail of the committed text (prompt carry-over), at most 400 chars. */
  committedTail: z.string().max(400),
  /** Number of the next caption id. */
  nextSeq: z.number().int().positive(),
});
export type StreamResume = z.infer<typeof streamResumeSchema>;

/** Main → worker: load the model and start a stream. The worker answers `ready` or `failed`. */
export const workerInitSchema = z.strictObject({
  type: z.literal('init'),
  modelPath: z.string().min(1),
  language: z.enum(STT_LANGUAGES),
  task: z.enum(STT_TASKS),
  glossary: z.array(glossaryTermSchema).max(2000),
  threads: z.number().int().min(1).max(64),
  /** Prefix of caption ids (`<prefix><n>`), e.g. `floor:`; letters, digits, `_ . : -`. */
  idPrefix: z.string().max(64).regex(/^[A-Za-z0-9_.:-]*$/),
  tuning: streamTuningSchema,
  resume: streamResumeSchema,
  /** Voice activity detector: Silero (default) or a plain energy gate. */
  vad: z.enum(['silero', 'energy']).optional(),
});
export type WorkerInit = z.infer<typeof workerInitSchema>;

/** Main → worker: audio frames, any length, at a timeline position (a jump means audio was dropped). */
export const workerAudioSchema = z.strictObject({
  type: z.literal('audio'),
  startSample: z.number().int().nonnegative(),
  pcm: z.custom<Float32Array>((v) => v instanceof Float32Array, 'pcm must be a Float32Array'),
});
export type WorkerAudio = z.infer<typeof workerAudioSchema>;

/** Main → worker: change settings of the running stream (applies from the next pass). */
export const workerSettingsSchema = z.strictObject({
  type: z.literal('settings'),
  language: z.enum(STT_LANGUAGES).optional(),
  task: z.enum(STT_TASKS).optional(),
  glossary: z.array(glossaryTermSchema).max(2000).optional(),
  stepSeconds: z.number().min(0.2).max(10).optional(),
});
export type WorkerSettings = z.infer<typeof workerSettingsSchema>;

/** Main → worker: end of input; commit everything pending, then answer `flushed` with the same id. */
export const workerFlushSchema = z.strictObject({ type: z.literal('flush'), requestId: z.number().int() });

/** Main → worker: free the model and exit. */
export const workerStopSchema = z.strictObject({ type: z.literal('stop') });

export const toWorkerMessageSchema = z.discriminatedUnion('type', [
  workerInitSchema,
  workerAudioSchema,
  workerSettingsSchema,
  workerFlushSchema,
  workerStopSchema,
]);
export type ToWorkerMessage = z.infer<typeof toWorkerMessageSchema>;

/**
 * A caption from a stream. A `partial` may still change: a newer event with the same id replaces it (an empty
 * `text` withdraws it). A `final` is committed and never changes; the next text gets the next id. Events of
 * one stream arrive in order.
 */
export const captionEventSchema = z.strictObject({
  type: z.literal('caption'),
  /** `<idPrefix><n>`, n counting from 1 per stream, continuing across worker restarts. */
  id: z.string().min(1).max(128),
  state: z.enum(['partial', 'final']),
  text: z.string(),
  /** Seconds on the stream's audio timeline. */
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  /** Language decoded (detected when the source is `auto`), e.g. `en`. */
  lang: z.string().max(8),
  /** Character ranges [start, end) of `text` decoded with low confidence, for the UI to mark. */
  uncertain: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).optional(),
  /**
   * A partial only: the characters at the start of `text` that are committed (the line being built; they will be
   * in its final unchanged), and where they end on the timeline. If the source stops for good before the final,
   * that much is committed instead of withdrawn.
   */
  stableChars: z.number().int().nonnegative().optional(),
  stableEnd: z.number().nonnegative().optional(),
});
export type CaptionEvent = z.infer<typeof captionEventSchema>;

/** Worker → main: the model is loaded and the stream is listening. */
export const workerReadySchema = z.strictObject({
  type: z.literal('ready'),
  /** e.g. `smart-whisper` or `fake-tone`. */
  engine: z.string(),
  vad: z.string(),
  loadMs: z.number().nonnegative(),
});

/** Worker → main: init failed for a reason that a restart will not fix (e.g. model refused). */
export const workerFailedSchema = z.strictObject({
  type: z.literal('failed'),
  code: sttErrorCodeSchema,
  message: z.string(),
});

/** Worker → main: a decoding pass started over `bufferSeconds` of audio (the supervisor arms a deadline). */
export const workerPassStartSchema = z.strictObject({
  type: z.literal('pass-start'),
  pass: z.number().int().nonnegative(),
  bufferSeconds: z.number().nonnegative(),
});

/** Worker → main: a pass finished. */
export const workerPassEndSchema = z.strictObject({
  type: z.literal('pass-end'),
  pass: z.number().int().nonnegative(),
  ms: z.number().nonnegative(),
});

/** Worker → main: how far the worker got, in timeline samples. */
export const workerProgressSchema = z.strictObject({
  type: z.literal('progress'),
  /** All audio before this went through voice detection. */
  consumedSample: z.number().int().nonnegative(),
  /** All audio before this is fully handled (decoded if it needed to be). */
  doneSample: z.number().int().nonnegative(),
  /** Audio before this will never be needed again (a restarted worker resumes from here). */
  retainFromSample: z.number().int().nonnegative(),
});

/** Worker → main: answer to `flush`. */
export const workerFlushedSchema = z.strictObject({ type: z.literal('flushed'), requestId: z.number().int() });

/** Worker → main: a non-fatal problem (a pass threw, a bad message); the stream goes on. */
export const workerErrorSchema = z.strictObject({ type: z.literal('error'), code: sttErrorCodeSchema, message: z.string() });

/**
 * How the streaming policy copes with the machine, in the order it degrades (see electron/stt/compute-governor.ts):
 * `normal`, `longer-step` (fewer passes, later captions), `shorter-buffer` (shorter passes: a shorter buffer and prompt), `dropping` (audio it
 * could not decode in time is skipped and counted).
 */
export const PACING_LEVELS = ['normal', 'longer-step', 'shorter-buffer', 'dropping'] as const;
export type PacingLevel = (typeof PACING_LEVELS)[number];

/** Whether a source keeps up with live audio on this machine, and how its policy is pacing itself. */
export const sttRealtimeSchema = z.strictObject({
  /**
   * Measured over the first minute of speech: `measuring` until then, `keeps-up` (never degraded), `tight` (needed
   * longer steps), `behind` (had to shorten the buffer or drop audio; said as soon as it happens).
   */
  verdict: z.enum(['measuring', 'keeps-up', 'tight', 'behind']),
  /** The level now. */
  level: z.enum(PACING_LEVELS),
  /** Seconds of new speech between passes now, and the longest utterance buffer now. */
  stepSeconds: z.number().nonnegative(),
  bufferCapSeconds: z.number().nonnegative(),
  /** Decoding time over speech time in the measured window (the first minute of speech). */
  rtf: z.number().nonnegative(),
  /** Seconds of speech measured so far (up to 60). */
  measuredSeconds: z.number().nonnegative(),
  /** Age of the oldest speech without a caption at the end of the last pass, and the largest seen, seconds. */
  lagSeconds: z.number().nonnegative(),
  maxLagSeconds: z.number().nonnegative(),
  /** Speech audio dropped by the policy because it fell behind, seconds since the source started. */
  droppedSeconds: z.number().nonnegative(),
  /** Glossary terms the latest pass's prompt carried (each pass decodes them again). */
  glossaryTerms: z.number().int().nonnegative().optional(),
});
export type SttRealtime = z.infer<typeof sttRealtimeSchema>;

/** Worker → main: the realtime report, after every pass whose report differs from the last one sent. */
export const workerRealtimeSchema = z.strictObject({ type: z.literal('realtime'), realtime: sttRealtimeSchema });

/**
 * What a model's last run on this machine came to: the verdict it reached (never `measuring`), with its share of
 * decoding time and the glossary terms its prompt carried. The console keeps it per model file, so an operator
 * choosing a model before an event sees how it went here last time.
 */
export interface SttModelRun {
  verdict: Exclude<SttRealtime['verdict'], 'measuring'>;
  rtf: number;
  glossaryTerms?: number;
  /** When the verdict was reached or last changed (epoch ms). */
  at: number;
}

/** A few words for a model's last run on this machine, for a list of models. */
export function modelRunVerdict(run: SttModelRun): string {
  return { 'keeps-up': 'kept up here', tight: 'kept up here with longer steps', behind: 'fell behind here' }[run.verdict];
}

/** One phrase for a model's last run on this machine, e.g. "kept up in real time (decoding 45% of speech time)". */
export function describeModelRun(run: SttModelRun): string {
  const share = `decoding ${Math.round(run.rtf * 100)}% of speech time`;
  const terms = run.glossaryTerms ?? 0;
  const glossary = terms > 0 ? `, ${terms} glossary ${terms === 1 ? 'term' : 'terms'} in its prompt` : '';
  return {
    'keeps-up': `kept up in real time (${share}${glossary})`,
    tight: `kept up only with longer steps: captions came later (${share}${glossary})`,
    behind: `could not keep up (${share}${glossary}): choose a smaller model${terms > 0 ? ' or a shorter glossary' : ''}`,
  }[run.verdict];
}

/** The sentence the console shows for a model's last run here, with when it was (the viewer's local time). */
export function describeLastRun(model: string, run: SttModelRun): string {
  const when = new Date(run.at).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
  return `Last run of ${model} on this machine (${when}): ${describeModelRun(run)}`;
}

/** One line for the console: does this machine keep up with the model, and what the policy is doing now. */
export function describeRealtime(r: SttRealtime): string {
  const share = `decoding ${Math.round(r.rtf * 100)}% of speech time`;
  // The glossary is the other lever: its terms ride in every pass's prompt (a 44-row one made small's passes 25-45%
  // longer on 2 cores).
  const terms = r.glossaryTerms ?? 0;
  const carried = `the prompt carries ${terms} glossary ${terms === 1 ? 'term' : 'terms'}, decoded again in every pass`;
  const verdict = {
    measuring: `measuring real time (${Math.round(r.measuredSeconds)} of 60 s of speech, ${share})`,
    'keeps-up': `keeps up in real time (${share})`,
    tight: `keeps up with longer steps: captions come later (${share}${terms > 0 ? `; ${carried}` : ''})`,
    behind:
      terms > 0
        ? `cannot keep up with this model on this machine: choose a smaller model or a shorter glossary (${carried})`
        : 'cannot keep up with this model on this machine: choose a smaller model',
  }[r.verdict];
  const now: string[] = [];
  if (r.level !== 'normal') now.push(`now ${r.level.replace('-', ' ')}, step ${r.stepSeconds.toFixed(1)} s`);
  if (r.droppedSeconds > 0) now.push(`${r.droppedSeconds.toFixed(1)} s of audio dropped`);
  return now.length > 0 ? `${verdict}; ${now.join(', ')}` : verdict;
}

export const fromWorkerMessageSchema = z.discriminatedUnion('type', [
  workerReadySchema,
  workerFailedSchema,
  captionEventSchema,
  workerPassStartSchema,
  workerPassEndSchema,
  workerProgressSchema,
  workerFlushedSchema,
  workerErrorSchema,
  workerRealtimeSchema,
]);
export type FromWorkerMessage = z.infer<typeof fromWorkerMessageSchema>;

/** States of a speech-to-text source, for the UI. */
export const STT_STATES = ['loading', 'ready', 'busy', 'restarting', 'failed'] as const;
export type SttState = (typeof STT_STATES)[number];

/**
 * Status of a source: `loading` (model loading), `ready` (listening, idle), `busy` (a decoding pass is running),
 * `restarting` (the worker crashed or hung and is being restarted; `reason` says why), `failed` (given up;
 * `code` and `reason` say why; a new supervisor is needed).
 */
export const sttStatusEventSchema = z.strictObject({
  type: z.literal('status'),
  state: z.enum(STT_STATES),
  code: sttErrorCodeSchema.optional(),
  reason: z.string().optional(),
  /** Whether the source keeps up with live audio (from its first pass on). */
  realtime: sttRealtimeSchema.optional(),
});
export type SttStatusEvent = z.infer<typeof sttStatusEventSchema>;

/** Counters of a supervised source. */
export interface SttCounters {
  /** Worker starts after the first one. */
  restarts: number;
  /** Worker exits that were not asked for. */
  crashes: number;
  /** Passes that missed their deadline (the worker was killed). */
  passTimeouts: number;
  /** Audio dropped because the bounded buffer was full, in samples and seconds. */
  droppedSamples: number;
  droppedSeconds: number;
  /** Audio currently held on the main side (worker down or behind), seconds. */
  bufferedSeconds: number;
  /** Passes completed, and the duration of the last one. */
  passes: number;
  lastPassMs: number;
  /** Finals and partials delivered. */
  finals: number;
  partials: number;
  /** Non-fatal errors the worker reported (a pass threw, a bad message). */
  workerErrors: number;
  /** The worker's latest realtime report (null before its first pass). */
  realtime: SttRealtime | null;
}
