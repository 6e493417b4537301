/**
 * A write-ahead journal as a JSONL file: one JSON record per line, appended in order, replayed at start. The
 * hub's room journals and the console's session record are both this file format with this one policy.
 *
 * Torn tail versus damage, at replay:
 * - A record counts once its line is complete: the JSON and its `\n`. An append resolves only after its whole
 *   batch was written, so whatever follows the last record that parses (half a line, a line the crash left
 *   zero-filled or cut, several of them) was never acknowledged to anyone: it is the **torn tail** of a crash,
 *   and it is cut off the file, so the next append starts on a fresh line instead of gluing onto the fragment.
 * - A line that does not parse but is followed by records that do is **damage** (a bad sector, an edit by hand):
 *   the records after it were committed and acknowledged, so they are replayed, never dropped. The damaged
 *   lines are skipped, counted and reported, and a copy of the file as found is kept beside it
 *   (`<file>.damaged-<time>`), since compaction later rewrites the journal without them.
 *
 * Writing: appends are grouped (one write, and at most one sync, for everything queued meanwhile) and resolve
 * once written (`write`: the bytes are in the OS, they survive the process being killed; a sync follows in the
 * background) or synced (`fsync`: they survive a power loss too). A failing disk never throws at the caller: it
 * is reported through `onStatus` (once per failure streak, and `null` when writing works again) and retried.
 * A journal that can describe its whole state (`snapshot`) is compacted past `compactAfter` appends, and after a
 * failure rewrites that whole state instead of replaying the lost batch; one that cannot keeps the failed
 * records and writes them, in order, before anything newer.
 */
import { copyFile, mkdir, open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-write';

/** What replaying a journal file found. */
export interface JournalReplay<T> {
  /** The records, in file order (damaged lines left out). */
  entries: T[];
  /** Bytes cut from the end: the torn tail of a crash (nothing acknowledged was in it). */
  tornBytes: number;
  /** 1-based line numbers of damaged lines followed by good records (skipped; the records after them are kept). */
  damagedLines: number[];
  /** Where the file as found was copied when it was damaged, or `null`. */
  damagedCopy: string | null;
}

/**
 * Parses one record; returns `null` for a value that is JSON but not a record (the line then counts as bad).
 * Journals are data from outside the process (another run, a crash, a person), so parse with a schema.
 */
export type JournalRecordParser<T> = (value: unknown) => T | null;

/**
 * Reads a journal and applies the torn-tail policy of the module comment: cuts the torn tail off the file and
 * keeps a copy of a damaged one. A missing file is an empty journal; a path that is not a regular file (a
 * device, a fifo) throws, as do read errors (a journal that cannot be read must not be mistaken for an empty one).
 */
export async function replayJournal<T>(file: string, parse: JournalRecordParser<T>): Promise<JournalReplay<T>> {
  let raw: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTFILE' });
    raw = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], tornBytes: 0, damagedLines: [], damagedCopy: null };
    throw err;
  }
  const { entries, bad, goodEnd } = scanRecords(raw, parse);
  // Bad lines before the last good record are damage; the rest of the file after it is the torn tail.
  const lastGoodLine = countLines(raw, goodEnd);
  const damagedLines = bad.filter((n) => n <= lastGoodLine);
  const tornBytes = raw.length - goodEnd;
  let damagedCopy: string | null = null;
  if (damagedLines.length > 0) {
    damagedCopy = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await copyFile(file, damagedCopy);
  }
  if (tornBytes > 0) await truncate(file, goodEnd);
  return { entries, tornBytes, damagedLines, damagedCopy };
}

/**
 * Reads a journal's complete records without touching the file (no torn-tail cut, no damaged copy): for readers
 * beside the running writer, where the last line may be half written. A missing file has no records.
 */
export async function readJournalRecords<T>(file: string, parse: JournalRecordParser<T>): Promise<T[]> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return scanRecords(raw, parse).entries;
}

/** The records of complete lines, the line numbers of bad ones, and the byte offset after the last good record. */
function scanRecords<T>(raw: Buffer, parse: JournalRecordParser<T>): { entries: T[]; bad: number[]; goodEnd: number } {
  const entries: T[] = [];
  const bad: number[] = [];
  let goodEnd = 0;
  let offset = 0;
  let lineNo = 0;
  while (offset < raw.length) {
    const nl = raw.indexOf(0x0a, offset);
    if (nl < 0) break;
    lineNo++;
    const text = raw.subarray(offset, nl).toString('utf8');
    offset = nl + 1;
    if (text.trim() === '') continue;
    const record = parseLine(text, parse);
    if (record === null) {
      bad.push(lineNo);
      continue;
    }
    entries.push(record);
    goodEnd = offset;
  }
  return { entries, bad, goodEnd };
}

function parseLine<T>(text: string, parse: JournalRecordParser<T>): T | null {
  try {
    return parse(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Number of `\n` in the first `end` bytes. */
function countLines(raw: Buffer, end: number): number {
  let n = 0;
  for (let i = raw.indexOf(0x0a); i >= 0 && i < end; i = raw.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** When an appended record counts as persisted; see the module comment. */
export type JournalDurability = 'write' | 'fsync';

/** A write that failed, as the journal reports it. */
export interface JournalWriteError {
  /** The errno code (`ENOSPC`, `EACCES`, `ENOTDIR`...), or `EIO` when there was none. */
  code: string;
  /** The system's message, with the path. */
  message: string;
}

/** Options of a {@link JsonlJournal}. */
export interface JsonlJournalOptions<T> {
  /** The journal file; its directory is created when missing. */
  file: string;
  /** Permission bits of a new journal file. Default `0o600`. */
  mode?: number;
  /**
   * The whole current state as records. With it the journal is compacted (rewritten atomically from the
   * state) after `compactAfter` appends and when {@link JsonlJournal.requestCompaction} asks, and a failed write
   * is repaired by rewriting the whole state.
   */
  snapshot?: () => readonly T[];
  /** Appends after which a journal with `snapshot` is compacted. Default 1000. */
  compactAfter?: number;
  /** Called at the first failure of a streak, and with `null` once writing works again. */
  onStatus?: (error: JournalWriteError | null) => void;
  /**
   * After a failure, appends during this many ms do not touch the disk (so a dead disk does not hold captions
   * up) and a timer retries at the end. 0: every append retries at once. Default 2000.
   */
  retryMs?: number;
}

interface Pending {
  text: string;
  sync: boolean;
  done: () => void;
}

/** The writer of one JSONL journal; see the module comment. */
export class JsonlJournal<T> {
  private readonly options: JsonlJournalOptions<T>;
  private pending: Pending[] = [];
  /** Records of failed writes kept for the next attempt (journals without `snapshot`). */
  private backlog: string[] = [];
  private appended = 0;
  private needCompaction = false;
  private failed = false;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private syncing: Promise<void> | null = null;
  private unsynced = false;
  private closed = false;
  private lastError: JournalWriteError | null = null;

  constructor(options: JsonlJournalOptions<T>) {
    this.options = options;
  }

  /** The journal file. */
  get file(): string {
    return this.options.file;
  }

  /** The error of the current failure streak, or `null` while writes succeed. */
  get error(): JournalWriteError | null {
    return this.lastError;
  }

  /**
   * Queues a record. Resolves once it is written (and synced, for `fsync`), or once its write failed (reported
   * through `onStatus`; the record is retried). Never rejects.
   */
  append(record: T, durability: JournalDurability = 'write'): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((done) => {
      this.pending.push({ text: `${JSON.stringify(record)}\n`, sync: durability === 'fsync', done });
      this.schedule();
    });
  }

  /** Rewrites the journal from `snapshot` at the next write (a journal opened on old records compacts at start). */
  requestCompaction(): void {
    if (!this.options.snapshot) return;
    this.needCompaction = true;
    this.schedule();
  }

  /** Resolves when everything queued so far was written and synced (or failed). */
  async flush(): Promise<void> {
    while (this.draining || this.syncing) {
      if (this.draining) await this.draining;
      if (this.syncing) await this.syncing;
    }
  }

  /** Writes what is queued (retrying a failure once more, at once) and closes the file. */
  async close(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = 0;
    this.schedule();
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private schedule(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // An append made while the last batch was being resolved found `draining` still set.
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.needCompaction || this.backlog.length > 0) {
      const batch = this.pending;
      this.pending = [];
      if (this.failed && Date.now() < this.retryAt) {
        // The disk failed a moment ago: do not hold anyone up; the retry writes what is missing.
        if (!this.options.snapshot) this.backlog.push(...batch.map((p) => p.text));
        for (const p of batch) p.done();
        this.armRetry();
        return;
      }
      const texts = [...this.backlog, ...batch.map((p) => p.text)];
      try {
        if (this.options.snapshot && (this.needCompaction || this.failed)) {
          await this.compact();
        } else if (texts.length > 0) {
          const sync = batch.some((p) => p.sync);
          await this.write(texts.join(''), sync);
          if (!sync) this.syncInBackground();
          this.appended += texts.length;
          if (this.options.snapshot && this.appended > (this.options.compactAfter ?? 1000)) this.needCompaction = true;
        }
        this.backlog = [];
        if (this.failed || this.lastError) {
          this.failed = false;
          this.lastError = null;
          this.options.onStatus?.(null);
        }
      } catch (err) {
        if (this.options.snapshot) this.needCompaction = true;
        else this.backlog = texts;
        const e = err as NodeJS.ErrnoException;
        const info: JournalWriteError = { code: e.code ?? 'EIO', message: e.message ?? String(err) };
        const first = !this.failed;
        this.failed = true;
        this.retryAt = Date.now() + (this.options.retryMs ?? 2000);
        this.lastError = info;
        if (first) this.options.onStatus?.(info);
        if (this.retryAt > Date.now()) this.armRetry();
      } finally {
        for (const p of batch) p.done();
      }
      // Without a snapshot and without a retry window, a failure waits for the next append (or close).
      if (this.failed && this.pending.length === 0) return;
    }
  }

  /**
   * Appends to the file, opened for this batch only: a journal deleted or replaced under the running process
   * (a cleaned data folder, a disk swapped) is noticed at the next write instead of feeding a lost inode.
   */
  private async write(text: string, sync: boolean): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.options.file, 'a', this.options.mode ?? 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(this.options.file), { recursive: true });
      fh = await open(this.options.file, 'a', this.options.mode ?? 0o600);
    }
    try {
      await fh.writeFile(text, 'utf8');
      if (sync) await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  private async compact(): Promise<void> {
    const text = (this.options.snapshot?.() ?? []).map((r) => `${JSON.stringify(r)}\n`).join('');
    await mkdir(dirname(this.options.file), { recursive: true });
    await writeFileAtomic(this.options.file, text, { mode: this.options.mode ?? 0o600, tempPath: `${this.options.file}.tmp` });
    this.needCompaction = false;
    this.appended = 0;
  }

  private armRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.needCompaction ||= this.failed && this.options.snapshot !== undefined;
      if (this.backlog.length > 0 || this.needCompaction) this.schedule();
    }, Math.max(10, this.retryAt - Date.now()));
    this.retryTimer.unref();
  }

  /** Syncs the file to the device off the announcement path; repeats while new writes arrive. */
  private syncInBackground(): void {
    this.unsynced = true;
    if (this.syncing) return;
    this.syncing = (async () => {
      while (this.unsynced) {
        this.unsynced = false;
        try {
          const fh = await open(this.options.file, 'r');
          try {
            await fh.datasync();
          } finally {
            await fh.close();
          }
        } catch {
          // A failing disk shows at the next write; nothing more to do here.
        }
      }
    })().finally(() => {
      this.syncing = null;
    });
  }
}
