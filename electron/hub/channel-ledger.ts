/**
 * The caption rules of one channel, as a plain state machine with no I/O: partial/final/revise/clear,
 * sequence numbers, cursors, idempotent resends and the bounded history a display catches up from.
 *
 * A store (memory + journal now, Redis later) keeps one ledger per channel and persists the
 * {@link LedgerRecord}s each operation returns; replaying those records (or a {@link LedgerSnapshot}) into a
 * fresh ledger restores the same state. A shared store can reuse these rules under its own transaction
 * (load the snapshot, apply, write back).
 */
import {
  ERROR_CODES,
  type CaptionLine,
  type ChannelChange,
  type ChannelSnapshot,
  type PartialUpdate,
  type PublishAck,
  type PublishLine,
} from '../common/protocol';
import { fail, ok, type Result } from '../common/result';

/** A committed line as kept: its latest version, the text as first committed, and whether a clear hid it. */
export interface KeptLine {
  line: CaptionLine;
  /** The text of the final as published (revision 0); a resend of it is a duplicate, not a conflict. */
  publishedText: string;
  /** Cursor of the latest change to this line. */
  cursor: number;
  /** `true` once a clear removed it from displays; still exported. */
  cleared: boolean;
}

/** An id the channel has seen: its sequence number and, once committed, the final text as published. */
export interface SeenId {
  seq: number;
  firstSeenAt: number;
  finalText?: string;
}

/** What a store persists so the channel survives a restart. */
export type LedgerRecord =
  | { t: 'seq'; channel: string; id: string; seq: number; at: number }
  | { t: 'change'; change: ChannelChange; publishedText?: string };

/** A ledger's whole persistent state (journal compaction, shared stores). */
export interface LedgerSnapshot {
  channel: string;
  cursor: number;
  nextSeq: number;
  lines: KeptLine[];
  changes: ChannelChange[];
  seen: Array<[string, SeenId]>;
}

/** Outcome of a publish: the ack, and what to broadcast and persist (nothing for a duplicate). */
export interface PublishOutcome {
  ack: PublishAck;
  partial?: PartialUpdate;
  change?: ChannelChange;
  records: LedgerRecord[];
  /**
   * Set by a store whose writes complete after the operation is applied (a journal): resolves once the change
   * is persisted or its failure reported. The hub announces the change only then. Absent means already durable.
   */
  durable?: Promise<void>;
}

/** Outcome of a revise or clear. */
export interface ChangeOutcome {
  ack: PublishAck;
  change?: ChannelChange;
  records: LedgerRecord[];
  /** As {@link PublishOutcome.durable}. */
  durable?: Promise<void>;
}

/** Bounds of a ledger. */
export interface LedgerLimits {
  /** Committed lines kept (and exported). */
  historyLimit: number;
}

/** The caption state of one channel of one room. */
/**
 * The stored line for a publish: revision 0, `startedAt` from the publisher, else from the partial it replaces,
 * else when the hub first saw the id. Shared by every HistoryStore so they build lines alike.
 */
export function publishedLine(
  room: string,
  channel: string,
  input: PublishLine,
  seq: number,
  previous: CaptionLine | null,
  firstSeenAt: number,
  now: number,
): CaptionLine {
  const line: CaptionLine = {
    id: input.id,
    room,
    channel,
    seq,
    text: input.text,
    state: input.state,
    revision: 0,
    source: input.source,
    startedAt: input.startedAt ?? previous?.startedAt ?? firstSeenAt,
    updatedAt: now,
  };
  if (input.lang !== undefined) line.lang = input.lang;
  if (input.audioStart !== undefined) line.audioStart = input.audioStart;
  if (input.audioEnd !== undefined) line.audioEnd = input.audioEnd;
  return line;
}

export class ChannelLedger {
  readonly room: string;
  readonly channel: string;
  private readonly historyLimit: number;
  private readonly changeLimit: number;
  private readonly seenLimit: number;
  private cursor = 0;
  private nextSeq = 1;
  private lines: KeptLine[] = [];
  private readonly linesById = new Map<string, KeptLine>();
  private changes: ChannelChange[] = [];
  private readonly seen = new Map<string, SeenId>();
  private partial: CaptionLine | null = null;

  constructor(room: string, channel: string, limits: LedgerLimits) {
    this.room = room;
    this.channel = channel;
    this.historyLimit = limits.historyLimit;
    this.changeLimit = Math.max(2 * limits.historyLimit, 100);
    this.seenLimit = Math.max(4 * limits.historyLimit, 200);
  }

  /** The channel's cursor: the number of committed-state changes so far. */
  get currentCursor(): number {
    return this.cursor;
  }

  /** The current partial line, if any. */
  get currentPartial(): CaptionLine | null {
    return this.partial;
  }

  /** Applies a publish whose text is already checked and cleaned. */
  publish(input: PublishLine, now: number): Result<PublishOutcome> {
    const seen = this.seen.get(input.id);
    if (seen?.finalText !== undefined) {
      const kept = this.linesById.get(input.id);
      const sameText = input.text === seen.finalText || input.text === kept?.line.text;
      if (input.state === 'partial' || sameText) {
        return ok({ ack: { seq: seen.seq, cursor: kept?.cursor ?? this.cursor, duplicate: true }, records: [] });
      }
      return fail(
        ERROR_CODES.CONFLICT,
        `line ${input.id} is already committed with a different text; send caption:revise to correct it`,
      );
    }
    const records: LedgerRecord[] = [];
    let seq: number;
    let firstSeenAt: number;
    if (seen) {
      seq = seen.seq;
      firstSeenAt = seen.firstSeenAt;
    } else {
      seq = this.nextSeq++;
      firstSeenAt = now;
      this.remember(input.id, { seq, firstSeenAt });
      if (input.state === 'partial') records.push({ t: 'seq', channel: this.channel, id: input.id, seq, at: now });
    }
    const previous = this.partial?.id === input.id ? this.partial : null;
    const line = publishedLine(this.room, this.channel, input, seq, previous, firstSeenAt, now);

    if (input.state === 'partial') {
      if (previous && previous.text === input.text) {
        return ok({ ack: { seq, cursor: this.cursor, duplicate: true }, records });
      }
      this.partial = line;
      return ok({
        ack: { seq, cursor: this.cursor, duplicate: false },
        partial: { room: this.room, channel: this.channel, cursor: this.cursor, line },
        records,
      });
    }

    line.committedAt = now;
    if (previous) this.partial = null;
    const change: ChannelChange = { kind: 'committed', room: this.room, channel: this.channel, cursor: ++this.cursor, line };
    this.applyCommitted(change, input.text);
    records.push({ t: 'change', change, publishedText: input.text });
    return ok({ ack: { seq, cursor: change.cursor, duplicate: false }, change, records });
  }

  /** Corrects a committed line in place (text already checked and cleaned). */
  revise(id: string, text: string, now: number): Result<ChangeOutcome> {
    const kept = this.linesById.get(id);
    if (!kept || kept.cleared) {
      const why = this.partial?.id === id ? 'it is not committed yet (publish a final)' : 'no such committed line in this channel';
      return fail(ERROR_CODES.NOT_FOUND, `cannot revise line ${id}: ${why}`);
    }
    if (kept.line.text === text) {
      return ok({ ack: { seq: kept.line.seq, cursor: kept.cursor, duplicate: true }, records: [] });
    }
    const line: CaptionLine = { ...kept.line, text, revision: kept.line.revision + 1, updatedAt: now };
    const change: ChannelChange = { kind: 'revised', room: this.room, channel: this.channel, cursor: ++this.cursor, line };
    this.applyRevised(change);
    return ok({ ack: { seq: line.seq, cursor: change.cursor, duplicate: false }, change, records: [{ t: 'change', change }] });
  }

  /** Clears the channel on every display (the current partial too); the lines stay in the export. */
  clear(now: number): ChangeOutcome {
    const change: ChannelChange = { kind: 'cleared', room: this.room, channel: this.channel, cursor: ++this.cursor, at: now };
    this.applyCleared(change);
    return { ack: { seq: 0, cursor: change.cursor, duplicate: false }, change, records: [{ t: 'change', change }] };
  }

  /**
   * What a display needs to catch up: the changes after `since`, or (fresh display, or `since` older than the
   * kept history, or from another life of the hub) `reset` with the visible kept lines as `committed` changes.
   */
  snapshot(since: number | undefined): ChannelSnapshot {
    const base = { channel: this.channel, cursor: this.cursor, partial: this.partial };
    if (since !== undefined && since <= this.cursor) {
      if (since === this.cursor) return { ...base, reset: false, changes: [] };
      const first = this.changes[0];
      if (first && first.cursor <= since + 1) {
        return { ...base, reset: false, changes: this.changes.filter((c) => c.cursor > since) };
      }
    }
    const changes: ChannelChange[] = this.lines
      .filter((k) => !k.cleared)
      .map((k) => ({ kind: 'committed', room: this.room, channel: this.channel, cursor: k.cursor, line: k.line }));
    return { ...base, reset: true, changes };
  }

  /** Every kept committed line (cleared ones too), latest revision, in commit order: for exports. */
  committedLines(): CaptionLine[] {
    return this.lines.map((k) => k.line);
  }

  /** Re-applies a persisted record (journal replay). Records from a wrong channel are ignored. */
  replay(record: LedgerRecord): void {
    if (record.t === 'seq') {
      if (record.channel !== this.channel) return;
      if (!this.seen.has(record.id)) this.remember(record.id, { seq: record.seq, firstSeenAt: record.at });
      this.nextSeq = Math.max(this.nextSeq, record.seq + 1);
      return;
    }
    const change = record.change;
    if (change.channel !== this.channel || change.cursor <= this.cursor) return;
    this.cursor = change.cursor;
    if (change.kind === 'committed') {
      this.nextSeq = Math.max(this.nextSeq, change.line.seq + 1);
      if (this.partial?.id === change.line.id) this.partial = null;
      this.applyCommitted(change, record.publishedText ?? change.line.text);
    } else if (change.kind === 'revised') {
      if (this.linesById.has(change.line.id)) this.applyRevised(change);
    } else {
      this.applyCleared(change);
    }
  }

  /** The whole persistent state (the partial is live-only and not included). */
  toSnapshot(): LedgerSnapshot {
    return {
      channel: this.channel,
      cursor: this.cursor,
      nextSeq: this.nextSeq,
      lines: this.lines.map((k) => ({ ...k })),
      changes: [...this.changes],
      seen: [...this.seen.entries()],
    };
  }

  /** Replaces the state with a snapshot (journal compaction record). */
  restore(snapshot: LedgerSnapshot): void {
    this.cursor = snapshot.cursor;
    this.nextSeq = snapshot.nextSeq;
    this.lines = snapshot.lines.slice(-this.historyLimit).map((k) => ({ ...k }));
    this.linesById.clear();
    for (const k of this.lines) this.linesById.set(k.line.id, k);
    this.changes = snapshot.changes.slice(-this.changeLimit);
    this.seen.clear();
    for (const [id, s] of snapshot.seen.slice(-this.seenLimit)) this.seen.set(id, s);
    for (const k of this.lines) {
      if (!this.seen.has(k.line.id)) this.seen.set(k.line.id, { seq: k.line.seq, firstSeenAt: k.line.startedAt, finalText: k.publishedText });
    }
    this.partial = null;
  }

  private applyCommitted(change: ChannelChange & { kind: 'committed' }, publishedText: string): void {
    const kept: KeptLine = { line: change.line, publishedText, cursor: change.cursor, cleared: false };
    this.lines.push(kept);
    this.linesById.set(change.line.id, kept);
    const seen = this.seen.get(change.line.id);
    if (seen) seen.finalText = publishedText;
    else this.remember(change.line.id, { seq: change.line.seq, firstSeenAt: change.line.startedAt, finalText: publishedText });
    while (this.lines.length > this.historyLimit) {
      const dropped = this.lines.shift();
      if (dropped) this.linesById.delete(dropped.line.id);
    }
    this.pushChange(change);
  }

  private applyRevised(change: ChannelChange & { kind: 'revised' }): void {
    const kept = this.linesById.get(change.line.id);
    if (!kept) return;
    kept.line = change.line;
    kept.cursor = change.cursor;
    this.pushChange(change);
  }

  private applyCleared(change: ChannelChange & { kind: 'cleared' }): void {
    for (const k of this.lines) k.cleared = true;
    this.partial = null;
    this.pushChange(change);
  }

  private pushChange(change: ChannelChange): void {
    this.changes.push(change);
    if (this.changes.length > this.changeLimit) this.changes.splice(0, this.changes.length - this.changeLimit);
  }

  /** Records a seen id; the oldest ids are forgotten past the bound (never the kept lines or the partial). */
  private remember(id: string, entry: SeenId): void {
    this.seen.set(id, entry);
    if (this.seen.size <= this.seenLimit) return;
    for (const old of this.seen.keys()) {
      if (this.seen.size <= this.seenLimit) break;
      if (this.linesById.has(old) || this.partial?.id === old || old === id) continue;
      this.seen.delete(old);
    }
  }
}
