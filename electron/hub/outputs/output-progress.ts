/**
 * What an output remembers across a restart (and hands to the node that takes it over): the platform `seq` last
 * accepted, the channel position settled so far, the request in flight (written before it is sent, so a
 * restarted hub sends it again unchanged rather than skipping or renumbering it), counters and the operator's
 * enable switch.
 *
 * Stores: in memory (no data directory), an atomically rewritten JSON file per output in the hub's data
 * directory, or Redis (output-lease.ts) where only the lease holder may write.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../node/atomic-write';
import type { CaptionUnit } from './output-driver';

/** The persisted state of one output. */
export interface OutputProgress {
  /** Platform sequence number last accepted (0: none yet). */
  seq: number;
  /** Every change of the channel with a cursor up to this one is settled (delivered, dropped or ignored). */
  cursor: number;
  /** Units settled beyond `cursor` (a coalesced request can settle later changes before an earlier one's last part). */
  done: Array<[unitId: string, cursor: number]>;
  /** The request written before it was sent; cleared once the target answered for it. */
  inflight: { seq: number; body: string; units: CaptionUnit[] } | null;
  /** Counters (they survive a restart so totals stay true). */
  counters: { delivered: number; stale: number; overflow: number; refused: number; retries: number };
  lastCaptionAt: number | null;
  /** The operator's switch; `undefined` follows the configuration. */
  enabled?: boolean;
}

export const outputProgressSchema: z.ZodType<OutputProgress> = z.object({
  seq: z.number().int().nonnegative(),
  cursor: z.number().int().nonnegative(),
  done: z.array(z.tuple([z.string(), z.number().int()])),
  inflight: z
    .object({
      seq: z.number().int().nonnegative(),
      body: z.string(),
      units: z.array(
        z.object({
          id: z.string(),
          caption: z.object({ kind: z.enum(['final', 'revision', 'clear']), lineId: z.string(), revision: z.number().int().nonnegative() }),
          text: z.string(),
          at: z.number(),
          startedAt: z.number().optional(),
          cursor: z.number().int(),
          part: z.number().int().positive(),
          parts: z.number().int().positive(),
        }),
      ),
    })
    .nullable(),
  counters: z.object({
    delivered: z.number().int().nonnegative(),
    stale: z.number().int().nonnegative(),
    overflow: z.number().int().nonnegative(),
    refused: z.number().int().nonnegative(),
    retries: z.number().int().nonnegative(),
  }),
  lastCaptionAt: z.number().nullable(),
  enabled: z.boolean().optional(),
});

/** A fresh output's state. */
export function emptyProgress(): OutputProgress {
  return { seq: 0, cursor: 0, done: [], inflight: null, counters: { delivered: 0, stale: 0, overflow: 0, refused: 0, retries: 0 }, lastCaptionAt: null };
}

/** Where outputs keep their progress. */
export interface OutputProgressStore {
  /** The saved state, or `null` for an output never run. */
  load(id: string): Promise<OutputProgress | null>;
  /** Saves; `false` when this node may no longer write it (it lost the output's lease). Throws on I/O failure. */
  save(id: string, progress: OutputProgress): Promise<boolean>;
}

/** Progress in memory only (a hub without a data directory). */
export class MemoryProgressStore implements OutputProgressStore {
  private readonly saved = new Map<string, string>();
  async load(id: string): Promise<OutputProgress | null> {
    const text = this.saved.get(id);
    return text === undefined ? null : (JSON.parse(text) as OutputProgress);
  }
  async save(id: string, progress: OutputProgress): Promise<boolean> {
    this.saved.set(id, JSON.stringify(progress));
    return true;
  }
}

/**
 * Replaces `file` with `text` so a reader (or a restart after the hub was killed) sees the old content or the new,
 * never a torn mix: a temporary file beside it, then a rename over it. Unlike electron/node's `writeFileAtomic` it
 * does not wait for the disk flush: this runs before every platform request and every live-file update, where an
 * fsync under other programs' I/O would cost seconds of caption latency; the guarantee is the journal's default
 * `write` mode (survives the process, not a power cut).
 */
export async function replaceFileUnsynced(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

/** One JSON file per output in `<dataDir>/outputs/`, rewritten atomically. */
export class FileProgressStore implements OutputProgressStore {
  private readonly dir: string;
  private made = false;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'outputs');
  }

  async load(id: string): Promise<OutputProgress | null> {
    let text: string;
    try {
      text = await readFile(this.file(id), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const parsed = outputProgressSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.file(id)} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  async save(id: string, progress: OutputProgress): Promise<boolean> {
    if (!this.made) {
      await mkdir(this.dir, { recursive: true });
      this.made = true;
    }
    await replaceFileUnsynced(this.file(id), JSON.stringify(progress));
    return true;
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}

/** Where the operator's enable/disable switches live (shared by all nodes). */
export interface OutputSwitches {
  get(id: string): Promise<boolean | undefined>;
  set(id: string, enabled: boolean): Promise<void>;
}

/** Switches of a single node (kept in its progress store's directory by the caller, or in memory). */
export class MemorySwitches implements OutputSwitches {
  private readonly values = new Map<string, boolean>();
  async get(id: string): Promise<boolean | undefined> {
    return this.values.get(id);
  }
  async set(id: string, enabled: boolean): Promise<void> {
    this.values.set(id, enabled);
  }
}

/** Switches of a single node, in `<dataDir>/outputs/switches.json` (they survive a restart). */
export class FileSwitches implements OutputSwitches {
  private readonly file: string;
  private values: Map<string, boolean> | null = null;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'outputs', 'switches.json');
  }

  async get(id: string): Promise<boolean | undefined> {
    return (await this.load()).get(id);
  }

  async set(id: string, enabled: boolean): Promise<void> {
    const values = await this.load();
    values.set(id, enabled);
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(values)));
  }

  private async load(): Promise<Map<string, boolean>> {
    if (this.values) return this.values;
    const values = new Map<string, boolean>();
    try {
      const json = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, unknown>;
      for (const [k, v] of Object.entries(json)) if (typeof v === 'boolean') values.set(k, v);
    } catch {
      // No switch flipped yet (or an unreadable file): the configuration decides.
    }
    this.values = values;
    return values;
  }
}
