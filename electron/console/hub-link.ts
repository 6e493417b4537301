/**
 * The console's connection to a caption hub (embedded or elsewhere on the venue network): a **publisher** socket
 * (role booth or operator, with the room secret) that sends through the outbox (hub-outbox.ts) and speaks the
 * booth relay (handover, on-air, mutes), and the **room view** (hub-room-view.ts) for the preview.
 *
 * The link watches its own health: a ping every few seconds gives the round trip (and, from a hub that counts
 * them, the displays watching each channel), and two unanswered pings in a row (on a hub that has answered
 * before) mean a silently dead network, so it reconnects at once instead of waiting for socket.io's own timeout
 * (45 s by default); the outbox then resends what is unacknowledged.
 *
 * Delivery (what the on-air indicator must not hide) is judged from what the hub actually acknowledges, not
 * from the socket alone: a request waiting longer than {@link DELIVERY_LATE_MS} makes it `late` within that
 * time (a timer fires at the deadline), a refusal or a lost link makes it `failing` until the next ack.
 */
import { io, type Socket } from 'socket.io-client';
import type { HubClientEvents, HubServerEvents, Notice, PublishAck, PublishLine, ReviseLine, SubscribeResult } from '../common/protocol';
import type { BoothPresence, BoothRelayClientEvents, BoothRelayServerEvents, HandoverAsked, HandoverDone, OnAirInfo, RoomMutes } from '../common/booth-relay';
import type { Result } from '../common/result';
import { DELIVERY_LATE_MS, type DeliveryStatus } from '../common/console-api';
import { CONSOLE_ERROR_CODES, consoleError, consoleResult, fail, ok, type ConsoleError, type ConsoleResult } from '../common/console-api-result';
import { HubOutbox, type OutboxRequest, type OutboxTimings } from './hub-outbox';
import { HubRoomView, type RoomViewEvents } from './hub-room-view';

type PublisherSocket = Socket<HubServerEvents & BoothRelayServerEvents, HubClientEvents & BoothRelayClientEvents>;

/** How a hub link identifies itself, and its timings. */
export interface HubLinkOptions extends OutboxTimings {
  /** Hub base URL, e.g. `http://127.0.0.1:7300`. */
  url: string;
  room: string;
  role: 'booth' | 'operator';
  /** A booth's own channel. */
  channel?: string;
  /** Room secret or channel PIN (never logged). */
  secret: string;
  /** Stable id of this console (handover). */
  clientId: string;
  label: string;
  /** Channels the view subscribes to (the room's channels). */
  viewChannels: readonly string[];
  /**
   * The view follows the channels the hub names for the room (in its answer to `channel:mutes` after each connect)
   * instead of `viewChannels`, which it uses only with a hub that does not name them. The view then opens once the
   * hub answered.
   */
  followRoomChannels?: boolean;
  /** Committed lines the view keeps per channel (default: enough for the preview and the operator view). */
  viewKeep?: number;
  /** Operator: channels it keeps muted room-wide (asserted again after every reconnect, e.g. a hub restart). */
  operatorMutes?: readonly string[];
  /** This console held its booth channel when it last ran (it takes it back after a hub restart). */
  wasOnAir?: boolean;
  /** Round-trip ping interval, ms (default 3000). */
  pingIntervalMs?: number;
  /** A ping with no answer after this long counts as missed; two in a row force a reconnect, ms (default 5000). */
  pingTimeoutMs?: number;
}

/** Connection state as the link reports it. */
export interface HubLinkStatus {
  state: 'connecting' | 'connected' | 'disconnected' | 'error';
  latencyMs: number | null;
  error: ConsoleError | null;
  outboxPending: number;
  delivery: DeliveryStatus;
  /** Displays watching each channel at the last ping answer (null: not known). */
  displays: Record<string, number> | null;
}

/** What the link reports to its owner (the console's hub connection). */
export interface HubLinkEvents extends RoomViewEvents {
  status(status: HubLinkStatus): void;
  /** The hub acknowledged a request (possibly long after `publish` answered `queued`). */
  acked(request: OutboxRequest): void;
  /** The hub refused something for good: a request (it left the outbox) or the on-air claim. */
  refused(what: string, error: ConsoleError, request: OutboxRequest | null): void;
  /** This console's on-air state for its channel changed (handover, claim). */
  onAir(info: OnAirInfo & { onAir: boolean }): void;
  handoverAsked(e: HandoverAsked): void;
  handoverDone(e: HandoverDone & { onAir: boolean }): void;
  /** The consoles of this booth as the hub knows them. */
  presence(e: BoothPresence): void;
  /** The room's muted channels (room-wide, set by an operator). */
  mutes(muted: string[]): void;
  /** The room's channels as the hub names them (after each connect; not from every hub). */
  roomChannels?(channels: string[]): void;
}

/**
 * socket.io does not retry after the server closed the connection itself (a hub shutting down does), but a
 * restarted hub must still get the console back: connect again shortly.
 */
function reconnectAfterServerClose(socket: Socket, closed: () => boolean): void {
  const timer = setTimeout(() => {
    if (!closed() && !socket.connected) socket.connect();
  }, 500);
  timer.unref();
}

/** A live link to one hub. Create, then `connect()`; `close()` when done. */
export class HubLink {
  private publisher: PublisherSocket | null = null;
  private readonly view: HubRoomView;
  private readonly outbox: HubOutbox;
  private pingTimer: NodeJS.Timeout | null = null;
  private latencyMs: number | null = null;
  private state: HubLinkStatus['state'] = 'disconnected';
  private lastError: ConsoleError | null = null;
  private onAirNow = false;
  private wasOnAir: boolean;
  /** The hub answered a ping at least once (it has the console extension), so a missing answer means trouble. */
  private pingAnswered = false;
  private missedPings = 0;
  private closed = false;
  /** The hub's last refusal of a request, until the next ack. */
  private lastRefusal: ConsoleError | null = null;
  private displays: Record<string, number> | null = null;
  private lateTimer: NodeJS.Timeout | null = null;
  private viewOpen = false;

  constructor(
    private options: HubLinkOptions,
    private readonly events: HubLinkEvents,
  ) {
    this.wasOnAir = options.wasOnAir ?? false;
    this.view = new HubRoomView(
      { url: options.url, room: options.room, clientId: options.clientId, channels: options.viewChannels, ...(options.viewKeep ? { keep: options.viewKeep } : {}) },
      events,
    );
    this.outbox = new HubOutbox(
      {
        connected: () => this.publisher?.connected ?? false,
        send: (request, timeoutMs, onAck) => this.sendRequest(request, timeoutMs, onAck),
      },
      {
        acked: (request) => {
          if (this.lastRefusal) {
            this.lastRefusal = null;
            this.emitStatus();
          }
          events.acked(request);
        },
        refused: (request, error) => {
          // A muted channel's line is held by the console: delivery itself is fine.
          if (error.code !== 'CHANNEL_MUTED') {
            this.lastRefusal = error;
            this.emitStatus();
          }
          events.refused(request.kind, error, request);
        },
        size: () => this.emitStatus(),
      },
      options,
    );
  }

  /** Current status. */
  get status(): HubLinkStatus {
    return {
      state: this.state,
      latencyMs: this.latencyMs,
      error: this.lastError,
      outboxPending: this.outbox.size,
      delivery: this.delivery(),
      displays: this.displays,
    };
  }

  private delivery(): DeliveryStatus {
    const since = this.outbox.oldestSince;
    const oldestPendingMs = since === null ? null : Date.now() - since;
    if (this.state !== 'connected') {
      const reason = this.lastError?.message ?? (this.state === 'connecting' ? 'Connecting to the hub; lines wait in the outbox.' : 'Not connected to the hub.');
      return { state: 'failing', reason, oldestPendingMs };
    }
    if (this.lastRefusal) return { state: 'failing', reason: `The hub refused a line: ${this.lastRefusal.message}`, oldestPendingMs };
    if (oldestPendingMs !== null && oldestPendingMs >= DELIVERY_LATE_MS) {
      return { state: 'late', reason: `No answer from the hub for ${(oldestPendingMs / 1000).toFixed(1)} s; lines wait in the outbox.`, oldestPendingMs };
    }
    return { state: 'ok', reason: null, oldestPendingMs };
  }

  /** Reports again when the oldest waiting request crosses the late threshold. */
  private armLateTimer(): void {
    if (this.lateTimer) clearTimeout(this.lateTimer);
    this.lateTimer = null;
    const since = this.outbox.oldestSince;
    if (since === null || this.closed) return;
    const due = since + DELIVERY_LATE_MS - Date.now();
    // Past the threshold already: the status says late; report again each second so the age stays true.
    this.lateTimer = setTimeout(() => this.emitStatus(), due > 0 ? due + 5 : 1000);
    this.lateTimer.unref();
  }

  /** The room this link goes to. */
  get room(): string {
    return this.options.room;
  }

  /** Whether this console holds its booth channel (always true for an operator). */
  get onAir(): boolean {
    return this.options.role === 'operator' || this.onAirNow;
  }

  /**
   * Opens both sockets. Resolves once the publisher is connected or the first attempt failed (it keeps retrying
   * in the background unless the hub refused the credentials).
   */
  connect(timeoutMs = 10_000): Promise<ConsoleResult<void>> {
    const { url, room, role, channel, secret, clientId, label } = this.options;
    const auth = { role, room, secret, clientId, ...(label ? { label } : {}), ...(role === 'booth' && channel ? { channel } : {}) };
    const publisher: PublisherSocket = io(url, {
      auth,
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
      timeout: 5000,
      forceNew: true,
    });
    this.publisher = publisher;
    this.setState('connecting', null);

    const settled = new Promise<ConsoleResult<void>>((resolve) => {
      let done = false;
      const finish = (r: ConsoleResult<void>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => finish(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, `No answer from the hub at ${url}; still trying.`)), timeoutMs);
      publisher.on('connect', () => finish(ok(undefined)));
      publisher.on('connect_error', (err: Error & { data?: unknown }) => {
        const refusal = refusalOf(err);
        finish(fail(refusal.code, refusal.message));
      });
    });

    publisher.on('connect', () => {
      this.setState('connected', null);
      void this.afterConnect();
    });
    publisher.on('connect_error', (err: Error & { data?: unknown }) => {
      // A refusal by the hub's handshake check is final; a network error is retried by socket.io.
      this.setState(publisher.active ? 'connecting' : 'error', refusalOf(err));
    });
    publisher.on('disconnect', (reason) => {
      if (this.closed) return;
      this.latencyMs = null;
      if (reason === 'io server disconnect') reconnectAfterServerClose(publisher, () => this.closed);
      this.setState(publisher.active ? 'connecting' : 'disconnected', {
        code: CONSOLE_ERROR_CODES.HUB_UNREACHABLE,
        message: `Lost the hub (${reason}); reconnecting. Lines wait in the outbox.`,
      });
    });
    publisher.on('handover:asked', (e) => this.events.handoverAsked(e));
    publisher.on('handover:done', (e) => this.applyOnAir(e, e));
    publisher.on('booth:presence', (e) => this.events.presence(e));
    publisher.on('channel:muted', (e) => this.events.mutes(e.muted));

    if (!this.options.followRoomChannels) this.openView(this.options.viewChannels);
    this.pingTimer = setInterval(() => void this.tick(), this.options.pingIntervalMs ?? 3000);
    return settled;
  }

  /** Closes both sockets. Unacknowledged requests are answered with `NOT_CONNECTED`. */
  close(): void {
    this.closed = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.lateTimer) clearTimeout(this.lateTimer);
    this.lateTimer = null;
    this.publisher?.removeAllListeners();
    this.publisher?.disconnect();
    this.publisher = null;
    this.view.close();
    this.outbox.close();
    this.state = 'disconnected';
  }

  /** Publishes a line through the outbox: the hub's ack, or `null` when none came within `ackWaitMs` (queued). */
  publish(line: PublishLine): Promise<ConsoleResult<PublishAck | null>> {
    return this.outbox.publish(line);
  }

  /** Sends a correction of a committed line. */
  revise(rev: ReviseLine): Promise<ConsoleResult<PublishAck | null>> {
    return this.outbox.revise(rev);
  }

  /** Clears a channel on every display. */
  clear(channel: string): Promise<ConsoleResult<{ cursor: number } | null>> {
    return this.outbox.clear(channel);
  }

  /** Shows (text) or clears (null) the room notice. */
  notice(text: string | null, ttlMs?: number): Promise<ConsoleResult<Notice | null>> {
    return this.outbox.notice(text, ttlMs);
  }

  /** The room as displays see it now (every view channel), straight from the hub. */
  roomView(): Promise<ConsoleResult<SubscribeResult>> {
    return this.view.snapshot();
  }

  /** Operator: mutes or unmutes a channel room-wide (every console of the room holds its lines meanwhile). */
  setMuted(channel: string, muted: boolean): Promise<ConsoleResult<RoomMutes>> {
    if (this.options.role === 'operator') {
      const list = new Set(this.options.operatorMutes ?? []);
      if (muted) list.add(channel);
      else list.delete(channel);
      this.options = { ...this.options, operatorMutes: [...list] };
    }
    const publisher = this.publisher;
    if (!publisher?.connected) {
      return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub; the mute applies here and goes to the hub on reconnect.'));
    }
    return new Promise((resolve) => {
      publisher.timeout(5000).emit('channel:mute', { channel, muted }, (err, r) =>
        resolve(
          answerOf(err, r, (mutes) => {
            this.events.mutes(mutes.muted);
            return mutes;
          }),
        ),
      );
    });
  }

  /** Booth: asks the on-air console of this channel for it. Granted at once when that console is away. */
  requestHandover(requestId: string): Promise<ConsoleResult<{ granted: boolean }>> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      publisher.timeout(5000).emit('handover:request', { requestId }, (err, r) =>
        resolve(
          answerOf(err, r, (info) => {
            this.applyOnAir(info, null);
            return { granted: info.granted };
          }),
        ),
      );
    });
  }

  /** On-air booth: offers the channel to the other console(s) of the booth. */
  offerHandover(requestId: string): Promise<ConsoleResult<void>> {
    return this.relayRequest('handover:offer', { requestId });
  }

  /** Withdraws a handover this console started. */
  cancelHandover(requestId: string): Promise<ConsoleResult<void>> {
    return this.relayRequest('handover:cancel', { requestId });
  }

  private relayRequest(event: 'handover:offer' | 'handover:cancel', payload: { requestId: string }): Promise<ConsoleResult<void>> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      publisher.timeout(5000).emit(event, payload, (err, r) => resolve(answerOf(err, r, (info) => this.applyOnAir(info, null))));
    });
  }

  /** Answers a handover the other console started (its request when on air, its offer when off air). */
  respondHandover(requestId: string, accept: boolean): Promise<ConsoleResult<void>> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      publisher.timeout(5000).emit('handover:respond', { requestId, accept }, (err, r) => resolve(answerOf(err, r, (info) => this.applyOnAir(info, null))));
    });
  }

  private applyOnAir(info: OnAirInfo, done: HandoverDone | null): void {
    const onAir = info.holderClientId === this.options.clientId;
    const changed = onAir !== this.onAirNow;
    this.onAirNow = onAir;
    this.wasOnAir = onAir;
    if (done) this.events.handoverDone({ ...done, onAir });
    if (changed || !done) this.events.onAir({ ...info, onAir });
  }

  private async afterConnect(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return;
    if (this.options.role === 'booth') {
      publisher.timeout(5000).emit('handover:claim', { wasOnAir: this.wasOnAir }, (err, r) => {
        if (!err && r.ok) this.applyOnAir(r.value, null);
        else if (!err && !r.ok && r.error.code !== 'UNKNOWN_EVENT') {
          this.events.refused('handover claim', consoleError(r.error), null);
        } else if (err) {
          // A hub without the booth relay: the single console of a booth is on air.
          this.onAirNow = true;
          this.events.onAir({ channel: this.options.channel ?? '', holderClientId: this.options.clientId, holderLabel: this.options.label, onAir: true });
        }
      });
    }
    if (this.options.role === 'operator') {
      for (const channel of this.options.operatorMutes ?? []) publisher.emit('channel:mute', { channel, muted: true }, () => undefined);
    }
    publisher.timeout(5000).emit('channel:mutes', {}, (err, r) => {
      if (this.closed || publisher !== this.publisher) return;
      if (!err && r.ok) {
        this.events.mutes(r.value.muted);
        if (r.value.channels) this.events.roomChannels?.(r.value.channels);
      }
      if (this.options.followRoomChannels) this.openView((!err && r.ok && r.value.channels) || this.options.viewChannels);
    });
    this.outbox.resendAll();
    void this.ping();
  }

  /** Opens the view on `channels`, or moves an open one to them when they changed. */
  private openView(channels: readonly string[]): void {
    if (!this.viewOpen) {
      this.viewOpen = true;
      this.view.open(channels);
    } else if (channels.join() !== this.view.channels.join()) {
      this.view.retarget(channels);
    }
  }

  private sendRequest(request: OutboxRequest, timeoutMs: number, onAck: (err: Error | null, answer?: Result<unknown>) => void): void {
    const timed = this.publisher?.timeout(timeoutMs);
    if (!timed) return;
    switch (request.kind) {
      case 'publish':
        timed.emit('caption:publish', request.payload, onAck);
        break;
      case 'revise':
        timed.emit('caption:revise', request.payload, onAck);
        break;
      case 'clear':
        timed.emit('channel:clear', request.payload, onAck);
        break;
      case 'notice':
        if (request.payload === null) timed.emit('notice:clear', {}, onAck);
        else timed.emit('notice:show', request.payload, onAck);
        break;
    }
  }

  private async tick(): Promise<void> {
    if (!this.publisher?.connected) return;
    this.outbox.resendStale();
    await this.ping();
  }

  private ping(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve();
    const sentAt = performance.now();
    return new Promise((resolve) => {
      publisher.timeout(this.options.pingTimeoutMs ?? 5000).emit('hub:ping', { sentAt: Date.now() }, (err, answer) => {
        if (!err) {
          this.pingAnswered = true;
          this.missedPings = 0;
          this.latencyMs = Math.round((performance.now() - sentAt) * 10) / 10;
          this.displays = answer?.ok && answer.value.displays ? { ...answer.value.displays } : null;
          this.emitStatus();
        } else if (this.pingAnswered && publisher === this.publisher && publisher.connected && ++this.missedPings >= 2) {
          this.missedPings = 0;
          this.latencyMs = null;
          publisher.disconnect();
          this.setState('connecting', { code: CONSOLE_ERROR_CODES.HUB_UNREACHABLE, message: 'The hub stopped answering; reconnecting. Lines wait in the outbox.' });
          publisher.connect();
          this.view.reconnect();
        }
        resolve();
      });
    });
  }

  private setState(state: HubLinkStatus['state'], error: ConsoleError | null): void {
    this.state = state;
    this.lastError = error;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.armLateTimer();
    this.events.status(this.status);
  }
}

/** A booth-relay answer as ours: no answer in time is `HUB_UNREACHABLE`; a success goes through `onOk`. */
function answerOf<A, T>(err: Error | null, answer: Result<A>, onOk: (value: A) => T): ConsoleResult<T> {
  if (err) return fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.');
  const checked = consoleResult(answer);
  return checked.ok ? ok(onOk(checked.value)) : checked;
}

/** The hub's handshake refusal (`connect_error` with `data: {code, message}`), or a network error. */
function refusalOf(err: Error & { data?: unknown }): ConsoleError {
  const data = err.data as { code?: unknown; message?: unknown } | undefined;
  if (data && typeof data.code === 'string') {
    return consoleError({ code: data.code, message: typeof data.message === 'string' ? data.message : err.message });
  }
  return { code: CONSOLE_ERROR_CODES.HUB_UNREACHABLE, message: `Cannot reach the hub (${err.message}).` };
}
