/**
 * The settings as the pieces of the console core see them: the values in effect, one way to change them, and a
 * subscription per key, so each piece reacts to the settings it owns (the hub connection to its address, the
 * publisher to mutes, speech-to-text to the glossary) and no one place diffs for everybody.
 *
 * A change is in effect once applied, also when the file could not be written: the write failure is reported
 * (`onWriteFailed`) and the console keeps working with the new values until it closes.
 */
import type { ErrorInfo } from '../common/result';
import type { Settings, SettingsChange } from '../common/console-api';
import type { CoreLogger } from './console-context';
import type { SettingsStore } from './settings-store';

/** One setting's name. */
export type SettingsKey = keyof Settings;

/** Called after a change that touched one of the watched keys, with the settings after and before it. */
export type SettingsWatcher = (after: Readonly<Settings>, before: Readonly<Settings>) => void;

/** Options of {@link ConsoleSettings}. */
export interface ConsoleSettingsHooks {
  logger: CoreLogger;
  /** The new settings apply but could not be saved. */
  onWriteFailed(error: ErrorInfo): void;
  /** The settings were saved (after a failure: the file is good again). */
  onWritten?(): void;
  /** After every change (the snapshot shows settings). */
  onChanged(): void;
}

/** The settings of a running console. Watchers run in subscription order, after the change is in effect. */
export class ConsoleSettings {
  private readonly watchers: { keys: readonly SettingsKey[]; fn: SettingsWatcher }[] = [];

  constructor(
    private readonly store: SettingsStore,
    private readonly hooks: ConsoleSettingsHooks,
  ) {}

  /** The settings in effect (including the secret: for the core only, never logged or sent to the page). */
  get value(): Readonly<Settings> {
    return this.store.value;
  }

  /** Reads the settings file (missing or damaged values fall back to their defaults). */
  load(): Promise<Readonly<Settings>> {
    return this.store.load();
  }

  /** Calls `fn` after each change of any of `keys`; returns the function that stops it. */
  watch(keys: readonly SettingsKey[], fn: SettingsWatcher): () => void {
    const watcher = { keys, fn };
    this.watchers.push(watcher);
    return () => {
      const at = this.watchers.indexOf(watcher);
      if (at >= 0) this.watchers.splice(at, 1);
    };
  }

  /** Applies a parsed patch, persists it and tells the watchers of the keys whose values changed. */
  async update(patch: SettingsChange): Promise<Readonly<Settings>> {
    const before = this.store.value;
    const written = await this.store.apply(patch);
    if (!written.ok) this.hooks.onWriteFailed(written.error);
    else this.hooks.onWritten?.();
    const after = this.store.value;
    this.hooks.logger.info('settings changed', { keys: Object.keys(patch).sort() });
    const changed = new Set((Object.keys(after) as SettingsKey[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])));
    for (const { keys, fn } of [...this.watchers]) {
      if (!keys.some((k) => changed.has(k))) continue;
      try {
        fn(after, before);
      } catch (err) {
        this.hooks.logger.error('settings watcher failed', { keys, error: String(err) });
      }
    }
    this.hooks.onChanged();
    return after;
  }
}
