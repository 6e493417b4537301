/**
 * The console's connection to a caption hub (embedded or elsewhere on the venue network).
 *
 * Two socket.io-client sockets: a **publisher** (role booth or operator, with the room secret) that sends lines
 * through an outbox, and a **view** (role display, no secret) subscribed to every channel of the room for the
 * preview and the operator view, with catch-up by cursor after a reconnect.
 *
 * The outbox keeps every request until the hub acknowledges it. Offline, lines queue in order; after a
 * reconnect (or a hub restart) everything unacknowledged goes out again in order. The hub is idempotent per
 * line id, so a resend that had already arrived is harmless (its ack says `duplicate`). A partial is superseded
 * by a newer partial or the final of the same line, so at most one version of a line waits.
 */
import { io, type Socket } from 'socket.io-client';
import { fail, ok, type ErrorInfo, type Result } from '../common/result';
import type {
  ChannelChange,
  HubClientEvents,
  HubServerEvents,
  Notice,
  PartialUpdate,
  PublishAck,
  PublishLine,
  ReviseLine,
  SubscribeResult,
} from '../common/protocol';
import type {
  BoothRelayClientEvents,
  BoothRelayServerEvents,
  HandoverAsked,
  HandoverDone,
  OnAirInfo,
  RoomMutes,
} from '../common/booth-relay';
import { CONSOLE_ERROR_CODES } from '../common/console-api';

type PublisherSocket = Socket<HubServerEvents & BoothRelayServerEvents, HubClientEvents & BoothRelayClientEvents>;
type ViewSocket = Socket<HubServerEvents, HubClientEvents>;

/** How a hub link identifies itself. */
export interface HubLinkOptions {
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
  /** Operator: channels it keeps muted room-wide (asserted again after every reconnect, e.g. a hub restart). */
  operatorMutes?: readonly string[];
  /** This console held its booth channel when it last ran (it takes it back after a hub restart). */
  wasOnAir?: boolean;
  /** Round-trip ping interval, ms (default 3000). */
  pingIntervalMs?: number;
  /** A ping with no answer after this long counts as missed; two in a row force a reconnect, ms (default 5000). */
  pingTimeoutMs?: number;
  /** An unacknowledged request is sent again after this long on a live connection, ms (default 5000). */
  resendAfterMs?: number;
  /** How long `publish` waits for the ack before answering `queued`, ms (default 3000). */
  ackWaitMs?: number;
}

/** Connection state as the link reports it. */
export interface HubLinkStatus {
  state: 'connecting' | 'connected' | 'disconnected' | 'error';
  latencyMs: number | null;
  error: ErrorInfo | null;
  outboxPending: number;
}

/** What the link reports to its owner (the console core). */
export interface HubLinkEvents {
  status(status: HubLinkStatus): void;
  partial(update: PartialUpdate): void;
  changed(change: ChannelChange): void;
  notice(notice: Notice): void;
  /** The hub acknowledged a request (possibly long after `publish` answered `queued`). */
  acked(kind: OutboxKind, payload: unknown): void;
  /** A request the hub refused for good (not a transient error); the line is dropped from the outbox. */
  refused(kind: OutboxKind, key: string, error: ErrorInfo, payload: unknown): void;
  /** This console's on-air state for its channel changed (handover, claim). */
  onAir(info: OnAirInfo & { onAir: boolean }): void;
  handoverAsked(e: HandoverAsked): void;
  handoverDone(e: HandoverDone & { onAir: boolean }): void;
  /** The hub refused the room view's subscription (e.g. `UNKNOWN_CHANNEL`). */
  viewRefused(error: ErrorInfo): void;
  /** The room's muted channels (room-wide, set by an operator). */
  mutes(muted: string[]): void;
}

type OutboxKind = 'publish' | 'revise' | 'clear' | 'notice';

interface OutboxEntry {
  key: string;
  kind: OutboxKind;
  payload: unknown;
  /** When it was last sent (0 = not yet). */
  sentAt: number;
  waiters: ((r: Result<unknown>) => void)[];
}

/** Errors after which resending cannot help (the request itself is wrong). */
const TRANSIENT_CODES = new Set(['RATE_LIMITED', 'INTERNAL']);

/** A live link to one hub. Create, then `connect()`; `close()` when done. */
export class HubLink {
  private publisher: PublisherSocket | null = null;
  private view: ViewSocket | null = null;
  private readonly outbox = new Map<string, OutboxEntry>();
  private pingTimer: NodeJS.Timeout | null = null;
  private latencyMs: number | null = null;
  private state: HubLinkStatus['state'] = 'disconnected';
  private lastError: ErrorInfo | null = null;
  private readonly viewCursors = new Map<string, number>();
  private onAirNow = false;
  private wasOnAir = false;
  private revisionCounter = 0;
  /** The hub answered a ping at least once (it has the console extension), so a missing answer means trouble. */
  private pingAnswered = false;
  private missedPings = 0;
  private closed = false;

  constructor(
    private options: HubLinkOptions,
    private readonly events: Partial<HubLinkEvents>,
  ) {
    this.wasOnAir = options.wasOnAir ?? false;
  }

  /** Current status. */
  get status(): HubLinkStatus {
    return { state: this.state, latencyMs: this.latencyMs, error: this.lastError, outboxPending: this.outbox.size };
  }

  /** Whether this console holds its booth channel (always true for an operator). */
  get onAir(): boolean {
    return this.options.role === 'operator' || this.onAirNow;
  }

  /**
   * Opens both sockets. Resolves once the publisher is connected or the first attempt failed (it keeps retrying
   * in the background unless the hub refused the credentials).
   */
  connect(timeoutMs = 10_000): Promise<Result<void>> {
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

    const settled = new Promise<Result<void>>((resolve) => {
      let done = false;
      const finish = (r: Result<void>): void => {
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
      const refusal = refusalOf(err);
      // A refusal by the hub's handshake check is final; a network error is retried by socket.io.
      this.setState(publisher.active ? 'connecting' : 'error', refusal);
    });
    publisher.on('disconnect', (reason) => {
      if (this.closed) return;
      this.latencyMs = null;
      // A hub shutting down disconnects its sockets itself, after which socket.io does not retry: a restarted
      // hub must still get us back.
      if (reason === 'io server disconnect') this.reconnectLater(publisher);
      this.setState(publisher.active ? 'connecting' : 'disconnected', {
        code: CONSOLE_ERROR_CODES.HUB_UNREACHABLE,
        message: `Lost the hub (${reason}); reconnecting. Lines wait in the outbox.`,
      });
    });
    publisher.on('handover:asked', (e) => this.events.handoverAsked?.(e));
    publisher.on('handover:done', (e) => this.applyOnAir(e, e));
    publisher.on('channel:muted', (e) => this.events.mutes?.(e.muted));

    this.openView();
    this.pingTimer = setInterval(() => void this.tick(), this.options.pingIntervalMs ?? 3000);
    return settled;
  }

  /** Closes both sockets. Unacknowledged requests are answered with `NOT_CONNECTED`. */
  close(): void {
    this.closed = true;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.publisher?.removeAllListeners();
    this.publisher?.disconnect();
    this.view?.removeAllListeners();
    this.view?.disconnect();
    this.publisher = null;
    this.view = null;
    for (const entry of this.outbox.values()) {
      for (const w of entry.waiters) w(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'The hub connection was closed.'));
    }
    this.outbox.clear();
    this.state = 'disconnected';
  }

  /** Requests still waiting for an ack, in order (a restarted console can carry them over). */
  pendingPublishes(): PublishLine[] {
    return [...this.outbox.values()].filter((e) => e.kind === 'publish').map((e) => e.payload as PublishLine);
  }

  /**
   * Publishes a line through the outbox. Resolves with the hub's ack, or `null` when no ack came within
   * `ackWaitMs` (offline or slow: the line stays queued and goes out after the reconnect).
   */
  publish(line: PublishLine): Promise<Result<PublishAck | null>> {
    if (line.state === 'final') this.dropEntry(`p:${line.id}`);
    const key = `${line.state === 'final' ? 'f' : 'p'}:${line.id}`;
    if (line.state === 'partial' && this.outbox.has(`f:${line.id}`)) {
      // A partial after the final of the same line changes nothing on the displays.
      return Promise.resolve(ok(null));
    }
    return this.enqueue(key, 'publish', line) as Promise<Result<PublishAck | null>>;
  }

  /** Sends a correction of a committed line. */
  revise(rev: ReviseLine): Promise<Result<PublishAck | null>> {
    return this.enqueue(`r:${rev.id}:${++this.revisionCounter}`, 'revise', rev) as Promise<Result<PublishAck | null>>;
  }

  /** Clears a channel on every display. */
  clear(channel: string): Promise<Result<{ cursor: number } | null>> {
    return this.enqueue(`c:${channel}:${++this.revisionCounter}`, 'clear', { channel }) as Promise<Result<{ cursor: number } | null>>;
  }

  /** Shows (text) or clears (null) the room notice. */
  notice(text: string | null, ttlMs?: number): Promise<Result<Notice | null>> {
    // Only the newest notice matters: a queued one is replaced.
    for (const key of [...this.outbox.keys()]) if (key.startsWith('n:')) this.dropEntry(key);
    const payload = text === null ? {} : { text, ...(ttlMs ? { ttlMs } : {}) };
    return this.enqueue(`n:${++this.revisionCounter}`, 'notice', payload) as Promise<Result<Notice | null>>;
  }

  /** The room as displays see it now (every view channel), straight from the hub. */
  roomView(): Promise<Result<SubscribeResult>> {
    const view = this.view;
    if (!view?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      view.timeout(5000).emit('display:subscribe', { channels: [...this.options.viewChannels] }, (err, r) => {
        if (err) resolve(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.'));
        else resolve(r);
      });
    });
  }

  /** Operator: mutes or unmutes a channel room-wide (every console of the room holds its lines meanwhile). */
  setMuted(channel: string, muted: boolean): Promise<Result<RoomMutes>> {
    if (this.options.role === 'operator') {
      const list = new Set(this.options.operatorMutes ?? []);
      if (muted) list.add(channel);
      else list.delete(channel);
      this.options.operatorMutes = [...list];
    }
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub; the mute applies here and goes to the hub on reconnect.'));
    return new Promise((resolve) => {
      publisher.timeout(5000).emit('channel:mute', { channel, muted }, (err, r) => {
        if (err) return resolve(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.'));
        if (r.ok) this.events.mutes?.(r.value.muted);
        resolve(r);
      });
    });
  }

  /** Booth: asks the on-air console of this channel for it. Granted at once when that console is away. */
  requestHandover(requestId: string): Promise<Result<{ granted: boolean }>> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      publisher.timeout(5000).emit('handover:request', { requestId }, (err, r) => {
        if (err) return resolve(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.'));
        if (!r.ok) return resolve(r);
        this.applyOnAir(r.value, null);
        resolve(ok({ granted: r.value.granted }));
      });
    });
  }

  /** On-air booth: answers a handover request. */
  respondHandover(requestId: string, accept: boolean): Promise<Result<void>> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to the hub.'));
    return new Promise((resolve) => {
      publisher.timeout(5000).emit('handover:respond', { requestId, accept }, (err, r) => {
        if (err) return resolve(fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, 'The hub did not answer in time.'));
        if (!r.ok) return resolve(r);
        this.applyOnAir(r.value, null);
        resolve(ok(undefined));
      });
    });
  }

  private applyOnAir(info: OnAirInfo, done: HandoverDone | null): void {
    const onAir = info.holderClientId === this.options.clientId;
    const changed = onAir !== this.onAirNow;
    this.onAirNow = onAir;
    this.wasOnAir = onAir;
    if (done) this.events.handoverDone?.({ ...done, onAir });
    if (changed || !done) this.events.onAir?.({ ...info, onAir });
  }

  private async afterConnect(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return;
    if (this.options.role === 'booth') {
      publisher.timeout(5000).emit('handover:claim', { wasOnAir: this.wasOnAir }, (err, r) => {
        if (!err && r.ok) this.applyOnAir(r.value, null);
        else if (!err && !r.ok && r.error.code !== 'UNKNOWN_EVENT') {
          this.events.refused?.('publish', 'handover:claim', r.error, null);
        } else if (err) {
          // A hub without the extension: the single console of a booth is on air.
          this.onAirNow = true;
          this.events.onAir?.({ channel: this.options.channel ?? '', holderClientId: this.options.clientId, holderLabel: this.options.label, onAir: true });
        }
      });
    }
    if (this.options.role === 'operator') {
      for (const channel of this.options.operatorMutes ?? []) publisher.emit('channel:mute', { channel, muted: true }, () => undefined);
    }
    publisher.timeout(5000).emit('channel:mutes', {}, (err, r) => {
      if (!err && r.ok) this.events.mutes?.(r.value.muted);
    });
    // Everything not yet acknowledged goes out again, in order.
    for (const entry of this.outbox.values()) this.send(entry);
    void this.ping();
  }

  private openView(): void {
    const { url, room, viewChannels } = this.options;
    const view: ViewSocket = io(url, {
      auth: { role: 'display', room, clientId: `${this.options.clientId}-view` },
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 2000,
      forceNew: true,
    });
    this.view = view;
    view.on('connect', () => {
      const since: Record<string, number> = {};
      for (const [ch, cursor] of this.viewCursors) since[ch] = cursor;
      view.timeout(10_000).emit(
        'display:subscribe',
        { channels: [...viewChannels], ...(Object.keys(since).length > 0 ? { since } : {}) },
        (err, r) => {
          if (err) return;
          if (!r.ok) {
            // E.g. the room on that hub has other channels than the settings say: the view stays empty, say why.
            this.events.viewRefused?.(r.error);
            return;
          }
          for (const snap of r.value.channels) {
            if (snap.reset) this.viewCursors.delete(snap.channel);
            for (const change of snap.changes) this.acceptChange(change);
            if (snap.partial) this.events.partial?.({ room, channel: snap.channel, cursor: snap.cursor, line: snap.partial });
          }
          if (r.value.notice) this.events.notice?.(r.value.notice);
        },
      );
    });
    view.on('disconnect', (reason) => {
      if (reason === 'io server disconnect' && !this.closed) this.reconnectLater(view);
    });
    view.on('caption:changed', (change) => this.acceptChange(change));
    view.on('caption:partial', (update) => this.events.partial?.(update));
    view.on('notice:changed', (notice) => this.events.notice?.(notice));
  }

  private reconnectLater(socket: Socket): void {
    const timer = setTimeout(() => {
      if (!this.closed && !socket.connected) socket.connect();
    }, 500);
    timer.unref();
  }

  /** Passes a change on once (by cursor), so catch-up after a reconnect never doubles a line. */
  private acceptChange(change: ChannelChange): void {
    const last = this.viewCursors.get(change.channel) ?? 0;
    if (change.cursor <= last) return;
    this.viewCursors.set(change.channel, change.cursor);
    this.events.changed?.(change);
  }

  private enqueue(key: string, kind: OutboxKind, payload: unknown): Promise<Result<unknown>> {
    this.dropEntry(key);
    const entry: OutboxEntry = { key, kind, payload, sentAt: 0, waiters: [] };
    this.outbox.set(key, entry);
    const answer = new Promise<Result<unknown>>((resolve) => {
      const wait = this.options.ackWaitMs ?? 3000;
      const timer = setTimeout(() => resolve(ok(null)), wait);
      entry.waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.send(entry);
    this.emitStatus();
    return answer;
  }

  /** Removes an entry that a newer one supersedes; its waiters hear `null` (not acknowledged, replaced). */
  private dropEntry(key: string): void {
    const old = this.outbox.get(key);
    if (!old) return;
    this.outbox.delete(key);
    for (const w of old.waiters) w(ok(null));
  }

  private send(entry: OutboxEntry): void {
    const publisher = this.publisher;
    if (!publisher?.connected) return;
    entry.sentAt = Date.now();
    const onAck = (err: Error | null, r?: Result<unknown>): void => {
      if (err || !r) return; // no answer in time: the periodic tick resends
      if (this.outbox.get(entry.key) !== entry) {
        // Replaced meanwhile (a newer partial): the ack still belongs to the old waiters.
        for (const w of entry.waiters.splice(0)) w(r.ok ? r : ok(null));
        return;
      }
      if (!r.ok && TRANSIENT_CODES.has(r.error.code)) {
        entry.sentAt = Date.now() - (this.options.resendAfterMs ?? 5000) + 500;
        return;
      }
      this.outbox.delete(entry.key);
      if (!r.ok) this.events.refused?.(entry.kind, entry.key, r.error, entry.payload);
      else this.events.acked?.(entry.kind, entry.payload);
      for (const w of entry.waiters.splice(0)) w(r);
      this.emitStatus();
    };
    const timed = publisher.timeout(this.options.resendAfterMs ?? 5000);
    switch (entry.kind) {
      case 'publish':
        timed.emit('caption:publish', entry.payload as PublishLine, onAck);
        break;
      case 'revise':
        timed.emit('caption:revise', entry.payload as ReviseLine, onAck);
        break;
      case 'clear':
        timed.emit('channel:clear', entry.payload as { channel: string }, onAck);
        break;
      case 'notice': {
        const payload = entry.payload as { text?: string; ttlMs?: number };
        if (payload.text === undefined) timed.emit('notice:clear', {}, onAck);
        else timed.emit('notice:show', payload as { text: string; ttlMs?: number }, onAck);
        break;
      }
    }
  }

  private async tick(): Promise<void> {
    if (!this.publisher?.connected) return;
    const stale = Date.now() - (this.options.resendAfterMs ?? 5000);
    for (const entry of this.outbox.values()) if (entry.sentAt !== 0 && entry.sentAt < stale) this.send(entry);
    await this.ping();
  }

  private ping(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher?.connected) return Promise.resolve();
    const sentAt = performance.now();
    return new Promise((resolve) => {
      publisher.timeout(this.options.pingTimeoutMs ?? 5000).emit('hub:ping', { sentAt: Date.now() }, (err) => {
        if (!err) {
          this.pingAnswered = true;
          this.missedPings = 0;
          this.latencyMs = Math.round((performance.now() - sentAt) * 10) / 10;
          this.emitStatus();
        } else if (this.pingAnswered && publisher === this.publisher && publisher.connected && ++this.missedPings >= 2) {
          // A silently dead network keeps socket.io "connected" for up to its ping timeout (45 s by default):
          // two unanswered pings in a row mean the link is gone, so reconnect now (the outbox resends).
          this.missedPings = 0;
          this.latencyMs = null;
          publisher.disconnect();
          this.setState('connecting', { code: CONSOLE_ERROR_CODES.HUB_UNREACHABLE, message: 'The hub stopped answering; reconnecting. Lines wait in the outbox.' });
          publisher.connect();
          if (this.view) {
            this.view.disconnect();
            this.view.connect();
          }
        }
        resolve();
      });
    });
  }

  private setState(state: HubLinkStatus['state'], error: ErrorInfo | null): void {
    this.state = state;
    this.lastError = error;
    this.emitStatus();
  }

  private emitStatus(): void {
    this.events.status?.(this.status);
  }
}

/** The hub's handshake refusal (`connect_error` with `data: {code, message}`), or a network error. */
function refusalOf(err: Error & { data?: unknown }): ErrorInfo {
  const data = err.data as { code?: unknown; message?: unknown } | undefined;
  if (data && typeof data.code === 'string') {
    return { code: data.code, message: typeof data.message === 'string' ? data.message : err.message };
  }
  return { code: CONSOLE_ERROR_CODES.HUB_UNREACHABLE, message: `Cannot reach the hub (${err.message}).` };
}
