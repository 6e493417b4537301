/**
 * An append-only JSONL journal of one room on disk: each committed-state change, first sight of a line id and
 * notice is one line. Writes are batched and synced in the background, in order; a failing disk is reported
 * (never thrown) and retried, and the next successful write rewrites the whole state so nothing stays missing.
 * When the journal grows past its bound it is compacted: the room's state is written to a temporary file,
 * synced and renamed over the journal.
 */
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ERROR_CODES } from '../common/protocol';
import type { ErrorInfo } from '../common/result';
import { journalEntrySchema, type JournalEntry } from './journal-schema';

/** What replay found in a journal file. */
export interface JournalContents {
  entries: JournalEntry[];
  /** Lines that could not be parsed (a torn last line after a crash, or damage) and were skipped. */
  skipped: number;
}

export interface RoomJournalOptions {
  file: string;
  /** Entries after which the journal is compacted. */
  compactAfter: number;
  /** The room's whole current state as entries (written at compaction). */
  snapshot: () => JournalEntry[];
  /** Called when a write fails (once per failure episode) and with `null` when writing works again. */
  onStatus: (error: ErrorInfo | null) => void;
  /** Delay before retrying after a failure. */
  retryMs?: number;
  /** When an appended entry counts as written: see {@link JournalSyncMode}. Default `write`. */
  syncMode?: JournalSyncMode;
}

/**
 * When the hub treats a journal entry as persisted (and so broadcasts and acknowledges the change):
 * - `write`: once the bytes are written to the file (the OS holds them: they survive the hub process being
 *   killed); `fdatasync` follows in the background, continuously, so a power loss can lose at most the last
 *   moment. A slow disk flush (other programs' heavy I/O) then does not delay captions.
 * - `fsync`: once `fdatasync` returned for the batch (survives a power loss too), at the price of the disk's
 *   flush latency on every commit.
 */
export type JournalSyncMode = 'write' | 'fsync';

/** Reads and parses a journal; a missing file is an empty journal. Unparseable lines are skipped and counted. */
export async function readJournal(file: string): Promise<JournalContents> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTFILE' });
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
    throw err;
  }
  const entries: JournalEntry[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      skipped++;
      continue;
    }
    const parsed = journalEntrySchema.safeParse(json);
    if (parsed.success) entries.push(parsed.data);
    else skipped++;
  }
  return { entries, skipped };
}

/** The writer of one room's journal. */
export class RoomJournal {
  private readonly options: RoomJournalOptions;
  private pending: Array<{ text: string; done: () => void }> = [];
  private written = 0;
  private needCompaction = true;
  private failed = false;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  private lastError: ErrorInfo | null = null;
  private unsynced = false;
  private syncing: Promise<void> | null = null;

  constructor(options: RoomJournalOptions) {
    this.options = options;
  }

  /** The last write error, or `null` while writes succeed. */
  get error(): ErrorInfo | null {
    return this.lastError;
  }

  /**
   * Queues an entry; it is written in order in the background, grouped with whatever else is queued. Resolves
   * once it is written (see {@link JournalSyncMode}), or its write failed (reported through `onStatus`; the whole state is rewritten
   * when the disk works again). Never rejects.
   */
  append(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((done) => {
      this.pending.push({ text: JSON.stringify(entry) + '\n', done });
      this.schedule();
    });
  }

  /** Rewrites the journal from the current state at the next write (also done at start). */
  requestCompaction(): void {
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

  /** Writes what is queued and stops. */
  async close(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
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
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.needCompaction) {
      const batch = this.pending;
      this.pending = [];
      if (this.failed && Date.now() < this.retryAt) {
        // The disk failed recently: do not hold captions up. The next attempt rewrites the whole state.
        for (const entry of batch) entry.done();
        this.armRetry();
        return;
      }
      try {
        if (this.needCompaction || this.failed) {
          await this.compact();
          this.needCompaction = false;
        } else {
          const syncNow = this.options.syncMode === 'fsync';
          await this.write(batch.map((e) => e.text).join(''), 'a', this.options.file, syncNow);
          if (!syncNow) this.syncInBackground();
          this.written += batch.length;
          if (this.written > this.options.compactAfter) this.needCompaction = true;
        }
        if (this.failed || this.lastError) {
          this.failed = false;
          this.lastError = null;
          this.options.onStatus(null);
        }
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const info: ErrorInfo = {
          code: ERROR_CODES.INTERNAL,
          message: `journal ${this.options.file} not written (${e.code ?? 'error'}: ${e.message}); captions continue in memory`,
        };
        const firstFailure = !this.failed;
        this.failed = true;
        // Retry by rewriting the whole state, so what this write lost is not missing from the journal.
        this.needCompaction = true;
        this.retryAt = Date.now() + (this.options.retryMs ?? 2000);
        this.lastError = info;
        if (firstFailure) this.options.onStatus(info);
      } finally {
        for (const entry of batch) entry.done();
      }
    }
  }

  private armRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.schedule();
    }, Math.max(10, this.retryAt - Date.now()));
    this.retryTimer.unref();
  }

  private async compact(): Promise<void> {
    const text = this.options
      .snapshot()
      .map((e) => JSON.stringify(e) + '\n')
      .join('');
    const tmp = `${this.options.file}.tmp`;
    await this.write(text, 'w', tmp);
    await rename(tmp, this.options.file);
    this.written = 0;
  }

  /** Syncs the journal file to the device, off the announcement path; repeats while new writes arrive. */
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
          // A failing disk is reported by the next write; nothing more to do here.
        }
      }
    })().finally(() => {
      this.syncing = null;
    });
  }

  private async write(text: string, flags: 'a' | 'w', file = this.options.file, sync = true): Promise<void> {
    let fh;
    try {
      fh = await open(file, flags);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(file), { recursive: true });
      fh = await open(file, flags);
    }
    try {
      await fh.writeFile(text, 'utf8');
      if (sync) await fh.datasync();
    } finally {
      await fh.close();
    }
  }
}
