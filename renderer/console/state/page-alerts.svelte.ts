/**
 * The failures of the page's own actions (connect, start the floor, publish, operator actions, handover), keyed like
 * the core's alerts (electron/common/console-alerts.ts): the next success of the same key clears one, and the
 * shared rule drops those whose condition ended. The page shows these with the core's in one compact strip.
 */
import { AlertSet, type AlertConditions, type ConsoleAlert } from '../../../electron/common/console-alerts';
import type { ErrorInfo, Result } from '../../../electron/common/result';

/** Where a piece of the page reports the outcome of an action under its key. */
export type AlertReporter = (key: string, error: ErrorInfo | null) => void;

export class PageAlerts {
  private readonly alerts: AlertSet;
  /** Bumped on every change, so readers of {@link list} re-run. */
  private version = $state(0);

  constructor(now: () => number = Date.now) {
    this.alerts = new AlertSet(now);
  }

  /** Sets (an error) or clears (`null`) the alert of `key`. */
  readonly report: AlertReporter = (key, error) => {
    if (this.alerts.set(key, error)) this.version++;
  };

  /** Reports an action's result: a failure sets the key's alert, a success clears it. */
  note(key: string, r: Result<unknown>): void {
    this.report(key, r.ok ? null : r.error);
  }

  /** The page's alerts still on under `conditions`, oldest first. */
  list(conditions: AlertConditions): ConsoleAlert[] {
    void this.version;
    return this.alerts.list(conditions);
  }
}
