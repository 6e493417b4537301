/**
 * The hub link's outbox: every request (line, correction, clear, notice) stays in it until the hub acknowledges
 * it. Offline, requests queue in order; after a reconnect (or a hub restart) everything unacknowledged goes out
 * again in order; on a live connection a request with no answer goes out again after `resendAfterMs`. The hub is
 * idempotent per line id, so a resend that had already arrived is harmless (its ack says `duplicate`).
 *
 * Superseding: a newer partial of a line replaces the waiting one, the final of a line replaces its partial, a
 * partial after the final is dropped, and only the newest notice waits. A replaced request's callers hear `null`
 * (not acknowledged, replaced).
 *
 * Callers get an answer within `ackWaitMs` at the latest: the hub's ack, or `null` (queued, still in the outbox).
 */
import type { Notice, PublishAck, PublishLine, ReviseLine } from '../common/protocol';
import { checkRequestSize } from '../common/frame-limit';
import type { Result } from '../common/result';
import { ERROR_CODES, isHubErrorCode, isPermanentHubError } from '../common/hub-errors';
import { CONSOLE_ERROR_CODES, consoleResult, fail, ok, type ConsoleError, type ConsoleResult } from '../common/console-api-result';

/** A request waiting in the outbox, with what its ack carries. */
export type OutboxRequest =
  | { kind: 'publish'; payload: PublishLine }
  | { kind: 'revise'; payload: ReviseLine }
  | { kind: 'clear'; payload: { channel: string } }
  | { kind: 'notice'; payload: { text: string; ttlMs?: number } | null };

/** What the hub's ack of each kind carries. */
interface AckOf {
  publish: PublishAck;
  revise: PublishAck;
  clear: { cursor: number };
  notice: Notice;
}

/** How the outbox reaches the hub. */
export interface OutboxTransport {
  /** Whether requests can go out now (else they wait for the next resend). */
  connected(): boolean;
  /** Sends one request. `onAck` gets the hub's answer, or an error when none came within `timeoutMs`. */
  send(request: OutboxRequest, timeoutMs: number, onAck: (err: Error | null, answer?: Result<unknown>) => void): void;
}

/** What the outbox reports. */
export interface OutboxEvents {
  /** The hub acknowledged a request (possibly long after its caller heard `null`). */
  acked(request: OutboxRequest): void;
  /** The hub refused a request for good (not a transient error); it left the outbox. */
  refused(request: OutboxRequest, error: ConsoleError): void;
  /** The number of waiting requests changed. */
  size(pending: number): void;
}

interface Entry {
  key: string;
  request: OutboxRequest;
  /** When it entered the outbox (a request that replaced another keeps the older time). */
  since: number;
  /** When it was last sent (0 = not yet). */
  sentAt: number;
  waiters: ((r: ConsoleResult<unknown>) => void)[];
}

/** A hub refusal after which a resend can help (the hub's rule: a rate limit, its own trouble). */
const resendHelps = (code: string): boolean => isHubErrorCode(code) && !isPermanentHubError(code);

/** The line without its settled start (`stableChars`), for a hub that does not know the field. */
function withoutSettled(line: PublishLine): PublishLine {
  if (line.stableChars === undefined) return line;
  const { stableChars: _dropped, ...rest } = line;
  return rest;
}

/** Timings of an outbox. */
export interface OutboxTimings {
  /** How long a caller waits for the ack before hearing `null` (queued), ms (default 3000). */
  ackWaitMs?: number;
  /** An unacknowledged request goes out again after this long on a live connection, ms (default 5000). */
  resendAfterMs?: number;
}

/** The requests a hub link has not had acknowledged yet. */
export class HubOutbox {
  private readonly entries = new Map<string, Entry>();
  private counter = 0;
  /**
   * The hub refused a partial's `stableChars` (a hub from before that field: its schema is strict). From then on
   * partials go without it: displays draw the whole partial as pending, as they did then, instead of losing it.
   */
  private settledRefused = false;

  constructor(
    private readonly transport: OutboxTransport,
    private readonly events: OutboxEvents,
    private readonly timings: OutboxTimings = {},
  ) {}

  /** Requests waiting for an ack. */
  get size(): number {
    return this.entries.size;
  }

  /** When the oldest request still waiting entered the outbox (epoch ms), or `null` when none waits. */
  get oldestSince(): number | null {
    let oldest: number | null = null;
    for (const entry of this.entries.values()) if (oldest === null || entry.since < oldest) oldest = entry.since;
    return oldest;
  }

  /** A line: a partial supersedes the waiting partial of the line; the final supersedes both. */
  publish(line: PublishLine): Promise<ConsoleResult<PublishAck | null>> {
    if (this.settledRefused) line = withoutSettled(line);
    if (line.state === 'final') this.drop(`p:${line.id}`);
    else if (this.entries.has(`f:${line.id}`)) return Promise.resolve(ok(null));
    return this.enqueue(`${line.state === 'final' ? 'f' : 'p'}:${line.id}`, { kind: 'publish', payload: line });
  }

  /** A correction of a committed line. */
  revise(rev: ReviseLine): Promise<ConsoleResult<PublishAck | null>> {
    return this.enqueue(`r:${rev.id}:${++this.counter}`, { kind: 'revise', payload: rev });
  }

  /** A clear of a channel on every display. */
  clear(channel: string): Promise<ConsoleResult<{ cursor: number } | null>> {
    return this.enqueue(`c:${channel}:${++this.counter}`, { kind: 'clear', payload: { channel } });
  }

  /** The room notice (`null` clears it); only the newest one waits. */
  notice(text: string | null, ttlMs?: number): Promise<ConsoleResult<Notice | null>> {
    for (const key of [...this.entries.keys()]) if (key.startsWith('n:')) this.drop(key);
    const payload = text === null ? null : { text, ...(ttlMs ? { ttlMs } : {}) };
    return this.enqueue(`n:${++this.counter}`, { kind: 'notice', payload });
  }

  /** Sends everything waiting again, in order (after a connect). */
  resendAll(): void {
    for (const entry of this.entries.values()) this.send(entry);
  }

  /** Sends again what has waited longer than `resendAfterMs` since it last went out. */
  resendStale(): void {
    const stale = Date.now() - this.resendAfter;
    for (const entry of this.entries.values()) if (entry.sentAt !== 0 && entry.sentAt < stale) this.send(entry);
  }

  /** Empties the outbox; every caller still waiting hears `NOT_CONNECTED`. */
  close(): void {
    for (const entry of this.entries.values()) {
      for (const w of entry.waiters) w(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'The hub connection was closed.'));
    }
    this.entries.clear();
  }

  private get resendAfter(): number {
    return this.timings.resendAfterMs ?? 5000;
  }

  private enqueue<K extends OutboxRequest['kind']>(key: string, request: OutboxRequest & { kind: K }): Promise<ConsoleResult<AckOf[K] | null>> {
    // A request the hub would not read would cost the connection on every resend: refuse it now, with the hub's code.
    const size = checkRequestSize(request.kind, request.payload);
    if (!size.ok) return Promise.resolve(consoleResult(size));
    const since = this.entries.get(key)?.since ?? Date.now();
    this.drop(key);
    const entry: Entry = { key, request, since, sentAt: 0, waiters: [] };
    this.entries.set(key, entry);
    const answer = new Promise<ConsoleResult<unknown>>((resolve) => {
      const timer = setTimeout(() => resolve(ok(null)), this.timings.ackWaitMs ?? 3000);
      entry.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.send(entry);
    this.events.size(this.entries.size);
    return answer as Promise<ConsoleResult<AckOf[K] | null>>;
  }

  /** Removes an entry that a newer one supersedes; its waiters hear `null` (not acknowledged, replaced). */
  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    for (const w of old.waiters) w(ok(null));
  }

  private send(entry: Entry): void {
    if (!this.transport.connected()) return;
    entry.sentAt = Date.now();
    this.transport.send(entry.request, this.resendAfter, (err, raw) => {
      if (err || !raw) return; // no answer in time: resendStale sends it again
      const answer = consoleResult(raw);
      if (this.entries.get(entry.key) !== entry) {
        // Replaced meanwhile (a newer partial): the ack still belongs to the old waiters.
        for (const w of entry.waiters.splice(0)) w(answer.ok ? answer : ok(null));
        return;
      }
      if (!answer.ok && resendHelps(answer.error.code)) {
        entry.sentAt = Date.now() - this.resendAfter + 500;
        return;
      }
      const request = entry.request;
      if (!answer.ok && answer.error.code === ERROR_CODES.INVALID_PAYLOAD && request.kind === 'publish' && request.payload.stableChars !== undefined) {
        this.settledRefused = true;
        entry.request = { kind: 'publish', payload: withoutSettled(request.payload) };
        this.send(entry);
        return;
      }
      this.entries.delete(entry.key);
      if (!answer.ok) this.events.refused(entry.request, answer.error);
      else this.events.acked(entry.request);
      for (const w of entry.waiters.splice(0)) w(answer);
      this.events.size(this.entries.size);
    });
  }
}
