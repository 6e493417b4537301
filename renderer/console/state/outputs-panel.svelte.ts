/**
 * The caption operator's view of the hub's platform outputs (YouTube, Zoom, Teams, OBS, live files): each
 * output's state, last caption, backlog and drops, read from the hub every few seconds while the view is open,
 * and its switch. The clock is injected so a test can drive the polling.
 */
import type { OutputStatus } from '../../../electron/common/caption-outputs';
import type { ConsoleApi, ConsoleError } from '../../../electron/common/console-api';

export type OutputsApi = Pick<ConsoleApi, 'listOutputs' | 'setOutputEnabled'>;

/** Timers and time as the panel uses them (the browser's by default). */
export interface OutputsClock {
  now(): number;
  every(ms: number, fn: () => void): () => void;
}

const browserClock: OutputsClock = {
  now: () => Date.now(),
  every: (ms, fn) => {
    const id = setInterval(fn, ms);
    return () => clearInterval(id);
  },
};

/** How often the open panel asks the hub. */
export const OUTPUTS_POLL_MS = 2000;

/** "12 s ago", "3 min ago", "never". */
export function sinceText(at: number | null, now: number): string {
  if (at === null) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 90) return `${s} s ago`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

export class OutputsPanel {
  outputs = $state.raw<OutputStatus[]>([]);
  /** The last refresh failed (the list shown is the one before). */
  error = $state.raw<ConsoleError | null>(null);
  /** A list came back at least once. */
  loaded = $state(false);
  /** Outputs whose switch is on its way to the hub. */
  switching = $state.raw<string[]>([]);
  /** Time of the last answer (ages are shown against it). */
  now = $state(0);

  private stopPolling: (() => void) | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly api: OutputsApi,
    private readonly clock: OutputsClock = browserClock,
  ) {}

  /** Outputs that need the operator: failing, or stopped by something other than the operator's switch. */
  get attention(): number {
    return this.outputs.filter((o) => o.state === 'failing' || (o.state === 'stopped' && o.code !== undefined)).length;
  }

  /** Reads the list now and then every {@link OUTPUTS_POLL_MS} until {@link close}. */
  open(): void {
    if (this.stopPolling) return;
    void this.refresh();
    this.stopPolling = this.clock.every(OUTPUTS_POLL_MS, () => void this.refresh());
  }

  close(): void {
    this.stopPolling?.();
    this.stopPolling = null;
  }

  async refresh(): Promise<void> {
    // One request at a time: a slow hub is not asked again before it answered.
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      const r = await this.api.listOutputs();
      this.now = this.clock.now();
      if (r.ok) {
        this.outputs = r.value;
        this.error = null;
        this.loaded = true;
      } else this.error = r.error;
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Switches an output on or off; the row shows the hub's answer. */
  async setEnabled(id: string, enabled: boolean): Promise<void> {
    if (this.switching.includes(id)) return;
    this.switching = [...this.switching, id];
    const r = await this.api.setOutputEnabled(id, enabled);
    this.switching = this.switching.filter((s) => s !== id);
    if (r.ok) {
      this.outputs = this.outputs.map((o) => (o.id === id ? r.value : o));
      this.error = null;
    } else this.error = r.error;
  }
}
