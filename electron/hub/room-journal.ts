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
}

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
  private pending: string[] = [];
  private written = 0;
  private needCompaction = true;
  private failed = false;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  private lastError: ErrorInfo | null = null;

  constructor(options: RoomJournalOptions) {
    this.options = options;
  }

  /** The last write error, or `null` while writes succeed. */
  get error(): ErrorInfo | null {
    return this.lastError;
  }

  /** Queues an entry; it is written in order in the background. */
  append(entry: JournalEntry): void {
    if (this.closed) return;
    this.pending.push(JSON.stringify(entry) + '\n');
    this.schedule();
  }

  /** Rewrites the journal from the current state at the next write (also done at start). */
  requestCompaction(): void {
    this.needCompaction = true;
    this.schedule();
  }

  /** Resolves when everything queued so far was written (or failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
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
      if (this.failed && Date.now() < this.retryAt) {
        this.armRetry();
        return;
      }
      try {
        if (this.needCompaction || this.failed) {
          this.pending = [];
          await this.compact();
          this.needCompaction = false;
        } else {
          const batch = this.pending.join('');
          const count = this.pending.length;
          this.pending = [];
          await this.write(batch, 'a');
          this.written += count;
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
        this.retryAt = Date.now() + (this.options.retryMs ?? 2000);
        this.lastError = info;
        if (firstFailure) this.options.onStatus(info);
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

  private async write(text: string, flags: 'a' | 'w', file = this.options.file): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const fh = await open(file, flags);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }
}
