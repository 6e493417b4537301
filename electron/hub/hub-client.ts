/**
 * Client side of the hub protocol for Node programs (`npm run say`, tests, benchmarks): connecting with a
 * handshake, requests with acks and a timeout, and {@link CaptionFollower}, which applies what a display
 * receives with the cursor rules (drop what it already has, resubscribe on a gap) and counts anomalies.
 */
import { io, type Socket as ClientSocket } from 'socket.io-client';
import {
  type CaptionLine,
  type ChannelChange,
  type ChannelSnapshot,
  type HandshakeAuth,
  type HubClientEvents,
  type HubServerEvents,
  type Notice,
  type PartialUpdate,
  type SubscribeResult,
} from '../common/protocol';
import { checkRequestSize } from '../common/frame-limit';
import { fail, ok, type Result } from '../common/result';

/** A typed socket.io client of the hub. */
export type HubClientSocket = ClientSocket<HubServerEvents, HubClientEvents>;

/** The value an event's ack carries, e.g. `Result<PublishAck>` for `caption:publish`. */
export type AckOf<E extends keyof HubClientEvents> =
  Parameters<HubClientEvents[E]>[1] extends (r: infer R) => void ? R : never;

export interface ConnectOptions {
  /** `['websocket']` skips long-polling (benchmarks, many clients). Default polling then websocket. */
  transports?: Array<'websocket' | 'polling'>;
  /** Reconnect automatically after a drop. Default true. */
  reconnection?: boolean;
  /** Give up the first connection after this long. Default 10 s. */
  timeoutMs?: number;
  /** Do not share a Manager (one engine per client). Default true. */
  forceNew?: boolean;
  /** Extra HTTP headers of the handshake (Node only; browsers set their own). */
  extraHeaders?: Record<string, string>;
}

/** Connects and resolves once connected, or with the hub's refusal (`connect_error` data) as an error value. */
export function connectHubClient(url: string, auth: HandshakeAuth, options: ConnectOptions = {}): Promise<Result<HubClientSocket>> {
  const socket: HubClientSocket = io(url, {
    auth,
    transports: options.transports ?? ['polling', 'websocket'],
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
    reconnection: options.reconnection ?? true,
    forceNew: options.forceNew ?? true,
    timeout: options.timeoutMs ?? 10_000,
    reconnectionDelay: 200,
    reconnectionDelayMax: 2000,
  });
  return new Promise((resolve) => {
    const done = (result: Result<HubClientSocket>): void => {
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      resolve(result);
    };
    const onConnect = (): void => done(ok(socket));
    const onError = (err: Error & { data?: unknown }): void => {
      const data = err.data as { code?: unknown; message?: unknown } | undefined;
      socket.disconnect();
      if (data && typeof data.code === 'string') {
        done(fail(data.code, typeof data.message === 'string' ? data.message : err.message));
      } else {
        done(fail('CONNECT_FAILED', `cannot reach the hub at ${url}: ${err.message}`));
      }
    };
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/**
 * Sends a request and waits for its ack; a timeout comes back as an error value. A request larger than the hub
 * reads is refused here, with the hub's code (see frame-limit.ts), instead of costing the connection.
 */
export async function hubRequest<E extends keyof HubClientEvents>(
  socket: HubClientSocket,
  event: E,
  payload: Parameters<HubClientEvents[E]>[0],
  timeoutMs = 10_000,
): Promise<AckOf<E>> {
  const size = checkRequestSize(event, payload);
  if (!size.ok) return size as AckOf<E>;
  try {
    const emit = socket.timeout(timeoutMs).emitWithAck as unknown as (e: E, p: unknown) => Promise<AckOf<E>>;
    return await emit.call(socket.timeout(timeoutMs), event, payload);
  } catch (err) {
    return fail('TIMEOUT', `no answer to ${event} within ${timeoutMs} ms (${String(err)})`) as AckOf<E>;
  }
}

/** What a {@link CaptionFollower} saw. */
export interface FollowerStats {
  /** Changes applied. */
  applied: number;
  /** Changes received that the follower already had (cursor not above its own); dropped. */
  droppedDuplicates: number;
  /** Gaps detected (a change whose cursor skipped one); each triggered a resubscribe. */
  gaps: number;
  /** Subscribes that returned a reset. */
  resets: number;
  /** Subscribe calls made (first and after reconnects). */
  subscribes: number;
  /** `committed` changes for an id the follower already held as committed (must stay 0). */
  doubledCommits: number;
}

interface ChannelView {
  cursor: number;
  lines: Map<string, CaptionLine>;
  partial: CaptionLine | null;
}

/**
 * Follows channels of a room the way a display does: subscribes (again after each reconnect that socket.io
 * could not recover, with `since` = its cursors), applies snapshots and live changes in cursor order, and keeps
 * every committed line at its latest revision.
 */
export class CaptionFollower {
  readonly stats: FollowerStats = { applied: 0, droppedDuplicates: 0, gaps: 0, resets: 0, subscribes: 0, doubledCommits: 0 };
  notice: Notice | null = null;
  /** Called for every applied change and partial (benchmarks measure latency here). */
  onLine: ((line: CaptionLine, kind: 'partial' | ChannelChange['kind']) => void) | null = null;
  private readonly socket: HubClientSocket;
  private readonly channels: string[];
  private readonly views = new Map<string, ChannelView>();
  private subscribing: Promise<Result<SubscribeResult>> | null = null;
  private buffered: Array<ChannelChange | PartialUpdate> = [];

  constructor(socket: HubClientSocket, channels: string[]) {
    this.socket = socket;
    this.channels = channels;
    for (const c of channels) this.views.set(c, { cursor: 0, lines: new Map(), partial: null });
    socket.on('caption:changed', (change) => this.receive(change));
    socket.on('caption:partial', (update) => this.receive(update));
    socket.on('notice:changed', (notice) => {
      this.notice = notice.text === null ? null : notice;
    });
    socket.on('connect', () => {
      if (!socket.recovered) void this.subscribe();
    });
  }

  /** Subscribes (or resubscribes with the cursors held); resolves with the hub's answer. */
  subscribe(): Promise<Result<SubscribeResult>> {
    const since: Record<string, number> = {};
    let any = false;
    for (const [c, v] of this.views) {
      if (v.cursor > 0) {
        since[c] = v.cursor;
        any = true;
      }
    }
    this.stats.subscribes++;
    const pending = hubRequest(this.socket, 'display:subscribe', { channels: this.channels, ...(any ? { since } : {}) }).then(
      (result) => {
        if (this.subscribing === pending) this.subscribing = null;
        if (result.ok) {
          for (const snapshot of result.value.channels) this.applySnapshot(snapshot);
          this.notice = result.value.notice;
        }
        const buffered = this.buffered;
        this.buffered = [];
        for (const item of buffered) this.receive(item);
        return result;
      },
    );
    this.subscribing = pending;
    return pending;
  }

  /** The committed lines of a channel in commit (cursor) order, latest revision. */
  lines(channel: string): CaptionLine[] {
    return [...(this.views.get(channel)?.lines.values() ?? [])];
  }

  partial(channel: string): CaptionLine | null {
    return this.views.get(channel)?.partial ?? null;
  }

  cursor(channel: string): number {
    return this.views.get(channel)?.cursor ?? 0;
  }

  private applySnapshot(snapshot: ChannelSnapshot): void {
    const view = this.views.get(snapshot.channel);
    if (!view) return;
    if (snapshot.reset) {
      this.stats.resets++;
      view.lines.clear();
      view.cursor = 0;
      for (const change of snapshot.changes) this.applyChange(view, change, true);
    } else {
      for (const change of snapshot.changes) {
        if (change.cursor <= view.cursor) this.stats.droppedDuplicates++;
        else this.applyChange(view, change, false);
      }
    }
    view.cursor = snapshot.cursor;
    view.partial = snapshot.partial;
  }

  private receive(item: ChannelChange | PartialUpdate): void {
    if (this.subscribing) {
      this.buffered.push(item);
      return;
    }
    const view = this.views.get(item.channel);
    if (!view) return;
    if (!('kind' in item)) {
      if (item.cursor < view.cursor) return;
      view.partial = item.line;
      this.onLine?.(item.line, 'partial');
      return;
    }
    if (item.cursor <= view.cursor) {
      this.stats.droppedDuplicates++;
      return;
    }
    if (item.cursor > view.cursor + 1) {
      this.stats.gaps++;
      void this.subscribe();
      return;
    }
    this.applyChange(view, item, false);
    view.cursor = item.cursor;
  }

  private applyChange(view: ChannelView, change: ChannelChange, fromReset: boolean): void {
    this.stats.applied++;
    if (change.kind === 'cleared') {
      view.lines.clear();
      view.partial = null;
    } else {
      if (change.kind === 'committed' && !fromReset && view.lines.has(change.line.id)) this.stats.doubledCommits++;
      view.lines.set(change.line.id, change.line);
      if (view.partial?.id === change.line.id) view.partial = null;
      this.onLine?.(change.line, change.kind);
    }
    if (!fromReset) view.cursor = Math.max(view.cursor, change.cursor);
  }
}
