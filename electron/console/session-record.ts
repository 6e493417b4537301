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
import { writeSubtitles, type ExportFormat, type SubtitleCue } from '../common/subtitles';
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
  }),
  z.strictObject({ t: z.literal('revision'), ...baseFields, id: idSchema, text: z.string() }),
  z.strictObject({ t: z.literal('clear'), ...baseFields }),
  /** The hub acknowledged a committed line (written without fsync: losing one only causes a harmless resend). */
  z.strictObject({ t: z.literal('ack'), ...baseFields, id: idSchema }),
]);
export type SessionRecordEntry = z.infer<typeof sessionRecordSchema>;

/** A committed line of the record, with its corrections applied. */
export interface RecordedLine {
  id: string;
  channel: string;
  text: string;
  source: (typeof CAPTION_SOURCES)[number];
  lang?: string;
  startedAt: number;
  committedAt: number;
  revisions: number;
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
  private readonly acked = new Set<string>();
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

  /** The committed lines of a channel (or all), in commit order, corrections applied. */
  linesOf(channel?: string): RecordedLine[] {
    return this.lines.filter((l) => channel === undefined || l.channel === channel).map((l) => ({ ...l }));
  }

  /** Records a committed line (once per id: a resend of the same id is ignored). Resolves after the fsync. */
  commit(line: { id: string; channel: string; text: string; source: RecordedLine['source']; lang?: string; startedAt?: number }): Promise<void> {
    if (this.byId.has(line.id)) return this.flushing;
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
    };
    this.apply(entry);
    return this.enqueue(entry, true);
  }

  /** Records that the hub acknowledged a committed line (no fsync; batched with the next write). */
  markAcked(channel: string, id: string): Promise<void> {
    if (!this.byId.has(id) || this.acked.has(id)) return this.flushing;
    const entry: SessionRecordEntry = { t: 'ack', ch: channel, at: this.now(), id };
    this.apply(entry);
    return this.enqueue(entry, false);
  }

  /**
   * Committed lines the hub never acknowledged (the console went down first), in commit order: the console
   * sends them again after a restart (the hub ignores a line it already has).
   */
  unacknowledged(): RecordedLine[] {
    return this.lines.filter((l) => !this.acked.has(l.id)).map((l) => ({ ...l }));
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

  /** A channel's record as SRT, WebVTT or plain text, times relative to the session start. */
  export(channel: string, format: ExportFormat): string {
    return formatSubtitles(this.linesOf(channel), format, this.startedAt);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
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
        revisions: 0,
      };
      this.lines.push(line);
      this.byId.set(entry.id, line);
    } else if (entry.t === 'ack') {
      this.acked.add(entry.id);
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
 * start (its first partial) to its commit, at least {@link MIN_CUE_MS}, and ends no later than the next cue
 * starts (when that is later than its own start).
 */
export function formatSubtitles(lines: readonly RecordedLine[], format: ExportFormat, origin: number): string {
  const cues = lines.map((line, i): SubtitleCue => {
    const startMs = line.startedAt - origin;
    let endMs = Math.max(line.committedAt - origin, startMs + MIN_CUE_MS);
    const next = lines[i + 1];
    if (next) {
      const nextStart = next.startedAt - origin;
      if (nextStart > startMs && nextStart < endMs) endMs = nextStart;
    }
    return { startMs, endMs, text: line.text };
  });
  return writeSubtitles(cues, format);
}
