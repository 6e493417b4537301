/**
 * The session record: everything this console sent out, per channel, in a write-ahead JSONL journal
 * (`<dir>/journal.jsonl`, one JSON record per line; electron/node/jsonl-journal.ts). Each record is appended as
 * it happens and the file is fsynced at every commit (final, revision, clear), so after a crash the journal is
 * intact up to the last committed line. At reopen a torn last record is cut off; a damaged line in the middle is
 * skipped and reported ({@link SessionRecord.damage}) while every record after it is replayed.
 *
 * A failing disk (full, read-only, removed) never stops the captions: the record keeps everything in memory,
 * reports the error (`error`, `onError`) and retries the backlog on the next commit.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ErrorInfo } from '../common/result';
import { idSchema, nameSchema } from '../common/ids';
import { CAPTION_SOURCES } from '../common/protocol';
import { CONSOLE_ERROR_CODES } from '../common/console-api';
import { joinSpeechLines, sequentialCues } from '../common/cue-timing';
import { writeSubtitles, type ExportFormat } from '../common/subtitles';
import { JsonlJournal, replayJournal, type JournalReplay } from '../node/jsonl-journal';

/** File name of the journal inside a session directory. */
export const JOURNAL_FILE = 'journal.jsonl';

const baseFields = { ch: nameSchema, at: z.number().finite().nonnegative() };

/** One journal record. `final`: a committed line; `revision`: a correction; `clear`: the channel was cleared. */
export const sessionRecordSchema = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('start'),
    at: z.number().finite().nonnegative(),
    session: z.string().min(1).max(128),
  }),
  z.strictObject({
    t: z.literal('final'),
    ...baseFields,
    id: idSchema,
    text: z.string(),
    source: z.enum(CAPTION_SOURCES),
    lang: z.string().max(8).optional(),
    /** When the line started (first partial), epoch ms. */
    startedAt: z.number().finite().nonnegative(),
    /** Speech-to-text lines: start and end in the session's audio timeline, seconds (resent with the line). */
    audioStart: z.number().finite().nonnegative().optional(),
    audioEnd: z.number().finite().nonnegative().optional(),
    /** The room the line was committed in: a resend goes to that room only (absent in older records). */
    room: nameSchema.optional(),
  }),
  z.strictObject({ t: z.literal('revision'), ...baseFields, id: idSchema, text: z.string() }),
  z.strictObject({ t: z.literal('clear'), ...baseFields }),
  /** The hub acknowledged a committed line (written without fsync: losing one only causes a harmless resend). */
  z.strictObject({ t: z.literal('ack'), ...baseFields, id: idSchema }),
  /** The hub refused a committed line for good (`code` says why): it is on no display and not in the exports. */
  z.strictObject({ t: z.literal('refused'), ...baseFields, id: idSchema, code: z.string().min(1).max(64) }),
  /** A committed line held back because its channel is muted: it goes out only when released. */
  z.strictObject({ t: z.literal('held'), ...baseFields, id: idSchema }),
  /** A held line released by a person: it goes out (or waits for the hub's ack like any other line). */
  z.strictObject({ t: z.literal('released'), ...baseFields, id: idSchema }),
  /** A held line discarded by a person: it never went out. */
  z.strictObject({ t: z.literal('discarded'), ...baseFields, id: idSchema }),
]);
export type SessionRecordEntry = z.infer<typeof sessionRecordSchema>;

/**
 * Where a committed line stands: `unacked` (sent, or waiting in the outbox, no ack yet), `acked` (the hub has it),
 * `held` (its channel was muted: it waits for a person to release or discard it), `discarded` (a person dropped
 * it while held: it never went out), `refused` (the hub will not take it). Only `unacked` and `acked` lines are
 * exported as sent.
 */
export type LineDelivery = 'unacked' | 'acked' | 'held' | 'discarded' | 'refused';

/** A committed line of the record, with its corrections applied. */
export interface RecordedLine {
  id: string;
  channel: string;
  text: string;
  source: (typeof CAPTION_SOURCES)[number];
  lang?: string;
  startedAt: number;
  committedAt: number;
  audioStart?: number;
  audioEnd?: number;
  /** The room it was committed in (absent in records written before rooms were noted). */
  room?: string;
  revisions: number;
  delivery: LineDelivery;
  /** For `refused`: the hub's code. */
  refusedCode?: string;
}

/** What a committed line looks like to {@link SessionRecord.commit}. */
export interface CommitLine {
  id: string;
  channel: string;
  text: string;
  source: RecordedLine['source'];
  lang?: string;
  startedAt?: number;
  audioStart?: number;
  audioEnd?: number;
  room?: string;
}

/** Options of {@link SessionRecord.open}. */
export interface SessionRecordOptions {
  /** Session directory (created if missing). */
  dir: string;
  /** Session id written in the first record. */
  sessionId: string;
  /** Called when writing fails (once per failure streak) and when it recovers (`null`). */
  onError?: (error: ErrorInfo | null) => void;
  /** Clock (tests). */
  now?: () => number;
}

/** Maps a Node errno to a message a booth operator can act on. */
function describeWriteError(code: string, file: string): ErrorInfo {
  const why =
    code === 'ENOSPC'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'the folder is not writable'
        : code === 'ENOENT'
          ? 'the folder is gone'
          : `the disk reported ${code}`;
  return {
    code: CONSOLE_ERROR_CODES.SESSION_WRITE_FAILED,
    message: `The session record cannot be saved (${why}: ${file}). Captions keep going out; the record is kept in memory until the disk is writable again.`,
  };
}

/** The journal of one session. Create with {@link SessionRecord.open}. */
export class SessionRecord {
  private readonly lines: RecordedLine[] = [];
  private readonly byId = new Map<string, RecordedLine>();
  private readonly journal: JsonlJournal<SessionRecordEntry>;
  private flushing: Promise<void> = Promise.resolve();
  private lastError: ErrorInfo | null = null;

  /** Journal file. */
  readonly file: string;
  /** Committed lines restored from the journal when it was reopened. */
  recovered = 0;
  /** Start time of the session (first record), epoch ms. */
  startedAt: number;
  /** Damage found when the journal was reopened (lines skipped; every record after them replayed), or `null`. */
  damage: Pick<JournalReplay<SessionRecordEntry>, 'damagedLines' | 'damagedCopy'> | null = null;

  private constructor(
    readonly dir: string,
    readonly sessionId: string,
    private readonly options: SessionRecordOptions,
  ) {
    this.file = join(dir, JOURNAL_FILE);
    this.startedAt = (options.now ?? Date.now)();
    // Commits retry at once (retryMs 0): the record is small, and the console wants it on disk as soon as it can.
    this.journal = new JsonlJournal<SessionRecordEntry>({
      file: this.file,
      retryMs: 0,
      onStatus: (error) => this.setError(error && describeWriteError(error.code, this.file)),
    });
  }

  /**
   * Opens (or creates) the journal of a session: replays every record, cuts a torn last one, and appends from
   * there. Never fails: an unwritable directory leaves the record in memory with `error` set.
   */
  static async open(options: SessionRecordOptions): Promise<SessionRecord> {
    const record = new SessionRecord(options.dir, options.sessionId, options);
    await record.replay();
    if (record.lines.length === 0 && record.recovered === 0 && !(await record.hasStartRecord())) {
      record.enqueue({ t: 'start', at: record.startedAt, session: options.sessionId }, true);
      await record.flushing;
    }
    return record;
  }

  /** Set while the journal cannot be written. */
  get error(): ErrorInfo | null {
    return this.lastError;
  }

  /** Committed lines per channel. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const line of this.lines) counts[line.channel] = (counts[line.channel] ?? 0) + 1;
    return counts;
  }

  /** The committed lines of a channel (or all), in commit order, corrections applied, whatever their delivery. */
  linesOf(channel?: string): RecordedLine[] {
    return this.lines.filter((l) => channel === undefined || l.channel === channel).map((l) => ({ ...l }));
  }

  /** The lines of a channel (or all) that went out or are on their way: what the exports show as sent. */
  sentLinesOf(channel?: string): RecordedLine[] {
    return this.linesOf(channel).filter((l) => l.delivery === 'unacked' || l.delivery === 'acked');
  }

  /** One line, or `null`. */
  line(id: string): RecordedLine | null {
    const line = this.byId.get(id);
    return line ? { ...line } : null;
  }

  /**
   * Records a committed line (once per id: a resend of the same id is ignored). `held`: its channel is muted, so
   * it is recorded as held in the same write. Resolves once the write settled: `true` when the line is on disk
   * (fsynced), `false` when the disk failed (it stays in memory, and `error` says so).
   */
  commit(line: CommitLine, options: { held?: boolean } = {}): Promise<boolean> {
    if (this.byId.has(line.id)) return this.saved(this.flushing);
    const at = this.now();
    const entry: SessionRecordEntry = {
      t: 'final',
      ch: line.channel,
      at,
      id: line.id,
      text: line.text,
      source: line.source,
      ...(line.lang ? { lang: line.lang } : {}),
      startedAt: Math.min(line.startedAt ?? at, at),
      ...(line.audioStart !== undefined ? { audioStart: line.audioStart } : {}),
      ...(line.audioEnd !== undefined ? { audioEnd: line.audioEnd } : {}),
      ...(line.room !== undefined ? { room: line.room } : {}),
    };
    this.apply(entry);
    if (!options.held) return this.saved(this.enqueue(entry, true));
    const held: SessionRecordEntry = { t: 'held', ch: line.channel, at, id: line.id };
    this.apply(held);
    void this.enqueue(entry, true);
    return this.saved(this.enqueue(held, true));
  }

  /** Records that the hub acknowledged a committed line (no fsync; batched with the next write). */
  markAcked(channel: string, id: string): Promise<void> {
    if (this.byId.get(id)?.delivery !== 'unacked') return this.flushing;
    const entry: SessionRecordEntry = { t: 'ack', ch: channel, at: this.now(), id };
    this.apply(entry);
    return this.enqueue(entry, false);
  }

  /** Records that the hub refused a committed line for good: not resent, not exported as sent. */
  markRefused(channel: string, id: string, code: string): Promise<void> {
    if (this.byId.get(id)?.delivery !== 'unacked') return this.flushing;
    const entry: SessionRecordEntry = { t: 'refused', ch: channel, at: this.now(), id, code: code.slice(0, 64) };
    this.apply(entry);
    return this.enqueue(entry, true);
  }

  /** Records that a line the hub refused because its channel was muted is held instead (it waits for a person). */
  markHeld(channel: string, id: string): Promise<boolean> {
    if (this.byId.get(id)?.delivery !== 'unacked') return this.saved(this.flushing);
    const entry: SessionRecordEntry = { t: 'held', ch: channel, at: this.now(), id };
    this.apply(entry);
    return this.saved(this.enqueue(entry, true));
  }

  /** Records that a held line was released (it goes out) or discarded (it never goes out). `false`: it was not held. */
  settleHeld(id: string, how: 'released' | 'discarded'): boolean {
    const line = this.byId.get(id);
    if (line?.delivery !== 'held') return false;
    const entry: SessionRecordEntry = { t: how, ch: line.channel, at: this.now(), id };
    this.apply(entry);
    void this.enqueue(entry, true);
    return true;
  }

  /** Lines held while their channel is muted, in commit order (restored after a restart: they stay held). */
  heldLines(channel?: string): RecordedLine[] {
    return this.linesOf(channel).filter((l) => l.delivery === 'held');
  }

  /**
   * Committed lines the hub never acknowledged (the console went down first), in commit order: the console
   * sends them again after a restart (the hub ignores a line it already has). Held, discarded and refused lines
   * are not among them.
   */
  unacknowledged(): RecordedLine[] {
    return this.lines.filter((l) => l.delivery === 'unacked').map((l) => ({ ...l }));
  }

  /** Records a correction of a committed line. */
  revise(channel: string, id: string, text: string): Promise<void> {
    const entry: SessionRecordEntry = { t: 'revision', ch: channel, at: this.now(), id, text };
    this.apply(entry);
    return this.enqueue(entry, true);
  }

  /** Records that a channel was cleared on the displays (its lines stay in the record). */
  clear(channel: string): Promise<void> {
    const entry: SessionRecordEntry = { t: 'clear', ch: channel, at: this.now() };
    return this.enqueue(entry, true);
  }

  /** Waits for pending writes. */
  flush(): Promise<void> {
    return this.flushing;
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flushing;
    await this.journal.close();
  }

  /**
   * A channel's record as SRT, WebVTT or plain text, times relative to the session start: the lines that went
   * out (held, discarded and refused lines never reached a display).
   */
  export(channel: string, format: ExportFormat): string {
    return formatSubtitles(this.sentLinesOf(channel), format, this.startedAt);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Whether the writes up to `written` reached the disk. */
  private async saved(written: Promise<void>): Promise<boolean> {
    await written;
    return this.journal.error === null;
  }

  private apply(entry: SessionRecordEntry): void {
    if (entry.t === 'start') {
      this.startedAt = entry.at;
    } else if (entry.t === 'final') {
      if (this.byId.has(entry.id)) return;
      const line: RecordedLine = {
        id: entry.id,
        channel: entry.ch,
        text: entry.text,
        source: entry.source,
        ...(entry.lang ? { lang: entry.lang } : {}),
        startedAt: entry.startedAt,
        committedAt: entry.at,
        ...(entry.audioStart !== undefined ? { audioStart: entry.audioStart } : {}),
        ...(entry.audioEnd !== undefined ? { audioEnd: entry.audioEnd } : {}),
        ...(entry.room !== undefined ? { room: entry.room } : {}),
        revisions: 0,
        delivery: 'unacked',
      };
      this.lines.push(line);
      this.byId.set(entry.id, line);
    } else if (entry.t === 'ack') {
      const line = this.byId.get(entry.id);
      if (line?.delivery === 'unacked') line.delivery = 'acked';
    } else if (entry.t === 'refused') {
      const line = this.byId.get(entry.id);
      if (line?.delivery === 'unacked') {
        line.delivery = 'refused';
        line.refusedCode = entry.code;
      }
    } else if (entry.t === 'held') {
      const line = this.byId.get(entry.id);
      if (line?.delivery === 'unacked') line.delivery = 'held';
    } else if (entry.t === 'released' || entry.t === 'discarded') {
      const line = this.byId.get(entry.id);
      if (line?.delivery === 'held') line.delivery = entry.t === 'released' ? 'unacked' : 'discarded';
    } else if (entry.t === 'revision') {
      const line = this.byId.get(entry.id);
      if (line && line.channel === entry.ch) {
        line.text = entry.text;
        line.revisions++;
      }
    }
  }

  private async hasStartRecord(): Promise<boolean> {
    try {
      const info = await stat(this.file);
      return info.isFile() && info.size > 0;
    } catch {
      return false;
    }
  }

  /** Replays the journal (see electron/node/jsonl-journal.ts for the torn-tail and damage policy). */
  private async replay(): Promise<void> {
    try {
      const replay = await replayJournal(this.file, (value) => {
        const parsed = sessionRecordSchema.safeParse(value);
        return parsed.success ? parsed.data : null;
      });
      for (const entry of replay.entries) this.apply(entry);
      if (replay.damagedLines.length > 0) this.damage = { damagedLines: replay.damagedLines, damagedCopy: replay.damagedCopy };
    } catch (err) {
      // A device or fifo is never replayed (it would never end); anything else unreadable is reported.
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      if (code !== 'ENOTFILE') this.setError(describeWriteError(code, this.file));
    }
    this.recovered = this.lines.length;
  }

  /** Appends a record; commits are fsynced before the promise resolves, acks are not. */
  private enqueue(entry: SessionRecordEntry, sync: boolean): Promise<void> {
    const run = this.journal.append(entry, sync ? 'fsync' : 'write');
    this.flushing = run;
    return run;
  }

  private setError(error: ErrorInfo | null): void {
    this.lastError = error;
    this.options.onError?.(error);
  }
}

/** Shortest time a cue stays up, ms. */
const MIN_CUE_MS = 1000;

/**
 * Formats committed lines as subtitles (electron/common/subtitles.ts writes them). A cue runs from the line's
 * start (its first partial) to its commit, at least {@link MIN_CUE_MS}; cues never overlap and never go back
 * (electron/common/cue-timing.ts): one ends where the next starts. A speech-to-text source's short lines are joined into
 * cues of up to two rows (`joinSpeechLines`).
 */
export function formatSubtitles(lines: readonly RecordedLine[], format: ExportFormat, origin: number): string {
  const spans = lines.map((line) => ({ startMs: line.startedAt - origin, endMs: line.committedAt - origin, text: line.text, source: line.source, lang: line.lang }));
  return writeSubtitles(sequentialCues(joinSpeechLines(spans), MIN_CUE_MS), format);
}
