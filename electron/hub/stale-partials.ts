/**
 * Partials nobody will finish: a booth whose page closed or whose console died leaves its half-line on every
 * display (and on displays opened later, which get it in their snapshot) under newer finals. The hub watches each
 * channel's current partial and withdraws it (an empty partial of the same line, through the room's turn like any
 * other publish) when
 * - its publisher has been gone for `graceMs` (no socket of that publisher connected: a console that reconnects
 *   within the grace, as after a network blip, keeps its line), or
 * - it has not changed for `maxAgeMs` (a publisher that is still connected but stuck, or a page left open).
 *
 * A publisher is its handshake `clientId` (stable across reconnects), else its socket id. With several hub nodes
 * each node watches the partials published through it; one whose publisher came back through another node may be
 * withdrawn there and shows again with that publisher's next partial.
 */

/** Options of {@link StalePartials}. */
export interface StalePartialsOptions {
  /** How long a partial outlives its publisher's last socket, ms. */
  graceMs: number;
  /** How long a partial may stay unchanged, ms. */
  maxAgeMs: number;
  /** Withdraws the partial `lineId` of a channel (called at most once per shown partial). */
  withdraw(room: string, channel: string, lineId: string): void;
}

interface Shown {
  room: string;
  channel: string;
  lineId: string;
  publisher: string;
  timer: NodeJS.Timeout;
}

/** Default timings of the hub: 10 s after its publisher left, 60 s unchanged. */
export const STALE_PARTIAL_DEFAULTS = { graceMs: 10_000, maxAgeMs: 60_000 } as const;

/** The current partial of each channel, and when to withdraw it. */
export class StalePartials {
  private readonly shown = new Map<string, Shown>();
  /** Connected sockets per publisher. */
  private readonly sockets = new Map<string, number>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: StalePartialsOptions) {}

  /** A publisher's socket connected. */
  connected(publisher: string): void {
    this.sockets.set(publisher, (this.sockets.get(publisher) ?? 0) + 1);
    const grace = this.graceTimers.get(publisher);
    if (grace) clearTimeout(grace);
    this.graceTimers.delete(publisher);
  }

  /** A publisher's socket disconnected; with its last socket gone, its partials are withdrawn after the grace. */
  disconnected(publisher: string): void {
    const left = (this.sockets.get(publisher) ?? 1) - 1;
    if (left > 0) {
      this.sockets.set(publisher, left);
      return;
    }
    this.sockets.delete(publisher);
    if (![...this.shown.values()].some((s) => s.publisher === publisher)) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(publisher);
      for (const s of [...this.shown.values()]) if (s.publisher === publisher) this.expire(s);
    }, this.options.graceMs);
    timer.unref();
    this.graceTimers.set(publisher, timer);
  }

  /** A partial with text is now the channel's partial (or changed): its age starts again. */
  partialShown(room: string, channel: string, lineId: string, publisher: string): void {
    const key = `${room}/${channel}`;
    const old = this.shown.get(key);
    if (old) clearTimeout(old.timer);
    const entry: Shown = { room, channel, lineId, publisher, timer: setTimeout(() => this.expire(entry), this.options.maxAgeMs) };
    entry.timer.unref();
    this.shown.set(key, entry);
  }

  /**
   * The channel has no partial any more (withdrawn, cleared), or, with `lineId`, the line `lineId` was committed
   * (the channel's partial goes only when it was that line).
   */
  partialGone(room: string, channel: string, lineId?: string): void {
    const key = `${room}/${channel}`;
    const old = this.shown.get(key);
    if (!old || (lineId !== undefined && old.lineId !== lineId)) return;
    clearTimeout(old.timer);
    this.shown.delete(key);
  }

  /** Stops every timer. */
  close(): void {
    for (const s of this.shown.values()) clearTimeout(s.timer);
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.shown.clear();
    this.graceTimers.clear();
  }

  private expire(entry: Shown): void {
    const key = `${entry.room}/${entry.channel}`;
    if (this.shown.get(key) !== entry) return;
    clearTimeout(entry.timer);
    this.shown.delete(key);
    this.options.withdraw(entry.room, entry.channel, entry.lineId);
  }
}
