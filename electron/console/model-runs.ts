/**
 * How each model's last run on this machine went (`model-runs.json` in the data dir): the realtime verdict its
 * stream reached (keeps up, tight, behind), its share of decoding time and the glossary terms its prompt carried,
 * keyed by the model's file name. The settings' model list and the floor panel show it before a source starts, so
 * an operator choosing a model the day before an event sees whether this machine kept up with it.
 *
 * A missing or damaged file is an empty record: it is guidance, never a reason not to start.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { SttModelRun, SttRealtime } from '../common/stt-protocol';
import type { CoreLogger } from './console-context';
import { SerialFileWriter } from '../node/atomic-write';

/** File name of the record inside the data dir. */
export const MODEL_RUNS_FILE = 'model-runs.json';
/** Models remembered (the most recent runs). */
const MAX_MODELS = 50;

const entrySchema = z.object({
  verdict: z.enum(['keeps-up', 'tight', 'behind']),
  rtf: z.number().nonnegative(),
  glossaryTerms: z.number().int().nonnegative().optional(),
  at: z.number().nonnegative(),
  /** The Model setting the run was started with (a catalog name, a file name or a path). */
  setting: z.string(),
});
type Entry = z.infer<typeof entrySchema>;
const fileSchema = z.record(z.string(), entrySchema);

/** The record of model runs. Load with {@link ModelRuns.load}. */
export class ModelRuns {
  private readonly writer: SerialFileWriter;

  private constructor(
    file: string,
    private readonly runs: Map<string, Entry>,
    logger: CoreLogger,
  ) {
    this.writer = new SerialFileWriter(file, (err) => logger.warn('model runs record not saved', { code: err.code }));
  }

  static async load(dataDir: string, logger: CoreLogger): Promise<ModelRuns> {
    const file = join(dataDir, MODEL_RUNS_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('model runs record unreadable: starting an empty one', { code: (err as NodeJS.ErrnoException).code });
      return new ModelRuns(file, new Map(), logger);
    }
    let parsed: ReturnType<typeof fileSchema.safeParse> | null = null;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch {
      // Not JSON: damaged, as below.
    }
    if (parsed?.success) return new ModelRuns(file, new Map(Object.entries(parsed.data)), logger);
    logger.warn('model runs record damaged: starting an empty one', {});
    return new ModelRuns(file, new Map(), logger);
  }

  /** The last run of the model file `file` (a file name), if any. */
  get(file: string): SttModelRun | undefined {
    const entry = this.runs.get(file);
    return entry ? modelRun(entry) : undefined;
  }

  /**
   * The last run of the model the Model setting `setting` names: its file's, or the latest run started with that
   * setting (a catalog name, or empty: the default model, whichever file it was).
   */
  forSetting(setting: string): (SttModelRun & { model: string }) | undefined {
    const byFile = this.runs.get(basename(setting));
    const [file, entry] = byFile ? [basename(setting), byFile] : ([...this.runs].findLast(([, e]) => e.setting === setting) ?? []);
    return file && entry ? { model: file, ...modelRun(entry) } : undefined;
  }

  /**
   * Notes a realtime report of a stream on the model at `modelPath`, started with the Model setting `setting`.
   * Returns true when the record changed (a verdict reached or changed, or its share moved): nothing is written for
   * `measuring` or for the same report again.
   */
  note(modelPath: string, setting: string, r: SttRealtime, now = Date.now()): boolean {
    if (r.verdict === 'measuring') return false;
    const file = basename(modelPath);
    const rtf = Math.round(r.rtf * 100) / 100;
    const before = this.runs.get(file);
    if (before && before.verdict === r.verdict && before.rtf === rtf && before.glossaryTerms === r.glossaryTerms && before.setting === setting) return false;
    this.runs.delete(file); // re-inserted last: the map's order is the order of the runs
    this.runs.set(file, { verdict: r.verdict, rtf, ...(r.glossaryTerms !== undefined ? { glossaryTerms: r.glossaryTerms } : {}), at: now, setting });
    while (this.runs.size > MAX_MODELS) this.runs.delete(this.runs.keys().next().value!);
    void this.writer.write(() => `${JSON.stringify(Object.fromEntries(this.runs))}\n`);
    return true;
  }

  /** Resolves once every write so far is on disk (or has failed and been logged). */
  flushed(): Promise<void> {
    return this.writer.flushed();
  }
}

function modelRun(e: Entry): SttModelRun {
  return { verdict: e.verdict, rtf: e.rtf, ...(e.glossaryTerms !== undefined ? { glossaryTerms: e.glossaryTerms } : {}), at: e.at };
}
