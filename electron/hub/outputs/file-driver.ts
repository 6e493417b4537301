/**
 * Live files of a channel, for what reads files rather than speaks a protocol (an OBS text source, a vMix title,
 * a recorder, post-production):
 * - `<room>-<channel>.current.txt`: the caption on screen now (its display lines), emptied by a clear;
 * - `<room>-<channel>.srt` / `.vtt`: every caption so far, growing; a correction rewrites its cue in place
 *   (a file, unlike a stream, can be edited).
 * Every file is replaced atomically (written beside, then renamed), so a reader never sees half a file. The cues
 * are kept in `<room>-<channel>.cues.jsonl` (appended) so a restarted hub goes on with the same files; applying
 * a caption whose cue is already there does nothing (a request repeated after a crash).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { breakCaption } from '../../common/line-breaking';
import type { CaptionLine } from '../../common/protocol';
import { toSrt, toWebVtt } from '../caption-export';
import { unitsOf, type CaptionUnit, type OutgoingCaption, type OutputDriver, type SendOutcome, type ShapeResult } from './output-driver';
import { replaceFileUnsynced } from './output-progress';

export interface FileDriverOptions {
  dir: string;
  room: string;
  channel: string;
  formats?: ReadonlyArray<'srt' | 'vtt'>;
}

/** One cue as kept in the sidecar: a line id, its text at its latest revision, and its times. */
const cueSchema = z.object({ id: z.string(), revision: z.number().int(), text: z.string(), at: z.number(), kind: z.enum(['final', 'revision', 'clear']) });
type CueRecord = z.infer<typeof cueSchema>;

/** Writes a channel's live files. */
export class FileDriver implements OutputDriver {
  readonly usesSeq = false;
  private readonly options: FileDriverOptions;
  private readonly lines: CaptionLine[] = [];
  private readonly byId = new Map<string, CaptionLine>();
  private applied = new Set<string>();
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
    const records: CueRecord[] = units.map((u) => ({ id: u.caption.lineId, revision: u.caption.revision, text: u.text, at: u.at, kind: u.caption.kind }));
    return JSON.stringify(records);
  }

  async send(body: string, _seq: number, _signal: AbortSignal): Promise<SendOutcome> {
    try {
      await this.load();
      const records = z.array(cueSchema).parse(JSON.parse(body));
      const fresh = records.filter((r) => !this.applied.has(this.key(r)));
      if (fresh.length > 0) {
        await appendFile(this.file('cues.jsonl'), fresh.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
        for (const r of fresh) this.apply(r);
      }
      const last = records.at(-1);
      const current = last === undefined || last.kind === 'clear' ? '' : breakCaption(last.text, this.options.channel).join('\n') + '\n';
      await replaceFileUnsynced(this.file('current.txt'), current);
      const formats = this.options.formats ?? ['srt', 'vtt'];
      if (formats.includes('srt')) await replaceFileUnsynced(this.file('srt'), toSrt(this.lines));
      if (formats.includes('vtt')) await replaceFileUnsynced(this.file('vtt'), toWebVtt(this.lines));
      return { ok: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, code: e.code ?? 'IO', message: `files not written (${e.code ?? 'error'}: ${e.message})`, certain: false };
    }
  }

  async close(): Promise<void> {}

  private key(r: CueRecord): string {
    return r.kind === 'clear' ? `clear@${r.at}` : `${r.id}#${r.revision}`;
  }

  private apply(r: CueRecord): void {
    this.applied.add(this.key(r));
    if (r.kind === 'clear') return;
    const existing = this.byId.get(r.id);
    if (existing) {
      if (r.revision >= existing.revision) Object.assign(existing, { text: r.text, revision: r.revision, updatedAt: r.at });
      return;
    }
    const line: CaptionLine = {
      id: r.id,
      room: this.options.room,
      channel: this.options.channel,
      seq: this.lines.length + 1,
      text: r.text,
      state: 'final',
      revision: r.revision,
      source: 'typed',
      startedAt: r.at - Math.min(4000, 500 + r.text.length * 60),
      updatedAt: r.at,
      committedAt: r.at,
    };
    this.lines.push(line);
    this.byId.set(r.id, line);
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.options.dir, { recursive: true });
      let text = '';
      try {
        text = await readFile(this.file('cues.jsonl'), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      for (const raw of text.split('\n')) {
        if (raw.trim() === '') continue;
        try {
          const parsed = cueSchema.safeParse(JSON.parse(raw));
          if (parsed.success) this.apply(parsed.data);
        } catch {
          // A line torn by a crash: the request is repeated and appends it again.
        }
      }
    })().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }
}
