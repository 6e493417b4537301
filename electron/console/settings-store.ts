/**
 * The console's settings on disk: one JSON file in the data dir, written atomically (temp file, fsync, rename)
 * so a crash mid-write leaves the previous version. The secret is stored (the console needs it to reconnect)
 * but never logged and never handed to the page: {@link redactSettings} replaces it with `hasSecret`.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { redactOutputCredentials } from '../common/caption-outputs';
import { fail, ok, type Result } from '../common/result';
import { writeFileAtomic } from '../node/atomic-write';
import {
  CONSOLE_ERROR_CODES,
  DEFAULT_SETTINGS,
  settingsChangeSchema,
  settingsSchema,
  type PublicSettings,
  type Settings,
  type SettingsChange,
} from '../common/console-api';

/** File name of the settings inside the data dir. */
export const SETTINGS_FILE = 'settings.json';

/** The page's view of settings: everything but the secrets, plus whether each is set; output credentials masked. */
export function redactSettings(settings: Settings): PublicSettings {
  const { secret, hostSecret, outputs, watchRooms, ...rest } = settings;
  return {
    ...rest,
    outputs: redactOutputCredentials(outputs),
    watchRooms: watchRooms.map((w) => ({ room: w.room, hasSecret: w.secret.length > 0, mutedChannels: [...w.mutedChannels] })),
    hasSecret: secret.length > 0,
    hasHostSecret: hostSecret.length > 0,
  };
}

/**
 * Loads, validates, patches and persists the settings. Reads tolerate a missing or damaged file (defaults, with
 * each valid field kept); writes are atomic (electron/node/atomic-write.ts).
 */
export class SettingsStore {
  private current: Settings = { ...DEFAULT_SETTINGS };
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  /** Path of the settings file. */
  get file(): string {
    return join(this.dataDir, SETTINGS_FILE);
  }

  /** The settings in effect (including the secret: for the core only). */
  get value(): Readonly<Settings> {
    return this.current;
  }

  /**
   * Reads the file. Missing: defaults. Unreadable JSON: defaults (the broken file is kept as `.bad`). A field that
   * fails validation falls back to its default, so one bad value does not lose the rest.
   */
  async load(): Promise<Settings> {
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch {
      this.current = { ...DEFAULT_SETTINGS };
      return this.current;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      await rename(this.file, `${this.file}.bad`).catch(() => undefined);
      this.current = { ...DEFAULT_SETTINGS };
      return this.current;
    }
    const whole = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(parsed as object) });
    if (whole.success) {
      this.current = whole.data;
      return this.current;
    }
    const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    if (typeof parsed === 'object' && parsed !== null) {
      for (const [key, value] of Object.entries(parsed)) {
        if (!(key in DEFAULT_SETTINGS)) continue;
        const one = settingsChangeSchema.safeParse({ [key]: value });
        if (one.success) merged[key] = value;
      }
    }
    this.current = settingsSchema.parse(merged);
    return this.current;
  }

  /** Validates a change (unknown keys refused), applies it and writes the file. */
  async update(patch: unknown): Promise<Result<Settings>> {
    const parsed = settingsChangeSchema.safeParse(patch);
    if (!parsed.success) {
      return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, `Invalid settings: ${describeIssues(parsed.error.issues)}`);
    }
    return this.apply(parsed.data);
  }

  /** Applies an already validated change and persists. */
  async apply(patch: SettingsChange): Promise<Result<Settings>> {
    const next = settingsSchema.parse({ ...this.current, ...patch });
    this.current = next;
    const written = this.persist();
    const result = await written;
    return result.ok ? ok(next) : result;
  }

  /** Writes the current settings (serialised: one write at a time, the last one wins). */
  private persist(): Promise<Result<Settings>> {
    const run = this.writing.then(async (): Promise<Result<Settings>> => {
      try {
        await mkdir(this.dataDir, { recursive: true });
        await writeFileAtomic(this.file, `${JSON.stringify(this.current, null, 2)}\n`);
        return ok(this.current);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
        return fail(CONSOLE_ERROR_CODES.SETTINGS_WRITE_FAILED, `Settings could not be saved (${code}); they apply until the console closes.`);
      }
    });
    this.writing = run;
    return run;
  }
}

/** A short, secret-free description of zod issues (paths and messages only, never the values). */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
