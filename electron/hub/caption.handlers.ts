/**
 * The hub's request handlers, one per client event of the caption protocol: parse the payload with its schema,
 * check the role, decide through the store (the repository) in the room's turn, and send the broadcasts and the
 * ack through the room's outbox. Acks are typed from `HubClientEvents`; a failure is a value with a stable code,
 * never an exception on the wire.
 *
 * A subscribing display joins the channel rooms when its answer leaves the outbox, so it gets its snapshot
 * before any later change and every change after it: no gap, no duplicate. With several hub nodes (Redis) it
 * joins before reading instead, and drops by cursor what arrives before the snapshot.
 */
import { z } from 'zod';
import type { RateLimitConfig } from '../common/hub-config';
import {
  clearChannelSchema,
  ERROR_CODES,
  MAX_NOTICE_LENGTH,
  publishLineSchema,
  reviseLineSchema,
  ROLES,
  showNoticeSchema,
  subscribeSchema,
  type ChannelSnapshot,
  type ErrorCode,
  type HubClientEvents,
  type Notice,
  type PublishLine,
  type Role,
} from '../common/protocol';
import { fail, ok, type Result } from '../common/result';
import { hasVisibleCharacter } from '../common/visible-text';
import type { Logger } from '../node/logger';
import { cleanCaptionText, cleanedStableChars } from './caption-text';
import type { ChannelClosed } from './caption-rules';
import type { HistoryStore } from './history-store';
import { describeIssues, PUBLISHER_ROLES } from './hub-handshake';
import { channelRoomKey, hubRoomKey, type HubFeature, type HubRoom, type HubServer, type HubSocket, type HubSocketData } from './hub-socket';
import { NOTICE_LANE, type RoomSequencer } from './room-sequencer';
import type { StalePartials } from './stale-partials';
import { TokenBucket } from './token-bucket';

/** The ack callback of a client event, as `HubClientEvents` declares it. */
type AckOf<E extends keyof HubClientEvents> = Parameters<HubClientEvents[E]>[1];
/** The value an event is acknowledged with. */
type ReplyOf<E extends keyof HubClientEvents> = Parameters<AckOf<E>>[0];

/** Everything the handlers of one room need. */
export interface RoomHandlersContext {
  room: HubRoom;
  sequencer: RoomSequencer;
  store: HistoryStore;
  io: HubServer;
  logger: Logger;
  features: readonly HubFeature[];
  /** Join channel rooms before reading a snapshot (several hub nodes) instead of when the answer leaves. */
  joinBeforeSnapshot: boolean;
  notices: NoticeExpiry;
  /** The watch that withdraws partials nobody will finish. */
  partials: Pick<StalePartials, 'partialShown' | 'partialGone'>;
}

/** Who published through a socket, for the partial watch: its handshake clientId (stable across reconnects), else the socket. */
export function publisherKey(socket: Pick<HubSocket, 'id' | 'data'>): string {
  return socket.data.clientId ?? `socket:${socket.id}`;
}

const emptyRequestSchema = z.strictObject({}).optional();

/**
 * Registers `event` on `socket`: role check, payload parsing with `schema`, then `run` with the parsed request
 * and a reply that acks once and never throws. A failure of `run` is logged and answered `INTERNAL`.
 */
function on<E extends keyof HubClientEvents, S extends z.ZodType>(
  socket: HubSocket,
  logger: Logger,
  event: E,
  schema: S,
  roles: readonly Role[],
  run: (request: z.infer<S>, reply: (result: ReplyOf<E>) => void, who: HubSocketData) => Promise<void> | void,
): void {
  // The payload arrives as whatever the client sent (maybe no ack, maybe extra arguments): parsed below.
  const listener = (...args: unknown[]): void => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (r: ReplyOf<E>) => void) : undefined;
    const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
    let replied = false;
    const reply = (result: ReplyOf<E>): void => {
      if (replied) return;
      replied = true;
      try {
        ack?.(result);
      } catch {
        // A broken ack must not take the hub down.
      }
    };
    const failWith = (code: ErrorCode, message: string): void => reply(fail(code, message) as ReplyOf<E>);
    const who = socket.data;
    if (!roles.includes(who.role)) return failWith(ERROR_CODES.FORBIDDEN, `a ${who.role} may not send ${event}`);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return failWith(ERROR_CODES.INVALID_PAYLOAD, `bad ${event}: ${describeIssues(parsed.error)}`);
    const internal = (err: unknown): void => {
      logger.error('request failed', { event, error: String(err) });
      failWith(ERROR_CODES.INTERNAL, 'the hub could not process this request');
    };
    try {
      const pending = run(parsed.data, reply, who);
      if (pending) pending.catch(internal);
    } catch (err) {
      internal(err);
    }
  };
  // socket.io types a listener by the declared payload; this one takes what actually arrives and parses it.
  (socket as unknown as { on(e: string, l: (...a: unknown[]) => void): void }).on(event, listener);
}

/** Checks that a socket may write to `channel` of its room. */
function writable(who: HubSocketData, room: HubRoom, channel: string): Result<void, ErrorCode> {
  if (!room.channels.includes(channel)) return fail(ERROR_CODES.UNKNOWN_CHANNEL, `room ${room.id} has no channel ${channel}`);
  if (who.role === 'booth' && who.channel !== channel) {
    return fail(ERROR_CODES.FORBIDDEN, `this booth publishes to ${who.channel ?? '?'} only, not ${channel}`);
  }
  return ok(undefined);
}

/**
 * Why a channel an operator muted takes no new line or revision (a feature holds the mutes: the booth relay), or
 * `null`. Read in the room's turn and handed to the store, which still acknowledges a resend of what it already
 * holds as a duplicate: a line taken before the mute whose ack was lost is not held by its console as unsent.
 */
function mutedNow(features: readonly HubFeature[], room: HubRoom, channel: string): ChannelClosed {
  if (!features.some((f) => f.muted?.(room.id, channel))) return null;
  return { code: ERROR_CODES.CHANNEL_MUTED, message: `an operator muted ${channel} in room ${room.id}: no line goes out until it is unmuted` };
}

/** The notice to send a display now, with the time it has left on this hub's clock (displays' clocks may be off). */
function currentNotice(notice: Notice | null, now: number): Notice | null {
  if (!notice || notice.text === null) return null;
  if (notice.ttlMs === undefined) return notice;
  const remainingMs = notice.shownAt + notice.ttlMs - now;
  return remainingMs > 0 ? { ...notice, remainingMs } : null;
}

/** Clears each room's notice when its time is up (a notice shown with `ttlMs`). */
export class NoticeExpiry {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly expire: (room: string, shownAt: number) => void) {}

  /** (Re)arms the room's timer for `notice` (a notice without `ttlMs`, or a clear, disarms it). */
  schedule(notice: Notice): void {
    const old = this.timers.get(notice.room);
    if (old) clearTimeout(old);
    this.timers.delete(notice.room);
    if (notice.text === null || notice.ttlMs === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(notice.room);
      this.expire(notice.room, notice.shownAt);
    }, Math.max(0, notice.shownAt + notice.ttlMs - Date.now()));
    timer.unref();
    this.timers.set(notice.room, timer);
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Clears a room's notice whose time is up, unless another was shown meanwhile. */
export function expireNotice(ctx: Pick<RoomHandlersContext, 'sequencer' | 'store' | 'io'>, room: string, shownAt: number): Promise<void> {
  return ctx.sequencer.inTurn(async () => {
    const current = await ctx.store.notice(room);
    if (!current.ok || current.value?.shownAt !== shownAt) return;
    const cleared: Notice = { room, text: null, shownAt: Date.now() };
    const saved = await ctx.store.setNotice(cleared);
    if (saved.ok) ctx.sequencer.deliver([NOTICE_LANE], undefined, () => ctx.io.to(hubRoomKey(room)).emit('notice:changed', cleared));
  });
}

/**
 * Withdraws the partial `lineId` of a channel (an empty partial of that line, in the room's turn like any publish),
 * if it is still the channel's partial: on several hub nodes another node may have replaced it meanwhile. Without
 * `lineId`, whatever partial the channel shows.
 */
export function withdrawPartial(
  ctx: Pick<RoomHandlersContext, 'sequencer' | 'store' | 'io' | 'features' | 'logger'>,
  room: string,
  channel: string,
  lineId?: string,
): Promise<void> {
  return ctx.sequencer.inTurn(async () => {
    const current = await ctx.store.partial(room, channel);
    if (!current.ok || !current.value || !hasVisibleCharacter(current.value.text)) return;
    if (lineId !== undefined && current.value.id !== lineId) return;
    const { id, source, startedAt } = current.value;
    const outcome = await ctx.store.publish(room, { id, channel, text: '', state: 'partial', source, startedAt }, Date.now());
    if (!outcome.ok || !outcome.value.partial) return;
    const { partial, durable } = outcome.value;
    ctx.logger.info('partial withdrawn', { room, channel, id, why: lineId === undefined ? 'asked' : 'stale' });
    ctx.sequencer.deliver([channel], durable, () => {
      ctx.io.to(channelRoomKey(room, channel)).emit('caption:partial', partial);
      for (const f of ctx.features) f.partial?.(partial);
    });
  });
}

/**
 * Refuses a socket's requests beyond its token bucket with `RATE_LIMITED`, and disconnects a socket that keeps
 * flooding.
 */
export function limitRequests(socket: HubSocket, rate: RateLimitConfig, logger: Logger): void {
  const bucket = new TokenBucket(rate.burst, rate.perSecond);
  let refused = 0;
  socket.use((packet, next) => {
    if (bucket.take()) {
      next();
      return;
    }
    refused++;
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') {
      try {
        (ack as (r: Result<never, ErrorCode>) => void)(fail(ERROR_CODES.RATE_LIMITED, `more than ${rate.perSecond} requests/s; slow down`));
      } catch {
        // A broken ack must not take the hub down.
      }
    }
    const who = socket.data;
    if (refused === 1 || refused % 1000 === 0) logger.warn('requests rate-limited', { role: who.role, room: who.room, clientId: who.clientId, refused });
    if (refused > rate.burst * 100) {
      logger.warn('client disconnected for flooding', { role: who.role, room: who.room, clientId: who.clientId });
      socket.disconnect(true);
    }
  });
}

/** Registers the caption protocol's handlers on a socket of `ctx.room`. */
export function registerCaptionHandlers(socket: HubSocket, ctx: RoomHandlersContext): void {
  const { room, sequencer, store, io, logger, features } = ctx;
  const roomId = room.id;

  on(socket, logger, 'caption:publish', publishLineSchema, PUBLISHER_ROLES, (line, reply, who) => {
    const allowed = writable(who, room, line.channel);
    if (!allowed.ok) return reply(allowed);
    const text = cleanCaptionText(line.text);
    if (!text.ok) return reply(text);
    if (line.state === 'final' && !hasVisibleCharacter(text.value)) {
      return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'a final line needs text (marks, zero-width and blank characters show nothing)'));
    }
    if (line.audioStart !== undefined && line.audioEnd !== undefined && line.audioEnd < line.audioStart) {
      return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'audioEnd is before audioStart'));
    }
    return sequencer.inTurn(async () => {
      const stableChars = line.state === 'partial' ? cleanedStableChars(line.text, line.stableChars) : undefined;
      const { stableChars: _given, ...rest } = line;
      const cleaned: PublishLine = { ...rest, text: text.value, ...(stableChars ? { stableChars } : {}) };
      const outcome = await store.publish(roomId, cleaned, Date.now(), mutedNow(features, room, line.channel));
      if (!outcome.ok) return reply(outcome);
      const { partial, change, ack, durable } = outcome.value;
      const key = channelRoomKey(roomId, line.channel);
      sequencer.deliver([line.channel], durable, () => {
        if (partial) io.to(key).emit('caption:partial', partial);
        if (change) io.to(key).emit('caption:changed', change);
        reply(ok(ack));
        if (partial && hasVisibleCharacter(partial.line.text)) ctx.partials.partialShown(roomId, line.channel, partial.line.id, publisherKey(socket));
        else if (partial) ctx.partials.partialGone(roomId, line.channel);
        if (change?.kind === 'committed') ctx.partials.partialGone(roomId, line.channel, change.line.id);
        for (const f of features) {
          if (partial) f.partial?.(partial);
          if (change) f.changed?.(change);
        }
      });
    });
  });

  on(socket, logger, 'caption:revise', reviseLineSchema, PUBLISHER_ROLES, (rev, reply, who) => {
    const allowed = writable(who, room, rev.channel);
    if (!allowed.ok) return reply(allowed);
    const text = cleanCaptionText(rev.text);
    if (!text.ok) return reply(text);
    if (!hasVisibleCharacter(text.value)) {
      return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'a correction needs text (marks, zero-width and blank characters show nothing)'));
    }
    return sequencer.inTurn(async () => {
      const outcome = await store.revise(roomId, rev.channel, rev.id, text.value, Date.now(), mutedNow(features, room, rev.channel));
      if (!outcome.ok) return reply(outcome);
      const { change, ack, durable } = outcome.value;
      sequencer.deliver([rev.channel], durable, () => {
        if (change) io.to(channelRoomKey(roomId, rev.channel)).emit('caption:changed', change);
        reply(ok(ack));
        if (change) for (const f of features) f.changed?.(change);
      });
    });
  });

  on(socket, logger, 'channel:clear', clearChannelSchema, PUBLISHER_ROLES, (req, reply, who) => {
    const allowed = writable(who, room, req.channel);
    if (!allowed.ok) return reply(allowed);
    return sequencer.inTurn(async () => {
      const outcome = await store.clear(roomId, req.channel, Date.now());
      if (!outcome.ok) return reply(outcome);
      const { change, ack, durable } = outcome.value;
      sequencer.deliver([req.channel], durable, () => {
        if (change) io.to(channelRoomKey(roomId, req.channel)).emit('caption:changed', change);
        reply(ok({ cursor: ack.cursor }));
        ctx.partials.partialGone(roomId, req.channel);
        if (change) for (const f of features) f.changed?.(change);
      });
    });
  });

  const setNotice = (notice: Notice, reply: (r: ReplyOf<'notice:show'>) => void): Promise<void> =>
    sequencer.inTurn(async () => {
      const saved = await store.setNotice(notice);
      if (!saved.ok) return reply(saved);
      ctx.notices.schedule(notice);
      sequencer.deliver([NOTICE_LANE], undefined, () => {
        io.to(hubRoomKey(roomId)).emit('notice:changed', notice.ttlMs !== undefined ? { ...notice, remainingMs: notice.ttlMs } : notice);
        reply(ok(notice));
      });
    });

  on(socket, logger, 'notice:show', showNoticeSchema, ['operator'], (req, reply) => {
    const text = cleanCaptionText(req.text, MAX_NOTICE_LENGTH);
    if (!text.ok) return reply(text);
    if (!hasVisibleCharacter(text.value)) return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'a notice needs text (send notice:clear to remove it)'));
    const notice: Notice = { room: roomId, text: text.value, shownAt: Date.now() };
    if (req.ttlMs !== undefined) notice.ttlMs = req.ttlMs;
    return setNotice(notice, reply);
  });

  on(socket, logger, 'notice:clear', emptyRequestSchema, ['operator'], (_req, reply) => setNotice({ room: roomId, text: null, shownAt: Date.now() }, reply));

  on(socket, logger, 'display:subscribe', subscribeSchema, ROLES, (req, reply) => {
    const channels = [...new Set(req.channels)];
    const unknown = channels.filter((c) => !room.channels.includes(c));
    if (unknown.length > 0) return reply(fail(ERROR_CODES.UNKNOWN_CHANNEL, `room ${roomId} has no channel ${unknown.join(', ')}`));
    return sequencer.inTurn(async () => {
      const join = (): void => {
        for (const channel of room.channels) {
          const key = channelRoomKey(roomId, channel);
          if (channels.includes(channel)) void socket.join(key);
          else void socket.leave(key);
        }
      };
      // Join before reading with several hub nodes: a change committed on another node between the read and
      // the join would otherwise be missed; one that arrives before the snapshot is dropped by its cursor.
      if (ctx.joinBeforeSnapshot) join();
      const snapshots: ChannelSnapshot[] = [];
      for (const channel of channels) {
        const snapshot = await store.snapshot(roomId, channel, req.since?.[channel]);
        if (!snapshot.ok) return reply(snapshot);
        snapshots.push(snapshot.value);
      }
      const notice = await store.notice(roomId);
      const answer = { room: roomId, channels: snapshots, notice: notice.ok ? currentNotice(notice.value, Date.now()) : null };
      // Alone, the socket joins when its answer leaves the outbox: every change applied before the snapshot
      // has been broadcast by then (without it), every later one will reach it (after the answer).
      sequencer.deliver([...channels, NOTICE_LANE], undefined, () => {
        if (!ctx.joinBeforeSnapshot) join();
        reply(ok(answer));
      });
    });
  });
}
