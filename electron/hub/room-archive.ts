/**
 * The whole record of a room's committed lines, for exports: every line committed since the record began, at its
 * latest revision, in commit order. The kept history (`--history-limit` lines per channel) bounds memory and
 * display catch-up; it does not bound this.
 *
 * With a data directory the record is an append-only JSONL file beside the room journal
 * (`<room>.archive.jsonl`, one line per commit or revision, never compacted), read when an export asks, so the
 * hub's memory does not grow with the session. Without one it is kept in memory, up to
 * {@link MEMORY_ARCHIVE_LIMIT} lines per channel.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { CaptionLine } from '../common/protocol';
import type { ErrorInfo } from '../common/result';
import { ERROR_CODES } from '../common/hub-errors';
import { JsonlJournal, readJournalRecords, replayJournal, type JournalWriteError } from '../node/jsonl-journal';
import { captionLineSchema } from './journal-schema';

/** Lines per channel a hub without a data directory keeps for exports. */
export const MEMORY_ARCHIVE_LIMIT = 100_000;

/** Archive file of a room inside the data directory. */
export function archiveFile(dataDir: string, room: string): string {
  return join(dataDir, `${room}.archive.jsonl`);
}

const archiveRecordSchema = z.object({ t: z.literal('line'), line: captionLineSchema });
type ArchiveRecord = { t: 'line'; line: CaptionLine };
const parseRecord = (value: unknown): ArchiveRecord | null => {
  const parsed = archiveRecordSchema.safeParse(value);
  return parsed.success ? (parsed.data as ArchiveRecord) : null;
};

/**
 * A channel's whole record from its recorded lines (commit order, a line again for each revision) and its kept
 * history (the latest commits, latest revisions): the recorded lines the kept history no longer holds, then the
 * kept history. Every line not kept was committed before every kept one.
 */
export function mergeRecord(recorded: Iterable<CaptionLine>, kept: readonly CaptionLine[]): CaptionLine[] {
  const keptIds = new Set(kept.map((l) => l.id));
  const older = new Map<string, CaptionLine>();
  for (const line of recorded) if (!keptIds.has(line.id)) older.set(line.id, line);
  return [...older.values(), ...kept];
}

function archiveWriteError(file: string, error: JournalWriteError): ErrorInfo {
  return { code: ERROR_CODES.INTERNAL, message: `archive ${file} not written (${error.code}: ${error.message}); exports may miss lines until it is` };
}

/** Options of {@link RoomArchive}. */
export interface RoomArchiveOptions {
  room: string;
  /** Data directory; omitted keeps the record in memory. */
  dataDir?: string;
  /** Called when the archive file cannot be written (`error`) or can again (`null`). */
  onStatus?: (error: ErrorInfo | null) => void;
}

/** One room's record of committed lines. */
export class RoomArchive {
  private readonly journal: JsonlJournal<ArchiveRecord> | null;
  /** Without a data directory: lines by id per channel, in commit order. */
  private readonly memory = new Map<string, Map<string, CaptionLine>>();

  constructor(private readonly options: RoomArchiveOptions) {
    const { dataDir } = options;
    const file = dataDir === undefined ? null : archiveFile(dataDir, options.room);
    this.journal =
      file === null
        ? null
        : new JsonlJournal<ArchiveRecord>({
            file,
            onStatus: (error) => options.onStatus?.(error && archiveWriteError(file, error)),
          });
  }

  /**
   * Opens the record: cuts a torn last line of a crash (so appends start on a fresh line) and, for a room whose
   * record is new (a data folder from before the archive), starts it with the lines the journal kept.
   */
  async open(kept: readonly CaptionLine[]): Promise<void> {
    if (!this.journal) {
      for (const line of kept) this.record(line);
      return;
    }
    const replay = await replayJournal(this.journal.file, parseRecord);
    if (replay.entries.length === 0) for (const line of kept) this.record(line);
  }

  /** The current write failure of the archive file, or `null`. */
  get error(): ErrorInfo | null {
    const error = this.journal?.error;
    return error ? archiveWriteError(this.journal!.file, error) : null;
  }

  /** Records a committed or revised line (its latest version). */
  record(line: CaptionLine): void {
    if (this.journal) {
      void this.journal.append({ t: 'line', line });
      return;
    }
    let lines = this.memory.get(line.channel);
    if (!lines) this.memory.set(line.channel, (lines = new Map()));
    lines.set(line.id, line);
    if (lines.size > MEMORY_ARCHIVE_LIMIT) lines.delete(lines.keys().next().value!);
  }

  /**
   * Every committed line of `channel`, latest revision, in commit order: the recorded lines older than `kept` (the
   * channel's kept history: its latest commits), then `kept`, which also fills in what a failed write left out.
   */
  async lines(channel: string, kept: readonly CaptionLine[]): Promise<CaptionLine[]> {
    let recorded: Iterable<CaptionLine>;
    if (this.journal) {
      await this.journal.flush();
      recorded = (await readJournalRecords(this.journal.file, parseRecord)).map((r) => r.line).filter((l) => l.channel === channel);
    } else {
      recorded = this.memory.get(channel)?.values() ?? [];
    }
    return mergeRecord(recorded, kept);
  }

  /** Writes what is queued. */
  flush(): Promise<void> {
    return this.journal?.flush() ?? Promise.resolve();
  }

  close(): Promise<void> {
    return this.journal?.close() ?? Promise.resolve();
  }
}
