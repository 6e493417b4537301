/**
 * Where the hub keeps each channel's caption state: the kept history a display catches up from, sequence
 * numbers and cursors, the current partial and each room's notice.
 *
 * The hub talks only to the {@link HistoryStore} interface, so another store (a Redis-backed one, for a hub
 * spanning several processes) can replace {@link MemoryJournalHistoryStore} without changing the hub. Every
 * store decides with the pure rules of caption-rules.ts, atomically per channel: it reads the state an
 * operation needs, decides, and applies the writes the decision returns, so one operation's outcome (seq,
 * cursor, duplicate, conflict, not found) is decided against the state left by the previous one.
 */
import { join } from 'node:path';
import {
  ERROR_CODES,
  type ErrorCode,
  type CaptionLine,
  type ChannelChange,
  type ChannelSnapshot,
  type Notice,
  type PublishLine,
} from '../common/protocol';
import { fail, ok, type ErrorInfo, type Result } from '../common/result';
import { RoomArchive } from './room-archive';
import type { ChannelClosed } from './caption-rules';
import { ChannelLedger, type ChangeOutcome, type LedgerRecord, type PublishOutcome } from './channel-ledger';
import { JsonlJournal, replayJournal, type JournalDurability, type JournalWriteError } from '../node/jsonl-journal';
import { journalEntrySchema, type JournalEntry } from './journal-schema';

/** A room as the store needs it. */
export interface RoomSpec {
  id: string;
  channels: readonly string[];
}

/** Whether the store keeps history durably right now. */
export interface StoreHealth {
  /** Kind of store, e.g. `memory`, `memory+journal`. */
  kind: string;
  /** `true` when history survives a restart (a journal or a database is configured). */
  durable: boolean;
  /** The current persistence error (e.g. disk full); live captions continue meanwhile. */
  error: ErrorInfo | null;
  /** Journal lines not replayed at start: a torn tail cut (a crash while writing) plus damaged lines. */
  skippedAtStart: number;
  /** Of those, damaged lines in the middle of a journal (the records after them were replayed). */
  damagedAtStart: number;
}

/** The store interface the hub depends on. Every method is async; failures come back as values. */
export interface HistoryStore {
  /** Opens the store for these rooms and restores their kept history. */
  open(rooms: readonly RoomSpec[]): Promise<void>;
  /**
   * Applies a publish (text already checked and cleaned). `closed`: the channel takes no new line now (a mute); a
   * resend of a line it holds is still acknowledged as a duplicate (caption-rules.ts).
   */
  publish(room: string, line: PublishLine, now: number, closed?: ChannelClosed): Promise<Result<PublishOutcome, ErrorCode>>;
  /** Corrects a committed line (text already checked and cleaned); `closed` as for {@link HistoryStore.publish}. */
  revise(room: string, channel: string, id: string, text: string, now: number, closed?: ChannelClosed): Promise<Result<ChangeOutcome, ErrorCode>>;
  /** Clears a channel. */
  clear(room: string, channel: string, now: number): Promise<Result<ChangeOutcome, ErrorCode>>;
  /** Sets (or, with `text: null`, clears) a room's notice. */
  setNotice(notice: Notice): Promise<Result<Notice, ErrorCode>>;
  /** A room's current notice (expiry is the hub's business). */
  notice(room: string): Promise<Result<Notice | null, ErrorCode>>;
  /** What a display needs to catch up from `since` (see {@link ChannelLedger.snapshot}). */
  snapshot(room: string, channel: string, since: number | undefined): Promise<Result<ChannelSnapshot, ErrorCode>>;
  /**
   * Every committed line of a channel, latest revision, in commit order (for exports): the whole record, not only
   * the kept history (`historyLimit` bounds memory and catch-up, not the record).
   */
  committedLines(room: string, channel: string): Promise<Result<CaptionLine[], ErrorCode>>;
  /** A channel's current partial line (a withdrawn one has empty text), or `null`. */
  partial(room: string, channel: string): Promise<Result<CaptionLine | null, ErrorCode>>;
  /** Current health (synchronous: for /healthz and the console's status). */
  health(): StoreHealth;
  /** Resolves when everything applied so far is persisted (or its failure reported). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryJournalStoreOptions {
  /** Journal directory; omitted keeps history in memory only. */
  dataDir?: string;
  /** Committed lines kept per channel. */
  historyLimit: number;
  /** When a journaled change counts as persisted; default `write` (see {@link JournalDurability}). */
  journalSync?: JournalDurability;
  /** Called when persistence fails (`error`) or works again (`null`). */
  onStatus?: (room: string, error: ErrorInfo | null) => void;
  /** Called once per room at open when the journal's replay cut a torn tail or found damage. */
  onReplayIssue?: (room: string, issue: JournalReplayIssue) => void;
}

/** What a room journal's replay found wrong (see electron/node/jsonl-journal.ts for the policy). */
export interface JournalReplayIssue {
  /** Bytes of a torn last record cut off (a crash while writing; nothing acknowledged is lost). */
  tornBytes: number;
  /** Line numbers of damaged lines in the middle (skipped; every record after them was replayed). */
  damagedLines: number[];
  /** Copy of the damaged journal as found, or `null`. */
  damagedCopy: string | null;
}

interface RoomState {
  ledgers: Map<string, ChannelLedger>;
  notice: Notice | null;
  journal: JsonlJournal<JournalEntry> | null;
  /** Every committed line, for exports (the ledgers keep only the history limit). */
  archive: RoomArchive;
}

/** Journal file of a room inside the data directory. */
export function journalFile(dataDir: string, room: string): string {
  return join(dataDir, `${room}.journal.jsonl`);
}

function journalWriteError(file: string, error: JournalWriteError): ErrorInfo {
  return { code: ERROR_CODES.INTERNAL, message: `journal ${file} not written (${error.code}: ${error.message}); captions continue in memory` };
}

/**
 * History in memory, journaled per room to an append-only JSONL file when a data directory is given
 * (replayed at open, compacted past its bound). A journal failure never stops live captions: it is reported
 * through `onStatus` and {@link health}, and the full state is rewritten once the disk works again.
 */
export class MemoryJournalHistoryStore implements HistoryStore {
  private readonly options: MemoryJournalStoreOptions;
  private readonly rooms = new Map<string, RoomState>();
  /** The current write failure of each room's journal and archive (reported as one status per room). */
  private readonly failures = new Map<string, ErrorInfo>();
  private skipped = 0;
  private damaged = 0;

  constructor(options: MemoryJournalStoreOptions) {
    this.options = options;
  }

  async open(rooms: readonly RoomSpec[]): Promise<void> {
    for (const spec of rooms) {
      const dataDir = this.options.dataDir;
      const archive = new RoomArchive({
        room: spec.id,
        ...(dataDir !== undefined ? { dataDir } : {}),
        onStatus: (error) => this.report(spec.id, 'archive', error),
      });
      const state: RoomState = { ledgers: new Map(), notice: null, journal: null, archive };
      for (const channel of spec.channels) {
        state.ledgers.set(channel, new ChannelLedger(spec.id, channel, { historyLimit: this.options.historyLimit }));
      }
      this.rooms.set(spec.id, state);
      if (dataDir === undefined) {
        await archive.open([]);
        continue;
      }
      const file = journalFile(dataDir, spec.id);
      state.journal = new JsonlJournal<JournalEntry>({
        file,
        compactAfter: Math.max(200, 4 * this.options.historyLimit * spec.channels.length),
        snapshot: () => this.roomEntries(state),
        onStatus: (error) => this.report(spec.id, 'journal', error && journalWriteError(file, error)),
      });
      try {
        const replay = await replayJournal(file, (value) => {
          const parsed = journalEntrySchema.safeParse(value);
          return parsed.success ? parsed.data : null;
        });
        for (const entry of replay.entries) this.replay(state, entry);
        if (replay.tornBytes > 0 || replay.damagedLines.length > 0) {
          this.skipped += replay.damagedLines.length + (replay.tornBytes > 0 ? 1 : 0);
          this.damaged += replay.damagedLines.length;
          this.options.onReplayIssue?.(spec.id, { tornBytes: replay.tornBytes, damagedLines: replay.damagedLines, damagedCopy: replay.damagedCopy });
        }
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        this.options.onStatus?.(spec.id, {
          code: ERROR_CODES.INTERNAL,
          message: `journal ${file} not read (${e.code ?? 'error'}: ${e.message}); starting with empty history`,
        });
      }
      // Rewrite at start: one snapshot per channel instead of the whole history of appends.
      state.journal.requestCompaction();
      await state.journal.flush();
      try {
        await archive.open([...state.ledgers.values()].flatMap((l) => l.committedLines()));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        this.options.onStatus?.(spec.id, { code: ERROR_CODES.INTERNAL, message: `archive of room ${spec.id} not read (${e.code ?? 'error'}: ${e.message}); exports hold the kept history` });
      }
    }
  }

  async publish(room: string, line: PublishLine, now: number, closed: ChannelClosed = null): Promise<Result<PublishOutcome, ErrorCode>> {
    const found = this.ledger(room, line.channel);
    if (!found.ok) return found;
    const outcome = found.value.ledger.publish(line, now, closed);
    if (!outcome.ok) return outcome;
    this.archive(found.value.state, outcome.value.change);
    return ok({ ...outcome.value, durable: this.persist(found.value.state, outcome.value.records) });
  }

  async revise(room: string, channel: string, id: string, text: string, now: number, closed: ChannelClosed = null): Promise<Result<ChangeOutcome, ErrorCode>> {
    const found = this.ledger(room, channel);
    if (!found.ok) return found;
    const outcome = found.value.ledger.revise(id, text, now, closed);
    if (!outcome.ok) return outcome;
    this.archive(found.value.state, outcome.value.change);
    return ok({ ...outcome.value, durable: this.persist(found.value.state, outcome.value.records) });
  }

  async clear(room: string, channel: string, now: number): Promise<Result<ChangeOutcome, ErrorCode>> {
    const found = this.ledger(room, channel);
    if (!found.ok) return found;
    const outcome = found.value.ledger.clear(now);
    return ok({ ...outcome, durable: this.persist(found.value.state, outcome.records) });
  }

  async setNotice(notice: Notice): Promise<Result<Notice, ErrorCode>> {
    const state = this.rooms.get(notice.room);
    if (!state) return fail(ERROR_CODES.UNKNOWN_ROOM, `unknown room ${notice.room}`);
    state.notice = notice.text === null ? null : notice;
    state.journal?.append({ t: 'notice', notice }, this.options.journalSync ?? 'write');
    return ok(notice);
  }

  async notice(room: string): Promise<Result<Notice | null, ErrorCode>> {
    const state = this.rooms.get(room);
    if (!state) return fail(ERROR_CODES.UNKNOWN_ROOM, `unknown room ${room}`);
    return ok(state.notice);
  }

  async snapshot(room: string, channel: string, since: number | undefined): Promise<Result<ChannelSnapshot, ErrorCode>> {
    const found = this.ledger(room, channel);
    if (!found.ok) return found;
    return ok(found.value.ledger.snapshot(since));
  }

  async committedLines(room: string, channel: string): Promise<Result<CaptionLine[], ErrorCode>> {
    const found = this.ledger(room, channel);
    if (!found.ok) return found;
    const kept = found.value.ledger.committedLines();
    try {
      return ok(await found.value.state.archive.lines(channel, kept));
    } catch (err) {
      return fail(ERROR_CODES.INTERNAL, `the archive of room ${room} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }

  async partial(room: string, channel: string): Promise<Result<CaptionLine | null, ErrorCode>> {
    const found = this.ledger(room, channel);
    if (!found.ok) return found;
    return ok(found.value.ledger.currentPartial);
  }

  health(): StoreHealth {
    let error: ErrorInfo | null = null;
    for (const { journal, archive } of this.rooms.values()) {
      if (!error && journal?.error) error = journalWriteError(journal.file, journal.error);
      error ??= archive.error;
    }
    return {
      kind: this.options.dataDir === undefined ? 'memory' : 'memory+journal',
      durable: this.options.dataDir !== undefined,
      error,
      skippedAtStart: this.skipped,
      damagedAtStart: this.damaged,
    };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.rooms.values()].flatMap((s) => [s.journal?.flush(), s.archive.flush()]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.rooms.values()].flatMap((s) => [s.journal?.close(), s.archive.close()]));
  }

  /** Reports a room's status: its first current failure, or `null` once its journal and archive both write again. */
  private report(room: string, source: 'journal' | 'archive', error: ErrorInfo | null): void {
    const key = `${room}\u0000${source}`;
    if (error) this.failures.set(key, error);
    else if (!this.failures.delete(key)) return;
    const other = this.failures.get(`${room}\u0000${source === 'journal' ? 'archive' : 'journal'}`);
    if (error || !other) this.options.onStatus?.(room, error);
  }

  /** Adds a committed or revised line to the room's record. */
  private archive(state: RoomState, change: ChannelChange | undefined): void {
    if (change && change.kind !== 'cleared') state.archive.record(change.line);
  }

  /**
   * Journals `records` and returns when a committed-state change among them is written (or synced, with
   * `journalSync: 'fsync'`; or its write failed and was reported): the hub broadcasts and acknowledges only what
   * survives the hub process being killed. Writes are
   * grouped (one sync for everything queued meanwhile) and a failing disk fails fast, so captions keep flowing.
   * Seq records of partials are written in the background.
   */
  private persist(state: RoomState, records: readonly LedgerRecord[]): Promise<void> | undefined {
    if (!state.journal || records.length === 0) return undefined;
    let written: Promise<void> | undefined;
    const durability = this.options.journalSync ?? 'write';
    for (const r of records) written = state.journal.append(r, durability);
    return records.some((r) => r.t === 'change') ? written : undefined;
  }

  private ledger(room: string, channel: string): Result<{ state: RoomState; ledger: ChannelLedger }, ErrorCode> {
    const state = this.rooms.get(room);
    if (!state) return fail(ERROR_CODES.UNKNOWN_ROOM, `unknown room ${room}`);
    const ledger = state.ledgers.get(channel);
    if (!ledger) {
      return fail(ERROR_CODES.UNKNOWN_CHANNEL, `room ${room} has no channel ${channel} (it has ${[...state.ledgers.keys()].join(', ')})`);
    }
    return ok({ state, ledger });
  }

  private replay(state: RoomState, entry: JournalEntry): void {
    switch (entry.t) {
      case 'notice':
        state.notice = entry.notice.text === null ? null : entry.notice;
        return;
      case 'snapshot':
        state.ledgers.get(entry.ledger.channel)?.restore(entry.ledger);
        return;
      case 'seq':
        state.ledgers.get(entry.channel)?.replay(entry);
        return;
      case 'change':
        state.ledgers.get(entry.change.channel)?.replay(entry);
        return;
    }
  }

  private roomEntries(state: RoomState): JournalEntry[] {
    const entries: JournalEntry[] = [...state.ledgers.values()].map((l) => ({ t: 'snapshot', ledger: l.toSnapshot() }));
    if (state.notice) entries.push({ t: 'notice', notice: state.notice });
    return entries;
  }
}
