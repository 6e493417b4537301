/**
 * Drives one output: takes the channel's committed changes in cursor order, shapes them for the target, and sends
 * them one request at a time.
 *
 * Invariants:
 * - In order: units leave in the order their changes were committed; one request is in flight at a time.
 * - Paced: requests start at least `minIntervalMs` apart (retries included); what arrives meanwhile is coalesced
 *   into the next request as far as the driver's packing allows.
 * - Bounded: at most `backlog` units wait; beyond it the oldest are dropped (`overflow`). A unit older than
 *   `maxAgeMs` when it could finally be packed is dropped (`stale`), not sent minutes late.
 * - Numbered: a platform `seq` rises by one per accepted request and never on a retry. A request the target
 *   certainly refused is re-packed under the same number (it was not taken); one whose fate is unknown (timeout,
 *   connection lost) is sent again byte for byte until the target answers.
 * - Durable: the request is saved (with its seq and units) before it is sent, and the settled position after; a
 *   restarted runner sends a saved request again unchanged (or, where the platform can tell, asks it whether it
 *   took it) and skips units already settled: nothing repeated as new, nothing skipped.
 */
import {
  DEFAULT_OUTPUT_BACKLOG,
  DEFAULT_OUTPUT_MAX_AGE_MS,
  DEFAULT_OUTPUT_MIN_INTERVAL_MS,
  type OutputState,
} from '../../common/caption-outputs';
import type { Logger } from '../../node/logger';
import type { CaptionUnit, OutgoingCaption, OutputDriver } from './output-driver';
import { emptyProgress, type OutputProgress, type OutputProgressStore } from './output-progress';

/** Longest wait between retries. */
const MAX_BACKOFF_MS = 5000;

/** Options of an {@link OutputRunner}. */
export interface OutputRunnerOptions {
  id: string;
  driver: OutputDriver;
  progress: OutputProgressStore;
  /** Units waiting at most; default {@link DEFAULT_OUTPUT_BACKLOG}. */
  backlog?: number;
  maxAgeMs?: number;
  minIntervalMs?: number;
  /** Retry delay of the first three failures in a row; then it doubles up to 5 s (a target back from an outage is found within seconds). Default 1000 ms. */
  retryBaseMs?: number;
  logger: Logger;
  /** Called when the runner may no longer write its progress (another node took the output over). */
  onFenced?: () => void;
  now?: () => number;
}

/** What a runner reports. */
export interface RunnerStatus {
  state: OutputState;
  code?: string;
  message?: string;
  backlog: number;
  seq: number;
  counters: OutputProgress['counters'];
  lastCaptionAt: number | null;
}

interface Inflight {
  seq: number;
  body: string;
  units: CaptionUnit[];
  /** The target's answer for this body is unknown: it must be sent again unchanged. */
  mustRepeat: boolean;
}

/** Sleeps `ms` unless `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    if (signal.aborted || ms <= 0) return resolveSleep();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveSleep();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** See the module comment. */
export class OutputRunner {
  private readonly options: OutputRunnerOptions;
  private readonly driver: OutputDriver;
  private readonly now: () => number;
  private progress: OutputProgress = emptyProgress();
  private readonly backlog: CaptionUnit[] = [];
  private inflight: Inflight | null = null;
  /** Units settled beyond the settled cursor (unit id → cursor). */
  private readonly done = new Map<string, number>();
  /** Highest cursor offered so far. */
  private offered = 0;
  private readonly stopper = new AbortController();
  private wake: (() => void) | null = null;
  private lastRequestAt = 0;
  private failures = 0;
  private state: OutputState = 'waiting';
  private code: string | undefined;
  private message: string | undefined = 'starting';
  private saving: Promise<void> = Promise.resolve();
  private fenced = false;
  private loop: Promise<void> | null = null;

  constructor(options: OutputRunnerOptions) {
    this.options = options;
    this.driver = options.driver;
    this.now = options.now ?? Date.now;
  }

  /** The settled position: the feed reads the channel's changes after it. Valid after {@link start}. */
  get cursor(): number {
    return this.progress.cursor;
  }

  /** Loads the saved progress, settles a request left in flight, and starts sending. */
  async start(): Promise<void> {
    const saved = await this.options.progress.load(this.options.id);
    this.progress = saved ?? emptyProgress();
    this.offered = this.progress.cursor;
    for (const [id, cursor] of this.progress.done) this.done.set(id, cursor);
    const left = this.progress.inflight;
    if (left) {
      // Sent (maybe) by the previous life of the hub: repeat it unchanged so the target sees a retry.
      const units = left.units;
      this.inflight = { seq: left.seq, body: left.body, units, mustRepeat: true };
      for (const unit of left.units) this.offered = Math.max(this.offered, unit.cursor);
    }
    this.loop = this.run();
  }

  /** Offers the channel's next change (cursor order). Changes already settled before a restart are skipped. */
  offer(caption: OutgoingCaption): void {
    if (caption.cursor <= this.progress.cursor || this.fenced) return;
    this.offered = Math.max(this.offered, caption.cursor);
    const shaped = this.driver.shape(caption);
    if ('refused' in shaped) {
      if (caption.kind !== 'clear') this.progress.counters.refused++;
      this.report('failing', shaped.refused.code, shaped.refused.message);
      this.advanceSettled();
      return;
    }
    const inflightIds = new Set(this.inflight?.units.map((u) => u.id));
    for (const unit of shaped.units) {
      if (this.done.has(unit.id) || inflightIds.has(unit.id)) continue;
      this.backlog.push(unit);
    }
    const limit = this.options.backlog ?? DEFAULT_OUTPUT_BACKLOG;
    while (this.backlog.length > limit) {
      const dropped = this.backlog.shift();
      if (dropped) this.settle([dropped], 'overflow');
    }
    this.advanceSettled();
    this.wake?.();
  }

  /** The channel was read up to `cursor`: changes up to it that were not offered had nothing to send. */
  reached(cursor: number): void {
    if (this.fenced || cursor <= this.offered) return;
    this.offered = cursor;
    this.advanceSettled();
  }

  /** Current status. */
  status(): RunnerStatus {
    return {
      state: this.state,
      ...(this.code !== undefined ? { code: this.code } : {}),
      ...(this.message !== undefined ? { message: this.message } : {}),
      backlog: this.backlog.length + (this.inflight?.units.length ?? 0),
      seq: this.progress.seq,
      counters: { ...this.progress.counters },
      lastCaptionAt: this.progress.lastCaptionAt,
    };
  }

  /** The saved progress as last written or about to be (for the operator's switch). */
  get savedProgress(): OutputProgress {
    return this.snapshot();
  }

  /** Stops sending (a request in flight is abandoned; it stays saved and is repeated by the next runner). */
  async stop(): Promise<void> {
    this.stopper.abort();
    this.wake?.();
    await this.loop;
    await this.saving;
    await this.driver.close();
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted || this.fenced;
  }

  private report(state: OutputState, code?: string, message?: string): void {
    this.state = state;
    this.code = code;
    this.message = message;
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    if (this.driver.lastAcceptedSeq) {
      // Where the platform can tell, resume from its own count (a restart, or another node's last request).
      const accepted = await this.driver.lastAcceptedSeq(signal).catch(() => null);
      const inflight = this.inflight;
      if (inflight && accepted !== null && accepted >= inflight.seq) await this.accepted(inflight);
      else if (inflight && accepted !== null) inflight.mustRepeat = false;
      if (accepted !== null && accepted > this.progress.seq && !this.inflight) this.progress.seq = accepted;
    }
    if (!this.inflight && this.state === 'waiting') this.report('sending');
    const interval = this.options.minIntervalMs ?? DEFAULT_OUTPUT_MIN_INTERVAL_MS;
    while (!this.stopped) {
      if (!this.inflight) {
        this.dropStale();
        if (this.backlog.length === 0) {
          await new Promise<void>((r) => {
            this.wake = r;
          });
          this.wake = null;
          continue;
        }
        // Wait for the pace first: what arrives meanwhile joins this request, and age is judged at sending time.
        await sleep(this.lastRequestAt + interval - this.now(), signal);
        if (this.stopped) break;
        await this.driver.ready?.(signal);
        if (this.stopped) break;
        this.dropStale();
        if (this.backlog.length === 0) continue;
        const count = Math.max(1, Math.min(this.driver.pack(this.backlog), this.backlog.length));
        const units = this.backlog.splice(0, count);
        const seq = this.driver.usesSeq ? this.progress.seq + 1 : 0;
        this.inflight = { seq, body: this.driver.prepare(units, seq), units, mustRepeat: false };
      } else {
        await sleep(this.lastRequestAt + interval - this.now(), signal);
        if (this.stopped) break;
      }
      const inflight = this.inflight;
      const saved = await this.persist();
      if (!saved || this.stopped) break;
      this.lastRequestAt = this.now();
      const outcome = await this.driver.send(inflight.body, inflight.seq, signal);
      if (this.stopped) break;
      if (outcome.ok) {
        await this.accepted(inflight);
        this.failures = 0;
        this.report('sending');
        continue;
      }
      this.failures++;
      this.progress.counters.retries++;
      // A burst of errors is retried at the pace (three times), a longer failure with backoff up to 5 s.
      const delay =
        outcome.retryAfterMs ??
        Math.min(MAX_BACKOFF_MS, (this.options.retryBaseMs ?? 1000) * 2 ** Math.min(Math.max(0, this.failures - 3), 10)) * (0.9 + 0.2 * Math.random());
      this.report('failing', outcome.code, `${outcome.message} (retry in ${Math.max(1, Math.round(delay / 1000))} s)`);
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.options.logger.warn('output request failed', { output: this.options.id, code: outcome.code, failures: this.failures });
      }
      if (outcome.certain && !inflight.mustRepeat) {
        // Not taken: its units go back in front, to be re-packed (under the same seq) with what came meanwhile.
        this.backlog.unshift(...inflight.units);
        this.inflight = null;
      } else {
        inflight.mustRepeat = true;
        if (this.driver.lastAcceptedSeq && outcome.certain === false) {
          const accepted = await this.driver.lastAcceptedSeq(signal).catch(() => null);
          if (accepted !== null && accepted >= inflight.seq) {
            await this.accepted(inflight);
            continue;
          }
          if (accepted !== null) inflight.mustRepeat = false;
        }
      }
      this.lastRequestAt = Math.max(this.lastRequestAt, this.now() + delay - interval);
    }
  }

  private async accepted(inflight: Inflight): Promise<void> {
    this.inflight = null;
    if (this.driver.usesSeq) this.progress.seq = Math.max(this.progress.seq, inflight.seq);
    this.progress.lastCaptionAt = this.now();
    this.settle(inflight.units, 'delivered');
    this.advanceSettled();
    await this.persist();
  }

  /** Drops units too old to send from the head of the backlog. */
  private dropStale(): void {
    const maxAge = this.options.maxAgeMs ?? DEFAULT_OUTPUT_MAX_AGE_MS;
    const now = this.now();
    const stale: CaptionUnit[] = [];
    while (this.backlog.length > 0 && now - (this.backlog[0]?.at ?? now) > maxAge) stale.push(this.backlog.shift()!);
    if (stale.length === 0) return;
    this.settle(stale, 'stale');
    this.advanceSettled();
    void this.persist();
  }

  /** Marks units settled; a caption counts once, by its first unit, as delivered or dropped. */
  private settle(units: readonly CaptionUnit[], how: 'delivered' | 'stale' | 'overflow'): void {
    for (const unit of units) {
      this.done.set(unit.id, unit.cursor);
      if (unit.part === 1 && unit.caption.kind !== 'clear') this.progress.counters[how]++;
    }
  }

  /** Moves the settled cursor up to just before the oldest unit still waiting. */
  private advanceSettled(): void {
    let lowest = this.offered;
    for (const u of this.backlog) lowest = Math.min(lowest, u.cursor - 1);
    for (const u of this.inflight?.units ?? []) lowest = Math.min(lowest, u.cursor - 1);
    if (lowest <= this.progress.cursor) return;
    this.progress.cursor = lowest;
    for (const [id, cursor] of this.done) if (cursor <= lowest) this.done.delete(id);
  }

  private snapshot(): OutputProgress {
    const inflight = this.inflight;
    return {
      ...this.progress,
      counters: { ...this.progress.counters },
      done: [...this.done.entries()],
      inflight: inflight ? { seq: inflight.seq, body: inflight.body, units: inflight.units } : null,
    };
  }

  /** Saves the progress after whatever save is under way; resolves `false` once this node lost the output. */
  private persist(): Promise<boolean> {
    const result = this.saving.then(async () => {
      for (let attempt = 0; ; attempt++) {
        if (this.fenced) return false;
        try {
          const allowed = await this.options.progress.save(this.options.id, this.snapshot());
          if (!allowed) {
            this.fenced = true;
            this.report('waiting', undefined, 'another hub node drives this output now');
            this.options.onFenced?.();
            this.wake?.();
          }
          return allowed;
        } catch (err) {
          // Sending without the request saved could repeat or skip captions after a restart: wait and save again.
          this.report('failing', 'STATE_NOT_SAVED', `output state not saved: ${(err as Error).message}`);
          if (attempt === 0) this.options.logger.error('output state not saved', { output: this.options.id, error: String(err) });
          await sleep(1000, this.stopper.signal);
          if (this.stopper.signal.aborted) return false;
        }
      }
    });
    this.saving = result.then(() => undefined);
    return result;
  }
}
