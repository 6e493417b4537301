/**
 * Console alerts: errors keyed by the condition they report, so each one shows once and goes away when its
 * condition ends, with no click. The core keeps the alerts it knows (hub link, speech-to-text, session record,
 * settings file, lines the hub refused) and the page adds the failures of its own actions under the same keys;
 * both apply the one rule here for the conditions that end by themselves.
 *
 * Keys: `hub`, `stt:floor`, `stt:voice`, `session`, `settings`, `room-view`, `handover`, `notice`, `room` (operator
 * actions), `channel:<name>` (lines of a channel not sent or refused: ends when the hub takes a line of it again).
 */
import type { ErrorInfo } from './result';

/** An error shown until its condition ends (a console code, or a hub code passed through). */
export interface ConsoleAlert extends ErrorInfo {
  /** What it is about; a newer alert of the same key replaces the older. */
  key: string;
  /** Epoch ms when the condition started. */
  since: number;
}

/** The conditions that end alerts by themselves. */
export interface AlertConditions {
  /** The link to the hub is up. */
  hubConnected: boolean;
  /** This console may write its channel (an operator always may). */
  onAir: boolean;
  /** Speech-to-text sources that run (loading, ready or busy). */
  sttRunning: { floor: boolean; voice: boolean };
}

/** Codes that say the hub cannot be reached or refused this console: over once the link is up. */
const HUB_CODES = new Set(['NOT_CONNECTED', 'HUB_UNREACHABLE', 'HOST_FAILED', 'TRANSPORT', 'AUTH_MISSING_SECRET', 'AUTH_BAD_SECRET', 'AUTH_BAD_ROLE', 'UNKNOWN_ROOM']);

/** Whether an alert's condition is over (then it is dropped, never shown again). */
export function alertEnded(alert: Pick<ConsoleAlert, 'key' | 'code'>, now: AlertConditions): boolean {
  if (alert.key === 'hub' || HUB_CODES.has(alert.code)) return now.hubConnected;
  if (alert.code === 'NOT_ON_AIR') return now.onAir;
  if (alert.key === 'stt:floor' || alert.key === 'stt:voice') return now.sttRunning[alert.key === 'stt:floor' ? 'floor' : 'voice'];
  return false;
}

/**
 * Keyed alerts with their start times. `set` with `null` clears a key; the list drops the alerts whose condition
 * ended. A plain class: the core keeps one, and the page keeps its own actions' failures in one.
 */
export class AlertSet {
  private readonly byKey = new Map<string, ConsoleAlert>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Sets (an error) or clears (`null`) the alert of `key`; the same code keeps its start time. Returns whether it changed. */
  set(key: string, error: ErrorInfo | null): boolean {
    const before = this.byKey.get(key);
    if (!error) return this.byKey.delete(key);
    if (before && before.code === error.code && before.message === error.message) return false;
    this.byKey.set(key, { key, code: error.code, message: error.message, since: before?.code === error.code ? before.since : this.now() });
    return true;
  }

  /** Clears every alert whose key starts with `prefix`. */
  clearPrefix(prefix: string): boolean {
    let changed = false;
    for (const key of [...this.byKey.keys()]) if (key.startsWith(prefix)) changed = this.byKey.delete(key) || changed;
    return changed;
  }

  /** The alerts still on, oldest first; those whose condition ended are forgotten. */
  list(conditions: AlertConditions): ConsoleAlert[] {
    for (const [key, alert] of this.byKey) if (alertEnded(alert, conditions)) this.byKey.delete(key);
    return [...this.byKey.values()].sort((a, b) => a.since - b.since);
  }
}

/**
 * Merges alert lists: the first list's alert of a key wins; oldest first. While a `hub` alert is on, the alerts
 * that only say the hub is out of reach (an action refused with `NOT_CONNECTED`...) add nothing and are left out.
 */
export function mergeAlerts(...lists: readonly (readonly ConsoleAlert[])[]): ConsoleAlert[] {
  const byKey = new Map<string, ConsoleAlert>();
  for (const list of lists) for (const a of list) if (!byKey.has(a.key)) byKey.set(a.key, a);
  const hubDown = byKey.has('hub');
  return [...byKey.values()].filter((a) => a.key === 'hub' || !hubDown || !HUB_CODES.has(a.code)).sort((a, b) => a.since - b.since);
}
