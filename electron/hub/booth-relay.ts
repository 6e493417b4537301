/**
 * A feature module of the caption hub for consoles (contract in electron/common/booth-relay.ts): a latency
 * ping, the handover of a booth channel between the two consoles of one booth (requested by the one off air or
 * offered by the one on air) with each booth's presence, and room-wide channel mutes. The
 * hub starts it with every hub (HubOptions.features) and hands it each booth and operator socket after its own
 * handlers, so the handshake check, rate limit and caption handlers are untouched. Who is on air is kept in this process: with several hub processes on Redis, consoles of
 * one booth must reach the same node for handover (ping works everywhere). Channel mutes are shared between the
 * nodes (`clustered`): a change goes to the other nodes through socket.io's inter-server messages, and a node that
 * starts asks the others for the mutes they hold.
 */
import type { Server } from 'socket.io';
import type { z } from 'zod';
import {
  channelMuteSchema,
  channelMutesSchema,
  HANDOVER_TIMEOUT_MS,
  handoverCancelSchema,
  handoverClaimSchema,
  handoverOfferSchema,
  handoverRequestSchema,
  handoverRespondSchema,
  pingSchema,
  type BoothPresence,
  type BoothRelayClientEvents,
  type BoothRelayServerEvents,
  type HandoverAsked,
  type HandoverDone,
  type HandoverKind,
  type OnAirInfo,
  type RoomMutes,
} from '../common/booth-relay';
import { ERROR_CODES } from '../common/protocol';
import { fail, ok, type Result } from '../common/result';
import type { FeatureSocket, HubFeature, HubFeatureContext, HubSocketData } from './hub-socket';

type RelaySocket = FeatureSocket<BoothRelayClientEvents, BoothRelayServerEvents>;

interface Holder {
  clientId: string;
  label: string;
  /** Took the channel by a claim that did not say it was on air before (a returning holder takes it back). */
  provisional: boolean;
}

/** A handover waiting for its answer. */
interface PendingRequest {
  key: string;
  channel: string;
  kind: HandoverKind;
  /** The console that started it (it may cancel it). */
  fromClientId: string;
  fromLabel: string;
  /** The consoles that may answer: the one on air (request), or the booth's other consoles (offer). */
  askedClientIds: string[];
  timer: NodeJS.Timeout;
}

/** The consoles of one booth (room and channel) the hub has seen, for presence. */
interface Booth {
  room: string;
  channel: string;
  members: Map<string, { label: string; sockets: Set<RelaySocket> }>;
}

/** Offline members a booth keeps for presence ("offline" beats forgetting a partner at once). */
const MAX_BOOTH_MEMBERS = 6;

/** The booth relay as a hub feature, with what tests and health read of it. */
export interface BoothRelay extends HubFeature<BoothRelayClientEvents, BoothRelayServerEvents> {
  /** Who is on air on a channel (tests, health). */
  holderOf(room: string, channel: string): string | null;
  /** Muted channels of a room. */
  mutedIn(room: string): string[];
}

/** Inter-server messages of the relay (socket.io `serverSideEmit`, through the Redis Streams adapter). */
const MUTES_CHANGED = 'tarjuman:relay:mutes';
const MUTES_WANTED = 'tarjuman:relay:mutes?';
/** Pauses between a starting node's asks for the mutes the running nodes hold (heartbeats come every 5 s). */
const LEARN_PAUSES_MS = [250, 500, 1000, 2000, 3000, 4000, 5000];

/**
 * The booth relay: `hub:ping`, `handover:*` and `channel:mute(s)` for the booth and operator sockets of a hub.
 * On a hub that is one node of several (`clustered`), channel mutes are shared between the nodes.
 */
export function boothRelay(): BoothRelay {
  let context: HubFeatureContext | null = null;
  const holders = new Map<string, Holder>();
  const pending = new Map<string, PendingRequest>();
  /** Connected booth sockets by clientId (a console may briefly have two while reconnecting). */
  const sockets = new Map<string, Set<RelaySocket>>();
  /** The consoles of each booth, by room/channel key. */
  const booths = new Map<string, Booth>();

  /** Muted channels per room. */
  const mutes = new Map<string, Set<string>>();
  /** Connected booth and operator sockets per room (mute broadcasts). */
  const publishers = new Map<string, Set<RelaySocket>>();
  const mutesOf = (room: string): RoomMutes => ({ room, muted: [...(mutes.get(room) ?? [])].sort() });
  /** Sets a room's mutes; tells this node's consoles when they changed. */
  const applyMutes = (room: string, muted: readonly string[]): RoomMutes => {
    const before = mutesOf(room).muted.join(',');
    mutes.set(room, new Set(muted));
    const now = mutesOf(room);
    if (now.muted.join(',') !== before) for (const s of publishers.get(room) ?? []) s.emit('channel:muted', now);
    return now;
  };
  const isMutes = (v: unknown): v is RoomMutes =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as RoomMutes).room === 'string' &&
    Array.isArray((v as RoomMutes).muted) &&
    (v as RoomMutes).muted.every((c) => typeof c === 'string');
  const onMutesChanged = (m: unknown): void => {
    if (isMutes(m)) applyMutes(m.room, m.muted);
  };
  const onMutesWanted = (reply: unknown): void => {
    if (typeof reply === 'function') reply([...mutes.keys()].map(mutesOf));
  };
  const keyOf = (room: string, channel: string): string => `${room}/${channel}`;
  const info = (channel: string, holder: Holder | undefined): OnAirInfo => ({
    channel,
    holderClientId: holder?.clientId ?? null,
    holderLabel: holder?.label ?? null,
  });
  const connected = (clientId: string): boolean => (sockets.get(clientId)?.size ?? 0) > 0;
  const emitTo = (clientId: string, event: 'handover:done', payload: HandoverDone): void => {
    for (const s of sockets.get(clientId) ?? []) s.emit(event, payload);
  };

  /** Who is in a booth (online, offline, on air). */
  const presenceOf = (key: string, booth: Booth): BoothPresence => {
    const holder = holders.get(key);
    return {
      channel: booth.channel,
      members: [...booth.members].map(([clientId, m]) => ({ clientId, label: m.label, online: m.sockets.size > 0, onAir: holder?.clientId === clientId })),
    };
  };
  /** Tells every console of a booth, and the room's operators (their overview), who is in it. */
  const broadcastPresence = (key: string): void => {
    const booth = booths.get(key);
    if (!booth) return;
    const presence = presenceOf(key, booth);
    for (const m of booth.members.values()) for (const s of m.sockets) s.emit('booth:presence', presence);
    for (const s of publishers.get(booth.room) ?? []) if (s.data.role === 'operator') s.emit('booth:presence', presence);
  };
  const setHolder = (key: string, holder: Holder): void => {
    holders.set(key, holder);
    broadcastPresence(key);
  };
  /** Ends a waiting handover and tells both sides; an accepted one moves the channel first. */
  const finish = (requestId: string, outcome: HandoverDone['outcome'], newHolder?: Holder): OnAirInfo => {
    const request = pending.get(requestId)!;
    pending.delete(requestId);
    clearTimeout(request.timer);
    if (newHolder) setHolder(request.key, newHolder);
    const done: HandoverDone = { requestId, outcome, ...info(request.channel, holders.get(request.key)) };
    for (const clientId of new Set([request.fromClientId, ...request.askedClientIds])) emitTo(clientId, 'handover:done', done);
    return info(request.channel, holders.get(request.key));
  };
  /** The handover of a booth that waits, of one kind, if any. */
  const waitingIn = (key: string, kind: HandoverKind): [string, PendingRequest] | undefined => [...pending].find(([, p]) => p.key === key && p.kind === kind);
  /** Starts a handover that the other side must answer within {@link HANDOVER_TIMEOUT_MS}. */
  const ask = (requestId: string, request: Omit<PendingRequest, 'timer'>): void => {
    const timer = setTimeout(() => {
      if (pending.has(requestId)) finish(requestId, 'expired');
    }, HANDOVER_TIMEOUT_MS);
    timer.unref();
    pending.set(requestId, { ...request, timer });
    const asked: HandoverAsked = { requestId, channel: request.channel, kind: request.kind, fromClientId: request.fromClientId, fromLabel: request.fromLabel };
    for (const clientId of request.askedClientIds) for (const s of sockets.get(clientId) ?? []) s.emit('handover:asked', asked);
  };

  /** Registers a handler with payload parsing and a safe ack (never throws into socket.io). */
  function handle<S extends z.ZodType, T>(
    socket: RelaySocket,
    event: keyof BoothRelayClientEvents,
    schema: S,
    run: (req: z.infer<S>, id: HubSocketData) => Result<T>,
  ): void {
    // The payload arrives as whatever the console sent: parsed below.
    (socket as unknown as { on(e: string, l: (...a: unknown[]) => void): void }).on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: Result<T>) => void) : undefined;
      const payload = ack && args.length > 1 ? args[0] : ack ? undefined : args[0];
      let result: Result<T>;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) result = fail(ERROR_CODES.INVALID_PAYLOAD, `bad ${event}`);
      else {
        try {
          result = run(parsed.data, socket.data);
        } catch {
          result = fail(ERROR_CODES.INTERNAL, `the hub could not process ${event}`);
        }
      }
      try {
        ack?.(result);
      } catch {
        // A broken ack must not take the hub down.
      }
    });
  }

  /** The booth's room/channel key, or an error for sockets that are not booths. */
  function boothKey(id: HubSocketData): Result<{ key: string; room: string; channel: string; clientId: string; label: string }> {
    if (id.role !== 'booth' || !id.room || !id.channel) {
      return fail(ERROR_CODES.FORBIDDEN, 'only a booth console takes part in a handover');
    }
    if (!id.clientId) return fail(ERROR_CODES.INVALID_PAYLOAD, 'a booth console names its clientId in the handshake for handover');
    return ok({ key: keyOf(id.room, id.channel), room: id.room, channel: id.channel, clientId: id.clientId, label: id.label ?? id.clientId });
  }

  /** Adds a booth socket to its booth's members (presence), forgetting the oldest offline members beyond a few. */
  function joinBooth(socket: RelaySocket, id: HubSocketData): void {
    const me = boothKey(id);
    if (!me.ok) return;
    const { key, room, channel, clientId, label } = me.value;
    let booth = booths.get(key);
    if (!booth) booths.set(key, (booth = { room, channel, members: new Map() }));
    let member = booth.members.get(clientId);
    if (!member) booth.members.set(clientId, (member = { label, sockets: new Set() }));
    member.label = label;
    member.sockets.add(socket);
    const offline = [...booth.members].filter(([, m]) => m.sockets.size === 0);
    for (const [gone] of offline.slice(0, Math.max(0, booth.members.size - MAX_BOOTH_MEMBERS))) booth.members.delete(gone);
    broadcastPresence(key);
    socket.on('disconnect', () => {
      member.sockets.delete(socket);
      broadcastPresence(key);
    });
  }

  const onConnection = (socket: RelaySocket): void => {
    const id = socket.data;
    if (id.role === 'booth' && id.clientId) {
      let set = sockets.get(id.clientId);
      if (!set) sockets.set(id.clientId, (set = new Set()));
      set.add(socket);
      socket.on('disconnect', () => {
        set.delete(socket);
        if (set.size === 0) sockets.delete(id.clientId!);
      });
      joinBooth(socket, id);
    }

    if ((id.role === 'booth' || id.role === 'operator') && id.room) {
      const room = id.room;
      let set = publishers.get(room);
      if (!set) publishers.set(room, (set = new Set()));
      set.add(socket);
      socket.on('disconnect', () => set.delete(socket));
      if (id.role === 'operator') for (const [key, booth] of booths) if (booth.room === room) socket.emit('booth:presence', presenceOf(key, booth));
    }

    handle(socket, 'hub:ping', pingSchema, () => ok({ now: Date.now() }));

    handle(socket, 'channel:mutes', channelMutesSchema, (_req, who) => {
      if ((who.role !== 'booth' && who.role !== 'operator') || !who.room) return fail(ERROR_CODES.FORBIDDEN, 'only consoles ask for mutes');
      const room = who.room;
      const channels = context?.rooms.find((r) => r.id === room)?.channels;
      return ok({ ...mutesOf(room), ...(channels ? { channels: [...channels] } : {}) });
    });

    handle(socket, 'channel:mute', channelMuteSchema, (req, who) => {
      if (who.role !== 'operator' || !who.room) return fail(ERROR_CODES.FORBIDDEN, 'only an operator mutes a channel');
      const room = who.room;
      const set = new Set(mutes.get(room) ?? []);
      if (req.muted) set.add(req.channel);
      else set.delete(req.channel);
      const now = applyMutes(room, [...set]);
      // A half-line shown when the operator mutes would stay on the displays: it goes with the mute.
      if (req.muted) context?.withdrawPartial(room, req.channel);
      if (context?.clustered) (context.io as unknown as Server).serverSideEmit(MUTES_CHANGED, now);
      return ok(now);
    });

    handle(socket, 'handover:claim', handoverClaimSchema, (req, who) => {
      const me = boothKey(who);
      if (!me.ok) return me;
      const { key, channel, clientId, label } = me.value;
      const holder = holders.get(key);
      if (!holder || holder.clientId === clientId) {
        const next: Holder = { clientId, label, provisional: holder ? holder.provisional && !req.wasOnAir : !req.wasOnAir };
        setHolder(key, next);
        return ok(info(channel, next));
      }
      if (req.wasOnAir && holder.provisional) {
        // The console that was on air is back after a hub restart: it takes its channel back.
        const next: Holder = { clientId, label, provisional: false };
        setHolder(key, next);
        emitTo(holder.clientId, 'handover:done', { requestId: `reclaim-${Date.now()}`, outcome: 'reclaimed', ...info(channel, next) });
        return ok(info(channel, next));
      }
      return ok(info(channel, holder));
    });

    handle(socket, 'handover:request', handoverRequestSchema, (req, who) => {
      const me = boothKey(who);
      if (!me.ok) return me;
      const { key, channel, clientId, label } = me.value;
      const holder = holders.get(key);
      if (!holder || holder.clientId === clientId || !connected(holder.clientId)) {
        const next: Holder = { clientId, label, provisional: false };
        setHolder(key, next);
        if (holder && holder.clientId !== clientId) {
          emitTo(holder.clientId, 'handover:done', { requestId: req.requestId, outcome: 'accepted', ...info(channel, next) });
        }
        return ok({ granted: true, ...info(channel, next) });
      }
      if (pending.has(req.requestId)) return fail(ERROR_CODES.CONFLICT, 'this request id is already pending');
      // The console on air offers the channel already: asking for it takes the offer.
      const offered = waitingIn(key, 'offer');
      if (offered && offered[1].fromClientId === holder.clientId && offered[1].askedClientIds.includes(clientId)) {
        return ok({ granted: true, ...finish(offered[0], 'accepted', { clientId, label, provisional: false }) });
      }
      ask(req.requestId, { key, channel, kind: 'request', fromClientId: clientId, fromLabel: label, askedClientIds: [holder.clientId] });
      return ok({ granted: false, ...info(channel, holder) });
    });

    handle(socket, 'handover:offer', handoverOfferSchema, (req, who) => {
      const me = boothKey(who);
      if (!me.ok) return me;
      const { key, channel, clientId, label } = me.value;
      if (holders.get(key)?.clientId !== clientId) return fail(ERROR_CODES.FORBIDDEN, 'only the on-air console offers its channel');
      if (pending.has(req.requestId)) return fail(ERROR_CODES.CONFLICT, 'this request id is already pending');
      // The other console asks for the channel already: offering it accepts that request.
      const requested = waitingIn(key, 'request');
      if (requested && connected(requested[1].fromClientId)) {
        const from = requested[1];
        return ok(finish(requested[0], 'accepted', { clientId: from.fromClientId, label: from.fromLabel, provisional: false }));
      }
      const partners = [...(booths.get(key)?.members ?? [])].filter(([id, m]) => id !== clientId && m.sockets.size > 0).map(([id]) => id);
      if (partners.length === 0) return fail(ERROR_CODES.NOT_FOUND, 'no other console of this booth is connected to take the channel');
      ask(req.requestId, { key, channel, kind: 'offer', fromClientId: clientId, fromLabel: label, askedClientIds: partners });
      return ok(info(channel, holders.get(key)));
    });

    handle(socket, 'handover:cancel', handoverCancelSchema, (req, who) => {
      const me = boothKey(who);
      if (!me.ok) return me;
      const { key, channel, clientId } = me.value;
      const request = pending.get(req.requestId);
      if (!request || request.key !== key) return fail(ERROR_CODES.NOT_FOUND, 'no such handover (expired or answered)');
      if (request.fromClientId !== clientId) return fail(ERROR_CODES.FORBIDDEN, 'only the console that started a handover cancels it');
      finish(req.requestId, 'cancelled');
      return ok(info(channel, holders.get(key)));
    });

    handle(socket, 'handover:respond', handoverRespondSchema, (req, who) => {
      const me = boothKey(who);
      if (!me.ok) return me;
      const { key, clientId, label } = me.value;
      const request = pending.get(req.requestId);
      if (!request || request.key !== key) return fail(ERROR_CODES.NOT_FOUND, 'no such handover request (expired or answered)');
      const holder = holders.get(key);
      if (request.kind === 'request') {
        if (holder?.clientId !== clientId) return fail(ERROR_CODES.FORBIDDEN, 'only the on-air console answers a handover request');
        if (!req.accept) return ok(finish(req.requestId, 'declined'));
        if (!connected(request.fromClientId)) return ok(finish(req.requestId, 'expired'));
        return ok(finish(req.requestId, 'accepted', { clientId: request.fromClientId, label: request.fromLabel, provisional: false }));
      }
      if (!request.askedClientIds.includes(clientId)) return fail(ERROR_CODES.FORBIDDEN, 'only a console the channel was offered to answers the offer');
      if (!req.accept) return ok(finish(req.requestId, 'declined'));
      // The offering console no longer holds the channel (it moved meanwhile): the offer is void.
      if (holder?.clientId !== request.fromClientId) return ok(finish(req.requestId, 'expired'));
      return ok(finish(req.requestId, 'accepted', { clientId, label, provisional: false }));
    });
  };

  let closed = false;
  let learnTimer: ReturnType<typeof setTimeout> | undefined;

  return {
    name: 'booth relay',
    start(ctx) {
      context = ctx;
      if (!ctx.clustered) return;
      // Inter-server messages are the relay's own, outside the hub's typed events.
      const io = ctx.io as unknown as Server;
      io.sockets.on(MUTES_CHANGED, onMutesChanged);
      io.sockets.on(MUTES_WANTED, onMutesWanted);
      // A node that (re)starts learns the mutes the running nodes hold. The adapter counts the other nodes from
      // their heartbeats, so right after start it may know none and the ask returns at once with no answer: ask
      // again, with growing pauses, until a node answers (or ~15 s pass: then this node is the first).
      const learnMutes = (attempt: number): void => {
        if (closed) return;
        void io.serverSideEmitWithAck(MUTES_WANTED).then(
          (replies: unknown[]) => {
            for (const reply of replies) {
              if (Array.isArray(reply)) for (const m of reply) if (isMutes(m) && !mutes.has(m.room)) applyMutes(m.room, m.muted);
            }
            return replies.length > 0;
          },
          () => false, // no other node answered in time
        ).then((learned) => {
          if (!learned && attempt < LEARN_PAUSES_MS.length && !closed) {
            learnTimer = setTimeout(() => learnMutes(attempt + 1), LEARN_PAUSES_MS[attempt]);
          }
        });
      };
      learnMutes(0);
    },
    connection: onConnection,
    holderOf: (room, channel) => holders.get(keyOf(room, channel))?.clientId ?? null,
    mutedIn: (room) => mutesOf(room).muted,
    muted: (room, channel) => mutes.get(room)?.has(channel) ?? false,
    close() {
      const io = context?.io as unknown as Server | undefined;
      io?.sockets.off(MUTES_CHANGED, onMutesChanged);
      io?.sockets.off(MUTES_WANTED, onMutesWanted);
      closed = true;
      clearTimeout(learnTimer);
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
    },
  };
}
