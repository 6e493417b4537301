/**
 * The console's view of the room: a display-role socket (no secret) subscribed to every channel of the room, for
 * the preview and the operator view. After a reconnect it subscribes again with its cursors, so the hub sends
 * only what it missed; a change is passed on once, by cursor, so catch-up never doubles a line.
 */
import { io, type Socket } from 'socket.io-client';
import type { ChannelChange, HubClientEvents, HubServerEvents, Notice, PartialUpdate, SubscribeResult } from '../common/protocol';
import { CONSOLE_ERROR_CODES, consoleError, consoleResult, fail, type ConsoleError, type ConsoleResult } from '../common/console-api-result';

type ViewSocket = Socket<HubServerEvents, HubClientEvents>;

/** What the room view reports. */
export interface RoomViewEvents {
  partial(update: PartialUpdate): void;
  changed(change: ChannelChange): void;
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
}

/**
 * socket.io does not retry after the server closed the connection itself (a hub shutting down does), but a
 * restarted hub must still get the console back: connect again shortly.
 */
export function reconnectAfterServerClose(socket: Socket, closed: () => boolean): void {
  const timer = setTimeout(() => {
    if (!closed() && !socket.connected) socket.connect();
  }, 500);
  timer.unref();
}

/** The room as displays see it, followed live. Create, `open()`, `close()` when done. */
export class HubRoomView {
  private socket: ViewSocket | null = null;
  private readonly cursors = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly options: RoomViewOptions,
    private readonly events: RoomViewEvents,
  ) {}

  open(): void {
    const { url, room, clientId, channels } = this.options;
    const view: ViewSocket = io(url, {
      auth: { role: 'display', room, clientId: `${clientId}-view` },
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
      forceNew: true,
    });
    this.socket = view;
    view.on('connect', () => {
      const since: Record<string, number> = {};
      for (const [ch, cursor] of this.cursors) since[ch] = cursor;
      view.timeout(10_000).emit('display:subscribe', { channels: [...channels], ...(this.cursors.size > 0 ? { since } : {}) }, (err, r) => {
        if (err) return;
        if (!r.ok) {
          this.events.viewRefused(consoleError(r.error));
          return;
        }
        for (const snap of r.value.channels) {
          if (snap.reset) this.cursors.delete(snap.channel);
          for (const change of snap.changes) this.accept(change);
          if (snap.partial) this.events.partial({ room, channel: snap.channel, cursor: snap.cursor, line: snap.partial });
        }
        if (r.value.notice) this.events.notice(r.value.notice);
      });
    });
    view.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') reconnectAfterServerClose(view, () => this.closed);
    });
    view.on('caption:changed', (change) => this.accept(change));
    view.on('caption:partial', (update) => this.events.partial(update));
    view.on('notice:changed', (notice) => this.events.notice(notice));
  }

  /** The room as displays see it now (every channel), straight from the hub. */
  snapshot(): Promise<ConsoleResult<SubscribeResult>> {
    const view = this.socket;
    if (!view?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      view.timeout(5000).emit('display:subscribe', { channels: [...this.options.channels] }, (err, r) => {
        if (err) resolve(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.'));
        else resolve(consoleResult(r));
      });
    });
  }

  /** Drops the connection and opens a new one (the network went silently dead). */
  reconnect(): void {
    this.socket?.disconnect();
    this.socket?.connect();
  }

  close(): void {
    this.closed = true;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  /** Passes a change on once (by cursor). */
  private accept(change: ChannelChange): void {
    const last = this.cursors.get(change.channel) ?? 0;
    if (change.cursor <= last) return;
    this.cursors.set(change.channel, change.cursor);
    this.events.changed(change);
  }
}
