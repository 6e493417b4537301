/**
 * The memory store's state of one channel: sequence numbers, cursors, the kept history a display catches up
 * from, the seen ids that make resends idempotent, and the current partial. Decisions are not made here: each
 * operation reads this state, asks caption-rules.ts, and applies the writes it returns (so the Redis store,
 * which decides with the same functions, cannot disagree).
 *
 * The memory store keeps one ledger per channel and journals the {@link LedgerRecord}s each operation returns;
 * replaying those records (or a {@link LedgerSnapshot}) into a fresh ledger restores the same state.
 */
import type { CaptionLine, ChannelChange, ChannelSnapshot, PartialUpdate, PublishAck, PublishLine } from '../common/protocol';
import { ok, type Result } from '../common/result';
import type { ErrorCode } from '../common/hub-errors';
import { decideClear, decidePublish, decideRevise, type ChannelClosed, type ChannelWrite, type Decision, type KeptLine, type SeenId } from './caption-rules';

export type { KeptLine, SeenId } from './caption-rules';

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

/** The caption state of one channel; see the module comment. */
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
  publish(input: PublishLine, now: number, closed: ChannelClosed = null): Result<PublishOutcome, ErrorCode> {
    const state = {
      cursor: this.cursor,
      nextSeq: this.nextSeq,
      seen: this.seen.get(input.id) ?? null,
      kept: this.linesById.get(input.id) ?? null,
      partial: this.partial,
    };
    const decided = decidePublish(this, state, input, now, closed);
    return decided.ok ? ok(this.apply(decided.value)) : decided;
  }

  /** Corrects a committed line in place (text already checked and cleaned). */
  revise(id: string, text: string, now: number, closed: ChannelClosed = null): Result<ChangeOutcome, ErrorCode> {
    const decided = decideRevise(this, { cursor: this.cursor, kept: this.linesById.get(id) ?? null, partial: this.partial }, id, text, now, closed);
    return decided.ok ? ok(this.apply(decided.value)) : decided;
  }

  /** Clears the channel on every display (the current partial too); the lines stay in the export. */
  clear(now: number): ChangeOutcome {
    return this.apply(decideClear(this, { cursor: this.cursor }, now));
  }

  /** Applies a decision's writes to the maps and returns them as journal records. */
  private apply(decision: Decision): PublishOutcome {
    const { writes, ...outcome } = decision;
    const records: LedgerRecord[] = [];
    const commits = writes.some((w) => w.t === 'commit');
    for (const write of writes) this.applyWrite(write, records, commits);
    return { ...outcome, records };
  }

  private applyWrite(write: ChannelWrite, records: LedgerRecord[], commits: boolean): void {
    switch (write.t) {
      case 'see':
        this.remember(write.id, { seq: write.seq, firstSeenAt: write.firstSeenAt });
        this.nextSeq = Math.max(this.nextSeq, write.seq + 1);
        // A commit's change record carries the seq; a partial's new id needs a record of its own.
        if (!commits) records.push({ t: 'seq', channel: this.channel, id: write.id, seq: write.seq, at: write.firstSeenAt });
        return;
      case 'partial':
        this.partial = write.line;
        return;
      case 'commit':
        if (this.partial?.id === write.change.line.id) this.partial = null;
        this.cursor = write.change.cursor;
        this.applyCommitted(write.change, write.publishedText);
        records.push({ t: 'change', change: write.change, publishedText: write.publishedText });
        return;
      case 'revise':
        this.cursor = write.change.cursor;
        this.applyRevised(write.change);
        records.push({ t: 'change', change: write.change });
        return;
      case 'clear':
        this.cursor = write.change.cursor;
        this.applyCleared(write.change);
        records.push({ t: 'change', change: write.change });
        return;
    }
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
