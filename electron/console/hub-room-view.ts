/**
 * The console's view of the room: a display-role socket (no secret) following every channel of the room with
 * the product's ChannelFollower (electron/common/channel-follower.ts), for the preview and the operator view. The
 * follower catches up by cursor after a reconnect and subscribes again with `since` by itself on a gap, so the
 * core passes on every change once and in order; the page reloads the whole view only when it opens.
 */
import { io, type Socket } from 'socket.io-client';
import { ChannelFollower } from '../common/channel-follower';
import type { ChannelChange, HubClientEvents, HubServerEvents, Notice, PartialUpdate, SubscribeResult } from '../common/protocol';
import { CONSOLE_ERROR_CODES, consoleError, consoleResult, fail, type ConsoleError, type ConsoleResult } from '../common/console-api-result';
import { CONSOLE_VIEW_SUFFIX } from '../common/booth-relay';

/** Committed lines the console keeps per channel of its room view (the page keeps fewer). */
const ROOM_VIEW_KEEP = 200;

type ViewSocket = Socket<HubServerEvents, HubClientEvents>;

/** What the room view reports. */
export interface RoomViewEvents {
  partial(update: PartialUpdate): void;
  /** A change applied, once and in order: `live`, or from the answer to a (re)subscribe (`catch-up`, `reset`). */
  changed(change: ChannelChange, via: 'reset' | 'catch-up' | 'live'): void;
  notice(notice: Notice): void;
  /** The hub refused the subscription (e.g. `UNKNOWN_CHANNEL`: the room there has other channels). */
  viewRefused(error: ConsoleError): void;
}

/** Where the view connects. */
export interface RoomViewOptions {
  url: string;
  room: string;
  /** The console's id (the view socket names itself after it). */
  clientId: string;
  /** The room's channels. */
  channels: readonly string[];
  /** Committed lines kept per channel (default {@link ROOM_VIEW_KEEP}; a monitor that wants the last line's age keeps 1). */
  keep?: number;
}

/** The room as displays see it, followed live. Create, `open()`, `close()` when done. */
export class HubRoomView {
  private socket: ViewSocket | null = null;
  private follower: ChannelFollower | null = null;

  constructor(
    private readonly options: RoomViewOptions,
    private readonly events: RoomViewEvents,
  ) {}

  /** Connects and follows `channels` (default: the ones given at creation). */
  open(channels: readonly string[] = this.options.channels): void {
    const { url, room, clientId } = this.options;
    const view: ViewSocket = io(url, {
      auth: { role: 'display', room, clientId: `${clientId}${CONSOLE_VIEW_SUFFIX}` },
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
      forceNew: true,
    });
    this.socket = view;
    this.follow(channels);
  }

  /** The channels followed now. */
  get channels(): readonly string[] {
    return this.follower?.channels ?? this.options.channels;
  }

  /** Follows other channels on the same connection (the hub named the room's channels). */
  retarget(channels: readonly string[]): void {
    if (!this.socket) return;
    this.follower?.stop();
    this.follow(channels);
  }

  private follow(channels: readonly string[]): void {
    const view = this.socket;
    if (!view) return;
    const { room } = this.options;
    this.follower = new ChannelFollower(view, {
      channels,
      keep: this.options.keep ?? ROOM_VIEW_KEEP,
      changed: (change, via) => this.events.changed(change, via),
      partial: (update) => this.events.partial(update),
      // An answer without a notice says nothing new; a live clear is passed on as the hub sends it (text null).
      notice: (notice, live) => {
        if (notice) this.events.notice(notice);
        else if (live) this.events.notice({ room, text: null, shownAt: Date.now() });
      },
      // E.g. the room on that hub has other channels than the settings say: the view stays empty, say why.
      refused: (error) => this.events.viewRefused(consoleError(error)),
    });
    void this.follower.start();
  }

  /** The room as displays see it now (every channel), straight from the hub. */
  snapshot(): Promise<ConsoleResult<SubscribeResult>> {
    const view = this.socket;
    if (!view?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      view.timeout(5000).emit('display:subscribe', { channels: [...this.channels] }, (err, r) => {
        if (err) resolve(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.'));
        else resolve(consoleResult(r));
      });
    });
  }

  /** Drops the connection and opens a new one (the network went silently dead); the follower catches up. */
  reconnect(): void {
    this.socket?.disconnect();
    this.socket?.connect();
  }

  close(): void {
    this.follower?.stop();
    this.follower = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }
}
