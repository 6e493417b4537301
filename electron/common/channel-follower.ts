/**
 * The one follower of the hub's cursor protocol: a {@link CaptionView} per channel plus the subscribe /
 * resubscribe-with-`since` loop, over a socket.io client socket that is passed in. The room display, the
 * console's room view, the Node client (`npm run say`, tests) and the benchmarks all follow channels with it, so
 * fault and soak tests exercise the code the product runs.
 *
 * The loop:
 * - on every connect that socket.io did not recover (`socket.recovered` false), subscribe with `since` = the
 *   cursor each channel last applied (omitted for a channel that has none), so the hub sends exactly what was
 *   missed; the views hold back live messages until the answer and drop anything already applied;
 * - a gap in live messages (a change or partial whose cursor skips one) subscribes again the same way, at
 *   once, without the owner's help; a subscribe asked for while one is out is sent after it returns;
 * - an answer that no longer matters (a reconnect happened meanwhile) is ignored; a subscribe that timed out
 *   or was refused for a reason that passes (rate limit, hub error) is retried after `retryMs`; a refusal that
 *   retrying cannot fix (unknown room or channel...) stops the follower and is reported (`refused`);
 * - when the hub closed the socket (a restart), socket.io does not reconnect by itself: the follower connects
 *   again after 0.5-1.5 s, spread so a hall of displays does not stampede.
 *
 * What it applied is reported in order, once: `changed` for every change (from a catch-up answer or live),
 * `reset` when an answer replaced a channel's lines, `partial`, `notice`, and `updated` after anything visible
 * moved. `stats` counts what happened, for tests and benchmarks.
 */
import type { Socket } from 'socket.io-client';
import { CaptionView, type CaptionViewOutcome } from './caption-view';
import { HUB_CLIENT_ERROR_CODES, isPermanentHubError } from './hub-errors';
import type { CaptionLine, ChannelChange, ChannelSnapshot, HubClientEvents, HubServerEvents, Notice, PartialUpdate, Subscribe, SubscribeResult } from './protocol';
import { fail, type ErrorInfo, type Result } from './result';

/** The part of a socket.io client socket a follower uses (a test may pass a fake with these members). */
export type FollowerSocket = Pick<Socket<HubServerEvents, HubClientEvents>, 'on' | 'off' | 'timeout' | 'connect' | 'connected'> & {
  /** socket.io's connection-state recovery replayed what was missed: no subscribe needed. */
  readonly recovered?: boolean;
};

/** Timers, injectable for tests. */
export interface FollowerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a follower tells its owner; every callback is optional. */
export interface FollowerEvents {
  /** A change was applied (in cursor order, once), from a catch-up answer, a reset answer or live. */
  changed?(change: ChannelChange, via: 'reset' | 'catch-up' | 'live'): void;
  /** A subscribe answer replaced a channel's lines (`snapshot.changes` are its kept lines). */
  reset?(snapshot: ChannelSnapshot): void;
  /** A live partial was applied. */
  partial?(update: PartialUpdate): void;
  /** The room's notice, from a subscribe answer or `live`; `null` when there is none. */
  notice?(notice: Notice | null, live: boolean): void;
  /** A subscribe was answered and applied: the follower is in step with the hub. */
  synced?(result: SubscribeResult): void;
  /** Something visible changed on `channel` (lines or partial). */
  updated?(channel: string): void;
  /** The hub refused the subscription for a reason retrying cannot fix; the follower stopped. */
  refused?(error: ErrorInfo): void;
}

/** Options of a {@link ChannelFollower}. */
export interface ChannelFollowerOptions extends FollowerEvents {
  /** The channels to follow, in order. */
  channels: readonly string[];
  /** Committed lines kept per channel (default all: a test or benchmark checks every line). */
  keep?: number;
  /** How long a subscribe may wait for its answer, ms (default 15000). */
  subscribeTimeoutMs?: number;
  /** Wait before retrying a subscribe that failed for a reason that passes, ms (default 2000). */
  retryMs?: number;
  /** Reconnect after the hub closed the socket: `min + random * spread` ms (default 500 + 0-1000). */
  reconnect?: { minMs: number; spreadMs: number };
  timers?: FollowerTimers;
}

/** What a follower saw. */
export interface FollowerStats {
  /** Changes applied (from reset and catch-up answers and live). */
  applied: number;
  /** Changes received that were already applied (cursor not above the channel's); dropped. */
  droppedDuplicates: number;
  /** Gaps in live messages; each subscribed again. */
  gaps: number;
  /** Answers that replaced a channel's lines. */
  resets: number;
  /** Subscribes sent. */
  subscribes: number;
  /** `committed` changes for an id the view already held as committed (must stay 0). */
  doubledCommits: number;
}

const defaultTimers: FollowerTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

type Listener = [event: string, handler: (...args: never[]) => void];

/** Follows channels of a room over a socket; see the module comment. */
export class ChannelFollower {
  readonly stats: FollowerStats = { applied: 0, droppedDuplicates: 0, gaps: 0, resets: 0, subscribes: 0, doubledCommits: 0 };
  /** The room's current notice, or `null`. */
  notice: Notice | null = null;
  /** The refusal that stopped the follower, or `null`. */
  error: ErrorInfo | null = null;
  private readonly socket: FollowerSocket;
  private readonly options: ChannelFollowerOptions;
  private readonly timers: FollowerTimers;
  private readonly views: ReadonlyMap<string, CaptionView>;
  private generation = 0;
  private inFlight: Promise<Result<SubscribeResult>> | null = null;
  private again = false;
  private retryTimer: unknown = undefined;
  private reconnectTimer: unknown = undefined;
  private listeners: Listener[] = [];

  constructor(socket: FollowerSocket, options: ChannelFollowerOptions) {
    this.socket = socket;
    this.options = options;
    this.timers = options.timers ?? defaultTimers;
    const keep = options.keep ?? Number.POSITIVE_INFINITY;
    this.views = new Map(
      options.channels.map((channel) => [
        channel,
        new CaptionView(channel, {
          keep,
          observer: {
            applied: (change, via, recommitted) => this.noteApplied(change, via, recommitted),
            duplicate: () => this.stats.droppedDuplicates++,
          },
        }),
      ]),
    );
  }

  /** The channels followed. */
  get channels(): readonly string[] {
    return this.options.channels;
  }

  /** A channel's view (lines, partial, cursor), or undefined for a channel not followed. */
  view(channel: string): CaptionView | undefined {
    return this.views.get(channel);
  }

  /** The committed lines of a channel in commit order, latest revision (at most `keep`). */
  lines(channel: string): readonly CaptionLine[] {
    return this.views.get(channel)?.lines ?? [];
  }

  /** The current partial of a channel. */
  partial(channel: string): CaptionLine | null {
    return this.views.get(channel)?.partial ?? null;
  }

  /** The cursor a channel last applied (0 before its first answer). */
  cursor(channel: string): number {
    return this.views.get(channel)?.cursor ?? 0;
  }

  /** The `since` a subscribe sends: the channels that have applied an answer. */
  get since(): Record<string, number> {
    const since: Record<string, number> = {};
    for (const view of this.views.values()) if (view.cursor !== undefined) since[view.channel] = view.cursor;
    return since;
  }

  /**
   * Listens to the socket and subscribes at once when it is connected (else at its connect). Resolves with the
   * first answer when connected, else at once with a `CONNECT_FAILED` value (the subscribe follows the connect).
   */
  start(): Promise<Result<SubscribeResult>> {
    if (this.listeners.length > 0) return this.inFlight ?? Promise.resolve(fail(HUB_CLIENT_ERROR_CODES.CONNECT_FAILED, 'already started'));
    this.listen('connect', () => {
      this.timers.clearTimeout(this.retryTimer);
      this.again = false;
      this.inFlight = null;
      if (!this.socket.recovered) void this.subscribe();
    });
    this.listen('disconnect', (reason: string) => {
      this.generation += 1;
      this.inFlight = null;
      if (reason === 'io server disconnect' && !this.error) {
        const { minMs, spreadMs } = this.options.reconnect ?? { minMs: 500, spreadMs: 1000 };
        this.timers.clearTimeout(this.reconnectTimer);
        this.reconnectTimer = this.timers.setTimeout(() => {
          if (!this.socket.connected && this.listeners.length > 0) this.socket.connect();
        }, minMs + Math.random() * spreadMs);
      }
    });
    this.listen('caption:changed', (change: ChannelChange) => {
      const view = this.views.get(change.channel);
      if (view) this.afterLive(view, view.applyChange(change));
    });
    this.listen('caption:partial', (update: PartialUpdate) => {
      const view = this.views.get(update.channel);
      if (!view) return;
      const outcome = view.applyPartial(update);
      if (outcome.kind !== 'ignored') this.options.partial?.(update);
      this.afterLive(view, outcome);
    });
    this.listen('notice:changed', (notice: Notice) => this.setNotice(notice.text === null ? null : notice, true));
    return this.subscribe();
  }

  /** Stops listening and clears timers (the socket stays as it is: its owner closes it). */
  stop(): void {
    for (const [event, handler] of this.listeners.splice(0)) this.rawSocket().off(event, handler);
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.reconnectTimer);
    this.generation += 1;
  }

  /**
   * Subscribes (with `since` where a channel has a cursor) and applies the answer; resolves with it. While one
   * is out, asks for another after it and resolves with the one out.
   */
  subscribe(): Promise<Result<SubscribeResult>> {
    if (this.error) return Promise.resolve(fail(this.error.code, this.error.message));
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    if (!this.socket.connected) return Promise.resolve(fail(HUB_CLIENT_ERROR_CODES.CONNECT_FAILED, 'not connected to the hub'));
    const generation = ++this.generation;
    for (const view of this.views.values()) view.expectSnapshot();
    const since = this.since;
    const request: Subscribe = Object.keys(since).length > 0 ? { channels: [...this.options.channels], since } : { channels: [...this.options.channels] };
    this.stats.subscribes++;
    const timeoutMs = this.options.subscribeTimeoutMs ?? 15_000;
    let resolveAnswer: (result: Result<SubscribeResult>) => void = () => {};
    const answer = new Promise<Result<SubscribeResult>>((resolve) => (resolveAnswer = resolve));
    this.inFlight = answer;
    // The answer is applied inside the ack callback, before any other socket event can run.
    this.socket.timeout(timeoutMs).emit('display:subscribe', request, (err: Error | null, reply: Result<SubscribeResult>) => {
      const result = err ? fail(HUB_CLIENT_ERROR_CODES.TIMEOUT, `no answer to display:subscribe within ${timeoutMs} ms`) : reply;
      if (generation === this.generation) this.settle(result);
      resolveAnswer(result);
    });
    return answer;
  }

  private settle(result: Result<SubscribeResult>): void {
    this.inFlight = null;
    if (!result.ok) {
      if (isPermanentHubError(result.error.code)) this.stopFor(result.error);
      else this.retryLater();
      return;
    }
    this.apply(result.value);
    if (this.again) {
      this.again = false;
      void this.subscribe();
    }
  }

  private apply(result: SubscribeResult): void {
    for (const view of this.views.values()) {
      const snapshot = result.channels.find((s) => s.channel === view.channel);
      if (!snapshot) continue;
      if (snapshot.reset) {
        this.stats.resets++;
        this.options.reset?.(snapshot);
      }
      if (view.applySnapshot(snapshot).kind === 'gap') this.again = true;
      this.options.updated?.(view.channel);
    }
    this.setNotice(result.notice, false);
    this.options.synced?.(result);
  }

  private afterLive(view: CaptionView, outcome: CaptionViewOutcome): void {
    if (outcome.kind === 'applied' || outcome.kind === 'gap') this.options.updated?.(view.channel);
    if (outcome.kind === 'gap') {
      this.stats.gaps++;
      void this.subscribe();
    }
  }

  private noteApplied(change: ChannelChange, via: 'reset' | 'catch-up' | 'live', recommitted: boolean): void {
    this.stats.applied++;
    if (recommitted && via !== 'reset') this.stats.doubledCommits++;
    this.options.changed?.(change, via);
  }

  private setNotice(notice: Notice | null, live: boolean): void {
    this.notice = notice;
    this.options.notice?.(notice, live);
  }

  private retryLater(): void {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => void this.subscribe(), this.options.retryMs ?? 2000);
  }

  private stopFor(error: ErrorInfo): void {
    this.error = error;
    this.timers.clearTimeout(this.retryTimer);
    this.options.refused?.(error);
  }

  private rawSocket(): { on(e: string, h: unknown): void; off(e: string, h: unknown): void } {
    // socket.io's overloads do not take a union of event names; each handler below is typed for its event.
    return this.socket as unknown as { on(e: string, h: unknown): void; off(e: string, h: unknown): void };
  }

  private listen(event: string, handler: (...args: never[]) => void): void {
    this.rawSocket().on(event, handler);
    this.listeners.push([event, handler]);
  }
}
