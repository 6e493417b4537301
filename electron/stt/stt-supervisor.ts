/**
 * Runs one speech-to-text source in a worker process and keeps it running: an explicit ready handshake, a
 * deadline per decoding pass (a hung pass gets the worker killed and restarted), restarts with exponential
 * backoff after a crash (and `failed` after too many in a short time), status events for the UI, and a bounded
 * audio buffer for when the worker is down or behind (the oldest audio is dropped and counted).
 *
 * The audio timeline is the supervisor's: sample 0 is the first sample pushed, and captions keep their times
 * across restarts. The supervisor keeps the audio the worker may still need (from the start of its utterance
 * buffer) and re-sends it to a restarted worker, which resumes after the last committed word: a final is never
 * emitted twice, and ids continue.
 *
 * No electron import: the caller passes `spawnWorker` (utilityProcess in the app, `spawnNodeWorker` in Node).
 *
 * A little over 500 lines: the handshake, the pass deadline, the restart backoff and the audio replay share one
 * worker lifecycle state; split apart, each piece would have to reach into the others' fields.
 */
import {
  STT_ERROR_CODES,
  fromWorkerMessageSchema,
  type CaptionEvent,
  type FromWorkerMessage,
  type GlossaryTerm,
  type StreamTuning,
  type SttCounters,
  type SttErrorCode,
  type SttRealtime,
  type SttSourceLanguage,
  type SttStatusEvent,
  type SttTask,
  type ToWorkerMessage,
} from '../common/stt-protocol';
import { SAMPLE_RATE } from './engine';

/** A started worker process, as the supervisor sees it. */
export interface WorkerHandle {
  /** Sends a message (structured clone: Float32Array passes as is). Throws or drops when the worker is gone. */
  send(message: ToWorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone, whatever the reason. */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** Ends the process now (SIGKILL or equivalent). */
  kill(): void;
  /** OS process id, when known. */
  readonly pid?: number | undefined;
}

/** Starts a worker process running `electron/stt/stt-worker.ts` (or its build). */
export type SpawnWorker = () => WorkerHandle;

/** Options of `SttSupervisor`. */
export interface SttSupervisorOptions {
  spawnWorker: SpawnWorker;
  /** ggml model file. */
  modelPath: string;
  language: SttSourceLanguage;
  task?: SttTask;
  glossary?: GlossaryTerm[];
  /** CPU threads for whisper (default 2). */
  threads?: number;
  /** Prefix of caption ids, e.g. `floor-<session>:` (letters, digits, `_ . : -`). */
  idPrefix?: string;
  tuning?: StreamTuning;
  /** Voice detector in the worker (default Silero). */
  vad?: 'silero' | 'energy';
  /** Most audio held on this side (worker down or behind), seconds (default 30). */
  maxBufferedSeconds?: number;
  /** Most audio sent ahead of what the worker has handled, seconds (default 10). */
  maxInFlightSeconds?: number;
  /** Pass deadline: max(minMs, perBufferSecondMs x buffer seconds) (defaults 10 s and 5 s per second). */
  passDeadline?: { minMs?: number; perBufferSecondMs?: number };
  /** Longest model load before the worker counts as hung, ms (default 120 s). */
  loadTimeoutMs?: number;
  /** Restart backoff: first delay, cap, and how many failures within `windowMs` mean `failed`. */
  backoff?: { initialMs?: number; maxMs?: number; maxFailures?: number; windowMs?: number };
  onCaption?: (event: CaptionEvent) => void;
  onStatus?: (event: SttStatusEvent) => void;
}

interface Chunk {
  start: number;
  pcm: Float32Array;
}

type Phase = 'idle' | 'starting' | 'ready' | 'waiting' | 'failed' | 'stopped';

/** Supervises the worker of one source (the floor, or an interpreter's voice). */
export class SttSupervisor {
  private readonly opts: SttSupervisorOptions;
  private worker: WorkerHandle | null = null;
  private phase: Phase = 'idle';
  private statusEvent: SttStatusEvent | null = null;
  private readonly counterValues: SttCounters = {
    restarts: 0,
    crashes: 0,
    passTimeouts: 0,
    droppedSamples: 0,
    droppedSeconds: 0,
    bufferedSeconds: 0,
    passes: 0,
    lastPassMs: 0,
    finals: 0,
    partials: 0,
    workerErrors: 0,
    realtime: null,
  };

  private language: SttSourceLanguage;
  private task: SttTask;
  private glossary: GlossaryTerm[];
  private stepSeconds: number | undefined;

  /** Audio not yet known to be unneeded, oldest first. */
  private chunks: Chunk[] = [];
  private nextSample = 0;
  /** Audio before this was sent to the current worker. */
  private sentUntil = 0;
  private doneSample = 0;
  private retainFrom = 0;

  private nextSeq = 1;
  /** The partial on screen (its id is `nextSeq`): if the source fails for good, its committed words become its final, the rest is withdrawn. */
  private visiblePartial: CaptionEvent | null = null;
  private committedUntil = 0;
  private committedTail = '';

  private failures: number[] = [];
  private consecutiveFailures = 0;
  private passTimer: ReturnType<typeof setTimeout> | null = null;
  private loadTimer: ReturnType<typeof setTimeout> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private expectedExit = false;

  /** Settings changed while a worker was loading (sent to it once it is ready). */
  private configuredWhileStarting = false;
  private flushId = 0;
  private flushSent = -1;
  private flushWaiters = new Map<number, () => void>();
  private caughtUpWaiters: Array<() => void> = [];

  constructor(options: SttSupervisorOptions) {
    this.opts = options;
    this.language = options.language;
    this.task = options.task ?? 'transcribe';
    this.glossary = options.glossary ?? [];
    this.stepSeconds = options.tuning?.stepSeconds;
  }

  /** Current status (the last status event). */
  get status(): SttStatusEvent {
    return { ...(this.statusEvent ?? { type: 'status', state: 'loading' }) };
  }

  /** Counters (restarts, drops, passes, ...). */
  get counters(): SttCounters {
    const buffered = this.chunks.reduce((n, c) => n + Math.max(0, c.start + c.pcm.length - Math.max(c.start, this.sentUntil)), 0);
    return { ...this.counterValues, bufferedSeconds: buffered / SAMPLE_RATE, droppedSeconds: this.counterValues.droppedSamples / SAMPLE_RATE };
  }

  /** Seconds of audio received but not yet transcribed by the worker (how far the captions run behind). */
  get lagSeconds(): number {
    return Math.max(0, this.nextSample - this.doneSample) / SAMPLE_RATE;
  }

  /** OS process id of the current worker (tests kill it). */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /** Starts the worker; status goes `loading`, then `ready` or `failed`. */
  start(): void {
    if (this.phase !== 'idle') return;
    this.setStatus({ type: 'status', state: 'loading' });
    this.spawn();
  }

  /** Adds 16 kHz mono audio at the end of the timeline. Never blocks; see `maxBufferedSeconds`. */
  push(pcm: Float32Array): void {
    if (this.phase === 'failed' || this.phase === 'stopped' || pcm.length === 0) return;
    this.chunks.push({ start: this.nextSample, pcm });
    this.nextSample += pcm.length;
    this.enforceBound();
    this.pump();
  }

  /** Changes language, task, glossary or step; applies from the next pass (and survives restarts). */
  configure(settings: { language?: SttSourceLanguage; task?: SttTask; glossary?: GlossaryTerm[]; stepSeconds?: number }): void {
    if (settings.language) this.language = settings.language;
    if (settings.task) this.task = settings.task;
    if (settings.glossary) this.glossary = settings.glossary;
    if (settings.stepSeconds) this.stepSeconds = settings.stepSeconds;
    if (this.phase === 'ready') this.sendToWorker({ type: 'settings', ...settings });
    // A worker still loading got the settings of its init message: it gets these once it is ready.
    else this.configuredWhileStarting = true;
  }

  /** Resolves when the worker has handled all audio pushed so far (or the source failed or stopped). */
  whenCaughtUp(): Promise<void> {
    if (this.isCaughtUp()) return Promise.resolve();
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /** End of input: commits everything pending; resolves when the last captions are delivered. */
  flush(): Promise<void> {
    if (this.phase === 'failed' || this.phase === 'stopped') return Promise.resolve();
    const id = ++this.flushId;
    const done = new Promise<void>((resolve) => this.flushWaiters.set(id, resolve));
    this.pump();
    return done;
  }

  /** Stops the worker (asks, then kills after `graceMs`); no restart follows. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.clearTimers();
    this.releaseWaiters();
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    this.expectedExit = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        worker.kill();
        resolve();
      }, graceMs);
      worker.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      try {
        worker.send({ type: 'stop' });
      } catch {
        worker.kill();
      }
    });
  }

  private spawn(): void {
    this.expectedExit = false;
    const worker = this.opts.spawnWorker();
    this.worker = worker;
    this.phase = 'starting';
    worker.onMessage((raw) => {
      if (this.worker !== worker) return;
      const parsed = fromWorkerMessageSchema.safeParse(raw);
      if (!parsed.success) {
        this.counterValues.workerErrors++;
        return;
      }
      this.onWorkerMessage(parsed.data);
    });
    worker.onExit(({ code, signal }) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.expectedExit || this.phase === 'stopped' || this.phase === 'failed') return;
      this.counterValues.crashes++;
      this.recover(`the worker exited (${signal ?? `code ${code}`})`);
    });
    // The kept audio starts at (or just before) where the last worker said it may still need it.
    const resumeAt = this.chunks[0]?.start ?? this.nextSample;
    this.sentUntil = resumeAt;
    this.doneSample = resumeAt;
    this.flushSent = -1;
    this.sendToWorker({
      type: 'init',
      modelPath: this.opts.modelPath,
      language: this.language,
      task: this.task,
      glossary: this.glossary,
      threads: this.opts.threads ?? 2,
      idPrefix: this.opts.idPrefix ?? '',
      tuning: { ...this.opts.tuning, ...(this.stepSeconds ? { stepSeconds: this.stepSeconds } : {}) },
      resume: {
        startSample: resumeAt,
        committedUntil: this.committedUntil,
        committedTail: this.committedTail.slice(-400),
        nextSeq: this.nextSeq,
      },
      ...(this.opts.vad ? { vad: this.opts.vad } : {}),
    });
    const loadMs = this.opts.loadTimeoutMs ?? 120_000;
    this.loadTimer = setTimeout(() => {
      this.loadTimer = null;
      this.killAndRecover(`the worker did not say ready within ${Math.round(loadMs / 1000)} s`);
    }, loadMs);
  }

  private onWorkerMessage(message: FromWorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.clearTimer('loadTimer');
        this.phase = 'ready';
        if (this.configuredWhileStarting) {
          this.configuredWhileStarting = false;
          this.sendToWorker({ type: 'settings', language: this.language, task: this.task, glossary: this.glossary, ...(this.stepSeconds ? { stepSeconds: this.stepSeconds } : {}) });
        }
        this.setStatus({ type: 'status', state: 'ready' });
        this.pump();
        break;
      case 'failed':
        this.clearTimer('loadTimer');
        this.fail(message.code, message.message);
        break;
      case 'caption':
        this.onCaption(message);
        break;
      case 'pass-start': {
        const deadline = Math.max(this.opts.passDeadline?.minMs ?? 10_000, (this.opts.passDeadline?.perBufferSecondMs ?? 5000) * message.bufferSeconds);
        this.clearTimer('passTimer');
        this.passTimer = setTimeout(() => {
          this.passTimer = null;
          this.counterValues.passTimeouts++;
          this.killAndRecover(`a pass over ${message.bufferSeconds.toFixed(1)} s of audio took longer than ${(deadline / 1000).toFixed(1)} s`);
        }, deadline);
        this.setStatus({ type: 'status', state: 'busy' });
        break;
      }
      case 'pass-end':
        this.clearTimer('passTimer');
        this.counterValues.passes++;
        this.counterValues.lastPassMs = message.ms;
        this.consecutiveFailures = 0;
        if (this.phase === 'ready') this.setStatus({ type: 'status', state: 'ready' });
        break;
      case 'progress':
        this.doneSample = message.doneSample;
        this.retainFrom = Math.max(this.retainFrom, message.retainFromSample);
        this.prune();
        this.pump();
        this.checkCaughtUp();
        break;
      case 'flushed': {
        for (const [id, resolve] of this.flushWaiters) {
          if (id <= message.requestId) {
            this.flushWaiters.delete(id);
            resolve();
          }
        }
        break;
      }
      case 'error':
        this.counterValues.workerErrors++;
        break;
      case 'realtime':
        this.onRealtime(message.realtime);
        break;
    }
  }

  /** Keeps the latest report; the status carries it, re-sent when what the console says about it changes. */
  private onRealtime(realtime: SttRealtime): void {
    const before = this.counterValues.realtime;
    this.counterValues.realtime = realtime;
    if (before && realtimeKey(before) === realtimeKey(realtime)) return;
    const current = this.statusEvent;
    if (current && (current.state === 'ready' || current.state === 'busy')) this.setStatus({ ...current, realtime });
  }

  private onCaption(event: CaptionEvent): void {
    const prefix = this.opts.idPrefix ?? '';
    const n = Number(event.id.slice(prefix.length));
    // A restarted worker resumes at nextSeq; anything older would be a repeat.
    if (!Number.isInteger(n) || n < this.nextSeq) return;
    if (event.state === 'final') {
      this.nextSeq = n + 1;
      this.committedUntil = Math.max(this.committedUntil, event.end);
      this.committedTail = `${this.committedTail} ${event.text}`.trim().slice(-400);
      this.counterValues.finals++;
      this.visiblePartial = null;
    } else {
      this.counterValues.partials++;
      this.visiblePartial = event.text === '' ? null : event;
    }
    this.opts.onCaption?.(event);
  }

  /** Sends what the worker does not have yet, as far as the in-flight bound allows; then a pending flush. */
  private pump(): void {
    if (this.phase !== 'ready' || !this.worker) return;
    const maxInFlight = (this.opts.maxInFlightSeconds ?? 10) * SAMPLE_RATE;
    for (const chunk of this.chunks) {
      const end = chunk.start + chunk.pcm.length;
      if (end <= this.sentUntil) continue;
      if (this.sentUntil - this.doneSample >= maxInFlight) return;
      const from = Math.max(chunk.start, this.sentUntil);
      const pcm = from === chunk.start ? chunk.pcm : chunk.pcm.slice(from - chunk.start);
      if (!this.sendToWorker({ type: 'audio', startSample: from, pcm })) return;
      this.sentUntil = end;
    }
    if (this.flushId > this.flushSent && this.flushWaiters.size > 0) {
      if (this.sendToWorker({ type: 'flush', requestId: this.flushId })) this.flushSent = this.flushId;
    }
  }

  private sendToWorker(message: ToWorkerMessage): boolean {
    try {
      this.worker?.send(message);
      return this.worker !== null;
    } catch {
      return false;
    }
  }

  /** Forgets audio the worker will never need again. */
  private prune(): void {
    const keepFrom = Math.min(this.retainFrom, this.sentUntil);
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      if (c.start + c.pcm.length > keepFrom) break;
      this.chunks.shift();
    }
  }

  /** Drops the oldest audio beyond `maxBufferedSeconds`; counts what the worker never got. */
  private enforceBound(): void {
    const max = (this.opts.maxBufferedSeconds ?? 30) * SAMPLE_RATE;
    let total = this.chunks.reduce((n, c) => n + c.pcm.length, 0);
    while (total > max && this.chunks.length > 1) {
      const c = this.chunks.shift()!;
      total -= c.pcm.length;
      const end = c.start + c.pcm.length;
      const unsent = end - Math.max(c.start, Math.min(end, this.sentUntil));
      this.counterValues.droppedSamples += unsent;
      if (this.sentUntil < end) this.sentUntil = end;
    }
  }

  private killAndRecover(reason: string): void {
    const worker = this.worker;
    this.worker = null;
    worker?.kill();
    if (this.phase === 'stopped' || this.phase === 'failed') return;
    this.recover(reason);
  }

  private recover(reason: string): void {
    this.clearTimers();
    const now = Date.now();
    const b = this.opts.backoff ?? {};
    const windowMs = b.windowMs ?? 60_000;
    this.failures = [...this.failures.filter((t) => now - t < windowMs), now];
    if (this.failures.length >= (b.maxFailures ?? 5)) {
      this.fail(STT_ERROR_CODES.WORKER_CRASHED, `${reason}; it failed ${this.failures.length} times in ${Math.round(windowMs / 1000)} s, giving up`);
      return;
    }
    this.consecutiveFailures++;
    const delay = Math.min(b.maxMs ?? 10_000, (b.initialMs ?? 250) * 2 ** (this.consecutiveFailures - 1));
    this.phase = 'waiting';
    this.setStatus({ type: 'status', state: 'restarting', reason });
    // What was sent to the dead worker but not committed is sent again to the next one.
    const first = this.chunks[0];
    this.sentUntil = first ? first.start : this.nextSample;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.phase !== 'waiting') return;
      this.counterValues.restarts++;
      this.spawn();
    }, delay);
  }

  private fail(code: SttErrorCode, reason: string): void {
    this.phase = 'failed';
    this.clearTimers();
    const worker = this.worker;
    this.worker = null;
    this.expectedExit = true;
    worker?.kill();
    const partial = this.visiblePartial;
    this.visiblePartial = null;
    // The partial's committed words (the line being built) become its final; the rest of it is withdrawn.
    const stable = partial?.stableChars ? partial.text.slice(0, partial.stableChars).trim() : '';
    if (partial && stable !== '') {
      const uncertain = partial.uncertain?.filter(([, to]) => to <= stable.length);
      this.onCaption({
        type: 'caption',
        id: partial.id,
        state: 'final',
        text: stable,
        start: partial.start,
        end: Math.max(partial.start, partial.stableEnd ?? partial.end),
        lang: partial.lang,
        ...(uncertain?.length ? { uncertain } : {}),
      });
    } else if (partial) {
      this.opts.onCaption?.({ type: 'caption', id: partial.id, state: 'partial', text: '', start: partial.start, end: partial.start, lang: partial.lang });
    }
    this.setStatus({ type: 'status', state: 'failed', code, reason });
    this.releaseWaiters();
  }

  private isCaughtUp(): boolean {
    if (this.phase === 'failed' || this.phase === 'stopped') return true;
    return this.phase === 'ready' && this.sentUntil >= this.nextSample && this.doneSample >= this.nextSample;
  }

  private checkCaughtUp(): void {
    if (!this.isCaughtUp()) return;
    const waiters = this.caughtUpWaiters;
    this.caughtUpWaiters = [];
    for (const w of waiters) w();
  }

  private releaseWaiters(): void {
    for (const resolve of this.flushWaiters.values()) resolve();
    this.flushWaiters.clear();
    const waiters = this.caughtUpWaiters;
    this.caughtUpWaiters = [];
    for (const w of waiters) w();
  }

  private setStatus(event: SttStatusEvent): void {
    const last = this.statusEvent;
    const realtime = this.counterValues.realtime;
    if (realtime && (event.state === 'ready' || event.state === 'busy')) event = { ...event, realtime };
    const same =
      last &&
      event.state === last.state &&
      event.reason === last.reason &&
      event.code === last.code &&
      (event.realtime ? realtimeKey(event.realtime) : '') === (last.realtime ? realtimeKey(last.realtime) : '');
    if (same) return;
    this.statusEvent = event;
    this.opts.onStatus?.({ ...event });
  }

  private clearTimer(name: 'passTimer' | 'loadTimer' | 'restartTimer'): void {
    const t = this[name];
    if (t) clearTimeout(t);
    this[name] = null;
  }

  private clearTimers(): void {
    this.clearTimer('passTimer');
    this.clearTimer('loadTimer');
    this.clearTimer('restartTimer');
  }
}

/** What the console shows of a realtime report: a new status only when this changes (not every pass's lag). */
function realtimeKey(r: SttRealtime): string {
  const measuring = r.verdict === 'measuring' ? Math.floor(r.measuredSeconds / 15) : '';
  return `${r.verdict}|${r.level}|${r.droppedSeconds.toFixed(1)}|${measuring}`;
}
