/**
 * Live files of a channel, for what reads files rather than speaks a protocol (an OBS text source, a vMix title,
 * a recorder, post-production):
 * - `<room>-<channel>.current.txt`: the caption on screen now (its display lines), emptied by a clear;
 * - `<room>-<channel>.srt` / `.vtt`: every caption so far, growing; a correction rewrites its cue in place
 *   (a file, unlike a stream, can be edited). Written by the one subtitle writer (electron/common/subtitles.ts)
 *   with the hub export's cue times (caption-export.ts), so the live file and `/export/...` agree.
 *
 * The cues are the record: `<room>-<channel>.cues.jsonl`, a JSONL journal (electron/node/jsonl-journal.ts)
 * appended and synced to the disk before a request counts as written, so a restarted hub (after a power cut too)
 * goes on with the same files. Applying a caption whose cue is already there does nothing (a request repeated
 * after a crash). The three views are rebuilt from the cues and replaced atomically (written beside, then
 * renamed), so a reader never sees half a file; they are not synced (the next caption rewrites them).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { breakCaption } from '../../common/line-breaking';
import { CAPTION_SOURCES } from '../../common/protocol';
import { writeSubtitles } from '../../common/subtitles';
import { JsonlJournal, replayJournal } from '../../node/jsonl-journal';
import { lineCues, type CueSourceLine } from '../caption-export';
import { unitsOf, type CaptionUnit, type OutgoingCaption, type OutputDriver, type SendOutcome, type ShapeResult } from './output-driver';
import { replaceFileUnsynced } from './output-progress';

export interface FileDriverOptions {
  dir: string;
  room: string;
  channel: string;
  formats?: ReadonlyArray<'srt' | 'vtt'>;
}

/** One cue as kept in the sidecar: a line id, its text at a revision, and its times. */
const cueSchema = z.object({
  id: z.string(),
  revision: z.number().int(),
  text: z.string(),
  at: z.number(),
  start: z.number().optional(),
  /** Where the line came from (absent in journals written before it was noted: a cue per line). */
  source: z.enum(CAPTION_SOURCES).optional(),
  kind: z.enum(['final', 'revision', 'clear']),
});
type CueRecord = z.infer<typeof cueSchema>;

/** A line's reading time, for a cue whose start the caption did not carry. */
function readingMs(text: string): number {
  return Math.min(4000, 500 + text.length * 60);
}

/** Writes a channel's live files. */
export class FileDriver implements OutputDriver {
  readonly usesSeq = false;
  private readonly options: FileDriverOptions;
  private readonly lines: Array<CueSourceLine & { id: string; revision: number }> = [];
  private readonly byId = new Map<string, CueSourceLine & { id: string; revision: number }>();
  private readonly records: CueRecord[] = [];
  private readonly applied = new Set<string>();
  private journal: JsonlJournal<CueRecord> | null = null;
  private loaded: Promise<void> | null = null;

  constructor(options: FileDriverOptions) {
    this.options = options;
  }

  /** Path of one of the files (`current.txt`, `srt`, `vtt`, `cues.jsonl`). */
  file(suffix: string): string {
    return join(this.options.dir, `${this.options.room}-${this.options.channel}.${suffix}`);
  }

  shape(caption: OutgoingCaption): ShapeResult {
    return { units: unitsOf(caption, [caption.text]) };
  }

  pack(units: readonly CaptionUnit[]): number {
    return units.length;
  }

  prepare(units: readonly CaptionUnit[], _seq: number): string {
    const records: CueRecord[] = units.map((u) => ({
      id: u.caption.lineId,
      revision: u.caption.revision,
      text: u.text,
      at: u.at,
      ...(u.startedAt !== undefined ? { start: u.startedAt } : {}),
      ...(u.source !== undefined ? { source: u.source } : {}),
      kind: u.caption.kind,
    }));
    return JSON.stringify(records);
  }

  async send(body: string, _seq: number, _signal: AbortSignal): Promise<SendOutcome> {
    try {
      const journal = await this.load();
      const records = z.array(cueSchema).parse(JSON.parse(body));
      const fresh = records.filter((r) => !this.applied.has(this.key(r)));
      for (const r of fresh) this.apply(r);
      // Applied in memory at once: after a failed write the journal rewrites its whole state (the snapshot), so a
      // retry of this request only waits for that.
      if (journal.error) journal.requestCompaction();
      await Promise.all(fresh.map((r) => journal.append(r, 'fsync')));
      await journal.flush();
      const error = journal.error;
      if (error) return { ok: false, code: error.code, message: `cue journal not written (${error.code}: ${error.message})`, certain: false };
      const last = records.at(-1);
      const current = last === undefined || last.kind === 'clear' ? '' : breakCaption(last.text, this.options.channel).join('\n') + '\n';
      await replaceFileUnsynced(this.file('current.txt'), current);
      await this.writeViews();
      return { ok: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, code: e.code ?? 'IO', message: `files not written (${e.code ?? 'error'}: ${e.message})`, certain: false };
    }
  }

  async close(): Promise<void> {
    await this.journal?.close();
  }

  private async writeViews(): Promise<void> {
    const formats = this.options.formats ?? ['srt', 'vtt'];
    const cues = lineCues(this.lines);
    for (const format of formats) await replaceFileUnsynced(this.file(format), writeSubtitles(cues, format));
  }

  private key(r: CueRecord): string {
    return r.kind === 'clear' ? `clear@${r.at}` : `${r.id}#${r.revision}`;
  }

  private apply(r: CueRecord): void {
    this.applied.add(this.key(r));
    this.records.push(r);
    if (r.kind === 'clear') return;
    const existing = this.byId.get(r.id);
    if (existing) {
      if (r.revision >= existing.revision) Object.assign(existing, { text: r.text, revision: r.revision, updatedAt: r.at });
      return;
    }
    const line = {
      id: r.id,
      revision: r.revision,
      text: r.text,
      startedAt: r.start ?? r.at - readingMs(r.text),
      updatedAt: r.at,
      committedAt: r.at,
      lang: this.options.channel,
      ...(r.source !== undefined ? { source: r.source } : {}),
    };
    this.lines.push(line);
    this.byId.set(r.id, line);
  }

  /** Replays the cue journal once (a torn last record of a crash is cut: its request is repeated). */
  private load(): Promise<JsonlJournal<CueRecord>> {
    this.loaded ??= (async () => {
      const file = this.file('cues.jsonl');
      await mkdir(this.options.dir, { recursive: true });
      const replay = await replayJournal(file, (value) => {
        const parsed = cueSchema.safeParse(value);
        return parsed.success ? parsed.data : null;
      });
      for (const r of replay.entries) if (!this.applied.has(this.key(r))) this.apply(r);
      this.journal = new JsonlJournal<CueRecord>({ file, mode: 0o644, snapshot: () => this.records, compactAfter: 100_000, retryMs: 0 });
    })().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded.then(() => this.journal!);
  }
}
