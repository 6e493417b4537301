/**
 * The room display's state: the channels kept in step with the hub by a {@link ChannelFollower} (the product's
 * one follower of the cursor protocol: subscribe with `since`, resubscribe on a gap, reconnect after a hub
 * restart) over a socket.io socket that is passed in (a test can pass its own), and what the page shows derived
 * from them. A refusal that retrying cannot fix (unknown room or channel, a bad URL) becomes a readable error on
 * screen instead of a blank page.
 */
import type { Socket } from 'socket.io-client';
import { ChannelFollower } from '../../electron/common/channel-follower';
import { directionOfLanguage, directionOfText, sanitizeCaptionText, type TextDirection } from '../../electron/common/bidi';
import { isPermanentHubError } from '../../electron/common/hub-errors';
import type { HubClientEvents, HubServerEvents, Notice } from '../../electron/common/protocol';
import type { ErrorInfo } from '../../electron/common/result';
import { ChannelRows, historyLinesFor, type DisplayRow } from './channel-rows';
import type { DisplayParams } from './display-params';

/** The part of a socket.io client socket the display uses. */
export type DisplaySocket = Pick<
  Socket<HubServerEvents, HubClientEvents>,
  'on' | 'off' | 'timeout' | 'connect' | 'disconnect' | 'connected' | 'active'
>;

/** The events the display listens to: the hub's and socket.io's own connection events. */
type DisplaySocketEvents = HubServerEvents & {
  connect: () => void;
  connect_error: (err: Error & { data?: unknown }) => void;
  disconnect: (reason: string) => void;
};

/** Where the display stands with the hub. */
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'failed';

/** One channel's block on screen. */
export interface ChannelBlock {
  channel: string;
  /** The channel's language when the channel is a language (`ar`), for the `lang` attribute. */
  lang: string | undefined;
  /** Direction of the block (its label); every row also carries its own. */
  dir: TextDirection;
  /** A human label: the language's name in that language ("العربية"), or the channel name. */
  label: string;
  /** The rows on screen (a wall: the paced roll-up; a phone: every kept line). */
  rows: DisplayRow[];
  /** The roll-up is showing older rows faster than reading pace to catch up. */
  catchingUp: boolean;
}

/** A notice as the page shows it. */
export interface NoticeView {
  text: string;
  dir: TextDirection;
}

/** Timers, injectable for tests. */
export interface DisplayTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Wait before connecting again after a refusal that may pass (rate limit, hub error). */
const REFUSED_RETRY_MS = 10_000;

const defaultTimers: DisplayTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};

/** The label of a channel: its language's own name when it is a language, else its name. */
export function channelLabel(channel: string): string {
  if (directionOfLanguage(channel) !== undefined) {
    try {
      const name = new Intl.DisplayNames([channel], { type: 'language' }).of(channel);
      if (name && name !== channel) return name.charAt(0).toLocaleUpperCase(channel) + name.slice(1);
    } catch {
      // Not a tag Intl knows: fall through to the channel name.
    }
  }
  return channel.charAt(0).toUpperCase() + channel.slice(1);
}

/** Is `value` an error as the hub sends them in a handshake refusal? */
function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The room display's state; see the module comment. */
export class DisplayState {
  /** Connection state, for the quiet indicator. */
  status = $state<ConnectionStatus>('connecting');
  /** Set when the display cannot work (bad room or channel); the page shows it instead of captions. */
  error = $state.raw<ErrorInfo | null>(null);
  /** The room's notice, or null. */
  notice = $state.raw<NoticeView | null>(null);
  /** What each channel shows, in the order of the URL. */
  blocks = $state.raw<ChannelBlock[]>([]);

  readonly params: DisplayParams;
  private readonly socket: DisplaySocket;
  private readonly timers: DisplayTimers;
  /** Not reactive: the rows of its views are copied into `blocks`. */
  private readonly follower: ChannelFollower;
  private readonly rows: ReadonlyMap<string, ChannelRows>;
  private noticeTimer: unknown = undefined;
  private retryTimer: unknown = undefined;
  private started = false;
  private readonly listeners: Array<() => void> = [];

  constructor(params: DisplayParams, socket: DisplaySocket, timers: DisplayTimers = defaultTimers) {
    this.params = params;
    this.socket = socket;
    this.timers = timers;
    this.follower = new ChannelFollower(socket, {
      channels: params.channels,
      keep: historyLinesFor(params),
      timers,
      updated: (channel) => this.refreshBlocks(channel),
      notice: (notice, live) => this.showNotice(notice, live),
      synced: () => (this.status = 'live'),
      refused: (error) => this.fail(error),
    });
    this.blocks = params.channels.map((channel) => {
      const lang = directionOfLanguage(channel) ? channel : undefined;
      return { channel, lang, dir: directionOfLanguage(lang) ?? 'ltr', label: channelLabel(channel), rows: [], catchingUp: false };
    });
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- fixed at construction, not reactive state
    this.rows = new Map(
      this.blocks.map(({ channel, lang }) => [
        channel,
        new ChannelRows({ ...params, lang }, timers, (rows, catchingUp) => {
          this.blocks = this.blocks.map((b) => (b.channel === channel ? { ...b, rows, catchingUp } : b));
        }),
      ]),
    );
  }

  /** Listens to the socket and connects it (if not yet connected). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.listen('connect', () => this.timers.clearTimeout(this.retryTimer));
    this.listen('connect_error', (err: Error & { data?: unknown }) => this.onConnectError(err));
    this.listen('disconnect', () => {
      if (!this.error) this.status = 'reconnecting';
    });
    void this.follower.start();
    if (!this.socket.connected) this.socket.connect();
  }

  /** Stops listening, clears timers and disconnects. */
  stop(): void {
    for (const off of this.listeners.splice(0)) off();
    this.follower.stop();
    this.timers.clearTimeout(this.noticeTimer);
    this.timers.clearTimeout(this.retryTimer);
    for (const rows of this.rows.values()) rows.dispose();
    this.started = false;
    this.socket.disconnect();
  }

  /** The `since` cursors to subscribe with: the channels that have applied a snapshot. */
  get since(): Record<string, number> {
    return this.follower.since;
  }

  private listen<E extends keyof DisplaySocketEvents>(event: E, handler: DisplaySocketEvents[E]): void {
    // socket.io's overloads do not accept a union of event names; the handlers above are typed per event.
    const socket = this.socket as unknown as { on(e: string, h: unknown): void; off(e: string, h: unknown): void };
    socket.on(event, handler);
    this.listeners.push(() => socket.off(event, handler));
  }

  private onConnectError(err: Error & { data?: unknown }): void {
    if (!this.socket.active) {
      // The hub refused the handshake. A bad room or role is final; anything else (too many attempts, a hub
      // error) is worth another try in a while.
      const info: ErrorInfo = isErrorInfo(err.data) ? err.data : { code: 'CONNECT_REFUSED', message: err.message };
      if (isPermanentHubError(info.code)) {
        this.fail(info);
        return;
      }
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = this.timers.setTimeout(() => this.socket.connect(), REFUSED_RETRY_MS);
    }
    this.status = this.status === 'connecting' ? 'connecting' : 'reconnecting';
  }

  private refreshBlocks(only?: string): void {
    for (const [channel, rows] of this.rows) {
      const view = this.follower.view(channel);
      if (view && (only === undefined || channel === only)) rows.update(view);
    }
  }

  private showNotice(notice: Notice | null, live: boolean): void {
    this.timers.clearTimeout(this.noticeTimer);
    const text = notice?.text ? sanitizeCaptionText(notice.text) : '';
    if (!notice || text === '') {
      this.notice = null;
      return;
    }
    let remaining: number | undefined;
    if (notice.ttlMs !== undefined) {
      // The hub says how long it has left on its own clock; a hub that does not: a live notice counts from now,
      // one from a snapshot from when the hub showed it (clocks may differ, so clamp).
      remaining =
        notice.remainingMs !== undefined
          ? Math.min(notice.ttlMs, notice.remainingMs)
          : live
            ? notice.ttlMs
            : Math.min(notice.ttlMs, Math.max(0, notice.shownAt + notice.ttlMs - this.timers.now()));
      if (remaining <= 0) {
        this.notice = null;
        return;
      }
    }
    this.notice = { text, dir: directionOfText(text) ?? 'ltr' };
    if (remaining !== undefined) this.noticeTimer = this.timers.setTimeout(() => (this.notice = null), remaining);
  }

  private fail(error: ErrorInfo): void {
    this.error = error;
    this.status = 'failed';
    this.timers.clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }
}
