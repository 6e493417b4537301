/**
 * Lines held because their channel is muted: this console's own (from its snapshot) and the other consoles' of
 * the room (relayed by the hub). They leave only when a person releases them (once the channel is unmuted) or
 * discards them; this class lists them per channel and runs those two actions.
 */
import type { ConsoleApi, ConsoleSnapshot, HeldLine } from '../../../electron/common/console-api';
import type { ErrorInfo } from '../../../electron/common/result';

/** What held lines need from the console API. */
export type HeldApi = Pick<ConsoleApi, 'releaseHeld' | 'discardHeld'>;

export class HeldLines {
  /** Every held line this console knows of, oldest first. */
  lines = $state.raw<HeldLine[]>([]);
  /** The last release or discard that failed (e.g. `CHANNEL_MUTED`), until the next success. */
  error = $state.raw<ErrorInfo | null>(null);
  busy = $state(false);
  private ownClientId = '';

  constructor(private readonly api: HeldApi) {}

  /** Takes the held lines of a new snapshot. */
  sync(s: Pick<ConsoleSnapshot, 'held' | 'roomHeld' | 'clientId'>): void {
    this.ownClientId = s.clientId;
    const own = s.held ?? [];
    const others = (s.roomHeld ?? []).filter((l) => l.clientId !== s.clientId);
    this.lines = [...own, ...others].sort((a, b) => a.committedAt - b.committedAt);
  }

  /** Held lines of a channel. */
  of(channel: string): HeldLine[] {
    return this.lines.filter((l) => l.channel === channel);
  }

  /** Channels with held lines. */
  get channels(): string[] {
    return this.lines.map((l) => l.channel).filter((c, i, all) => all.indexOf(c) === i);
  }

  /** Sends held lines (all of a channel's when `ids` is omitted) of the console that holds them. */
  release(channel: string, ids?: string[], clientId?: string): Promise<void> {
    return this.act('releaseHeld', channel, ids, clientId);
  }

  /** Drops held lines: they never go out. */
  discard(channel: string, ids?: string[], clientId?: string): Promise<void> {
    return this.act('discardHeld', channel, ids, clientId);
  }

  private async act(method: 'releaseHeld' | 'discardHeld', channel: string, ids?: string[], clientId?: string): Promise<void> {
    this.busy = true;
    try {
      const r = await this.api[method]({ channel, ...(ids ? { ids } : {}), ...(clientId && clientId !== this.ownClientId ? { clientId } : {}) });
      this.error = r.ok ? null : r.error;
    } finally {
      this.busy = false;
    }
  }
}
