/**
 * The room display's state: one {@link CaptionView} per channel kept in step with the hub over a socket.io
 * socket that is passed in (a test can pass its own), and what the page shows derived from them.
 *
 * Connection life: on every (re)connect the display subscribes to its channels with `since` set to the cursor
 * each channel last applied, so the hub sends exactly what was missed (no gap, no duplicate; the views drop
 * anything already applied). A gap seen in live updates (a change or partial whose cursor skips one) triggers a
 * new subscribe the same way. A refusal that retrying cannot fix (unknown room or channel, a bad URL) becomes a
 * readable error on screen instead of a blank page.
 */
import type { Socket } from 'socket.io-client';
import { CaptionView, type CaptionViewOutcome } from '../../electron/common/caption-view';
import { directionOfLanguage, directionOfText, sanitizeCaptionText, type TextDirection } from '../../electron/common/bidi';
import type { ChannelSnapshot, ErrorCode, HubClientEvents, HubServerEvents, Notice, SubscribeResult } from '../../electron/common/protocol';
import type { ErrorInfo, Result } from '../../electron/common/result';
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

const SUBSCRIBE_TIMEOUT_MS = 15_000;
/** Wait before retrying a failed subscribe. */
const RETRY_MS = 2_000;
/** Wait before connecting again after a refusal that may pass (rate limit, hub error). */
const REFUSED_RETRY_MS = 10_000;
/** After the hub closed the socket (a restart), reconnect after 0.5-1.5 s, spread so a hall of displays does not stampede. */
const RECONNECT_MIN_MS = 500;
const RECONNECT_SPREAD_MS = 1_000;
/**
 * Refusals that retrying will not fix. Spelled out rather than imported from protocol.ts's ERROR_CODES, which
 * would pull zod (the hub's schemas) into the display bundle.
 */
const FATAL_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNKNOWN_ROOM',
  'UNKNOWN_CHANNEL',
  'INVALID_PAYLOAD',
  'FORBIDDEN',
  'AUTH_BAD_ROLE',
  'AUTH_BAD_SECRET',
  'AUTH_MISSING_SECRET',
]);

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
  /** Never changes after construction; the views are not reactive (their rows are copied into `blocks`). */
  private readonly views: ReadonlyMap<string, CaptionView>;
  private readonly rows: ReadonlyMap<string, ChannelRows>;
  /** Counts subscribes; an ack for an older one (sent before a reconnect) is ignored. */
  private subscribeGeneration = 0;
  private subscribing = false;
  private subscribeAgain = false;
  private noticeTimer: unknown = undefined;
  private retryTimer: unknown = undefined;
  private started = false;
  private readonly listeners: Array<() => void> = [];

  constructor(params: DisplayParams, socket: DisplaySocket, timers: DisplayTimers = defaultTimers) {
    this.params = params;
    this.socket = socket;
    this.timers = timers;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- fixed at construction, not reactive state
    this.views = new Map(params.channels.map((c) => [c, new CaptionView(c, { keep: historyLinesFor(params) })]));
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
    this.listen('connect', () => this.onConnect());
    this.listen('connect_error', (err: Error & { data?: unknown }) => this.onConnectError(err));
    this.listen('disconnect', (reason: string) => this.onDisconnect(reason));
    this.listen('caption:changed', (change) => {
      const view = this.views.get(change.channel);
      if (view) this.afterApply(view, view.applyChange(change));
    });
    this.listen('caption:partial', (update) => {
      const view = this.views.get(update.channel);
      if (view) this.afterApply(view, view.applyPartial(update));
    });
    this.listen('notice:changed', (notice) => this.showNotice(notice, true));
    if (this.socket.connected) this.onConnect();
    else this.socket.connect();
  }

  /** Stops listening, clears timers and disconnects. */
  stop(): void {
    for (const off of this.listeners.splice(0)) off();
    this.timers.clearTimeout(this.noticeTimer);
    this.timers.clearTimeout(this.retryTimer);
    for (const rows of this.rows.values()) rows.dispose();
    this.started = false;
    this.socket.disconnect();
  }

  /** The `since` cursors to subscribe with: the channels that have applied a snapshot. */
  get since(): Record<string, number> {
    const since: Record<string, number> = {};
    for (const view of this.views.values()) if (view.cursor !== undefined) since[view.channel] = view.cursor;
    return since;
  }

  private listen<E extends keyof DisplaySocketEvents>(event: E, handler: DisplaySocketEvents[E]): void {
    // socket.io's overloads do not accept a union of event names; the handlers above are typed per event.
    const socket = this.socket as unknown as { on(e: string, h: unknown): void; off(e: string, h: unknown): void };
    socket.on(event, handler);
    this.listeners.push(() => socket.off(event, handler));
  }

  private onConnect(): void {
    this.timers.clearTimeout(this.retryTimer);
    this.subscribing = false;
    this.subscribeAgain = false;
    this.subscribe();
  }

  private onConnectError(err: Error & { data?: unknown }): void {
    if (!this.socket.active) {
      // The hub refused the handshake. A bad room or role is final; anything else (too many attempts, a hub
      // error) is worth another try in a while.
      const info: ErrorInfo = isErrorInfo(err.data) ? err.data : { code: 'CONNECT_REFUSED', message: err.message };
      if (FATAL_CODES.has(info.code)) {
        this.fail(info);
        return;
      }
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = this.timers.setTimeout(() => this.socket.connect(), REFUSED_RETRY_MS);
    }
    this.status = this.status === 'connecting' ? 'connecting' : 'reconnecting';
  }

  private onDisconnect(reason: string): void {
    this.subscribeGeneration += 1;
    this.subscribing = false;
    if (this.error) return;
    this.status = 'reconnecting';
    if (reason === 'io server disconnect') {
      // socket.io does not reconnect by itself when the server closed the socket; a restarting hub does that.
      this.timers.clearTimeout(this.retryTimer);
      const delay = RECONNECT_MIN_MS + Math.random() * RECONNECT_SPREAD_MS;
      this.retryTimer = this.timers.setTimeout(() => this.socket.connect(), delay);
    }
  }

  private subscribe(): void {
    if (!this.socket.connected || this.error) return;
    if (this.subscribing) {
      this.subscribeAgain = true;
      return;
    }
    this.subscribing = true;
    const generation = ++this.subscribeGeneration;
    for (const view of this.views.values()) view.expectSnapshot();
    const since = this.since;
    const request = Object.keys(since).length > 0 ? { channels: this.params.channels, since } : { channels: this.params.channels };
    this.socket.timeout(SUBSCRIBE_TIMEOUT_MS).emit('display:subscribe', request, (err: Error | null, result: Result<SubscribeResult>) => {
      if (generation !== this.subscribeGeneration) return;
      this.subscribing = false;
      if (err) {
        this.retryLater();
        return;
      }
      if (!result.ok) {
        if (FATAL_CODES.has(result.error.code)) this.fail(result.error);
        else this.retryLater();
        return;
      }
      this.applySubscribeResult(result.value);
      if (this.subscribeAgain) {
        this.subscribeAgain = false;
        this.subscribe();
      }
    });
  }

  private retryLater(): void {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => this.subscribe(), RETRY_MS);
  }

  private applySubscribeResult(result: SubscribeResult): void {
    for (const view of this.views.values()) {
      const snapshot: ChannelSnapshot | undefined = result.channels.find((s) => s.channel === view.channel);
      if (!snapshot) continue;
      const outcome = view.applySnapshot(snapshot);
      if (outcome.kind === 'gap') this.subscribeAgain = true;
    }
    this.refreshBlocks();
    this.showNotice(result.notice, false);
    this.status = 'live';
  }

  private afterApply(view: CaptionView, outcome: CaptionViewOutcome): void {
    if (outcome.kind === 'applied' || outcome.kind === 'gap') this.refreshBlocks(view.channel);
    if (outcome.kind === 'gap') this.subscribe();
  }

  private refreshBlocks(only?: string): void {
    for (const [channel, view] of this.views) if (only === undefined || channel === only) this.rows.get(channel)?.update(view);
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
