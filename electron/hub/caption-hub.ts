/**
 * The caption hub: a socket.io server that takes caption lines from booths and operators and fans them out to
 * room displays, plus its HTTP side (display page, exports, health). Runs embedded in the console's main
 * process or standalone (`npm run hub`), same code.
 *
 * Ordering: every operation of a room (publish, revise, clear, notice, and a display's subscribe) is applied
 * one at a time through the room's queue; what it sends (broadcasts, ack) goes through the room's outbox in
 * the same order per channel, each once its journal write has settled (write-ahead, with group commit: the queue is not
 * held while the disk syncs). A subscribing display joins the channel rooms when its answer leaves the outbox,
 * so it gets its snapshot before any later change, and every change after it: no gap, no duplicate. Each
 * change carries the channel's cursor, so a display can also check this itself (drop a change whose cursor is
 * not above its own; resubscribe with `since` on a gap).
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Server, type ExtendedError, type Socket } from 'socket.io';
import { z } from 'zod';
import {
  DEFAULT_HISTORY_LIMIT,
  roomChannels,
  roomConfigSchema,
  type RateLimitConfig,
  type RoomConfig,
} from '../common/hub-config';
import {
  clearChannelSchema,
  ERROR_CODES,
  handshakeAuthSchema,
  MAX_NOTICE_LENGTH,
  publishLineSchema,
  reviseLineSchema,
  ROLES,
  showNoticeSchema,
  subscribeSchema,
  type ChannelSnapshot,
  type ErrorCode,
  type HubClientEvents,
  type HubServerEvents,
  type Notice,
  type Role,
} from '../common/protocol';
import { fail, ok, type ErrorInfo, type Result } from '../common/result';
import { cleanCaptionText } from './caption-text';
import { MemoryJournalHistoryStore, type HistoryStore, type StoreHealth } from './history-store';
import type { RedisHistoryStore } from './redis-history-store';
import { createStderrLogger, type Logger } from '../node/logger';
import type { JournalDurability } from '../node/jsonl-journal';
import { createRequestHandler } from './http-routes';
import { TokenBucket } from './token-bucket';

/** Options of {@link startCaptionHub}. */
export interface HubOptions {
  /** TCP port; 0 picks a free one (read it back from {@link CaptionHub.port}). Default 0. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`; use `0.0.0.0` to serve displays on the venue network. */
  host?: string;
  /** The rooms of the event. */
  rooms: RoomConfig[];
  /** Journal directory; omitted keeps history in memory only. Ignored when `store` is given. */
  dataDir?: string;
  /**
   * When a journaled change counts as persisted before it is announced: `write` (default; survives the hub
   * being killed, synced to the device in the background) or `fsync` (survives a power loss; every commit waits
   * for the disk flush). See {@link JournalDurability}.
   */
  journalSync?: JournalDurability;
  /** Built renderer directory holding display.html and assets/. Default `<repo>/out/renderer`. */
  staticDir?: string;
  /** Committed lines kept per channel (history, catch-up, exports). Default 500. */
  historyLimit?: number;
  /** Per-socket request limit. Default a burst of 60 and 30 requests/s. */
  rateLimit?: RateLimitConfig;
  /** Where to log; default standard error. */
  logger?: Logger;
  /** PEM certificate and key (file contents, not paths): serves HTTPS and WSS. */
  tls?: { cert: string; key: string };
  /** Another history store (e.g. Redis-backed); default memory + journal in `dataDir`. */
  store?: HistoryStore;
  /**
   * Run as one node of a hub spanning several processes: history, seq and cursors in this Redis
   * ({@link RedisHistoryStore}) and broadcasts through socket.io's Redis Streams adapter. Ignored when `store`
   * is given; `dataDir` is then unused.
   */
  redis?: { url: string; keyPrefix?: string };
  /** Called when persistence fails (`error`) or recovers (`null`); captions keep flowing either way. */
  onStoreStatus?: (room: string, error: ErrorInfo | null) => void;
  /** socket.io connection-state recovery window in ms (0 turns it off). Default 120000. */
  recoveryWindowMs?: number;
  /** Refused handshakes per client address per minute before further attempts are refused outright. Default 30. */
  handshakeFailureLimit?: number;
  /**
   * Proxies in front of the hub (load balancer, TLS terminator) whose `X-Forwarded-For` is trusted: the client's
   * address (handshake limit, logs) is the entry this many hops from the right of that header. Default 0: the
   * connection's peer address, and the header is ignored (any client can send one).
   */
  trustProxy?: number;
  /** CORS for socket.io's HTTP long-polling from other origins (e.g. the console page); default none. */
  cors?: { origin: string | string[] | boolean };
}

/** What the hub reports at /healthz. */
export interface HubHealth {
  ok: boolean;
  rooms: string[];
  connections: number;
  store: StoreHealth;
  uptimeS: number;
}

/** A room as the hub runs it. */
export interface HubRoom {
  id: string;
  name: string;
  channels: readonly string[];
}

/** What a socket presented at the handshake (stored in `socket.data`). */
export interface HubSocketData {
  role: Role;
  room: string;
  /** A booth's own channel. */
  channel?: string;
  clientId?: string;
  label?: string;
}

/** The typed socket.io server of the hub. */
export type HubServer = Server<HubClientEvents, HubServerEvents, Record<string, never>, HubSocketData>;

/** A running hub. */
export interface CaptionHub {
  /** Base URL, e.g. `http://127.0.0.1:7300` (loopback when listening on all addresses). */
  url: string;
  port: number;
  io: HubServer;
  rooms: readonly HubRoom[];
  store: HistoryStore;
  health(): HubHealth;
  /** Disconnects everyone, stops listening, and writes what the journal still holds. */
  close(): Promise<void>;
}

/** A hub that could not start (bad configuration, port in use...). */
export class HubStartError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HubStartError';
    this.code = code;
  }
}

/** Name of the socket.io room of a caption channel. */
export function channelRoomKey(room: string, channel: string): string {
  return `ch:${room}/${channel}`;
}

/** Name of the socket.io room every client of a hub room joins (notices). */
export function hubRoomKey(room: string): string {
  return `room:${room}`;
}

const DEFAULT_RATE_LIMIT: RateLimitConfig = { burst: 60, perSecond: 30 };
const PUBLISHER_ROLES: readonly Role[] = ['booth', 'operator'];
/** Outbox lane of a room's notices (channel names cannot contain `#`). */
const NOTICE_LANE = '#notice';
const emptyRequestSchema = z.strictObject({}).optional();

interface RoomRuntime {
  config: HubRoom;
  secretHash: Buffer;
  pinHashes: Map<string, Buffer>;
  queue: Promise<void>;
  /**
   * Broadcasts and acks of the room's applied operations, per channel (and {@link NOTICE_LANE} for notices),
   * released in order once each is durable. Lanes are independent: a commit waiting for the disk on one
   * channel does not hold up another channel's partials.
   */
  outbox: Map<string, Promise<void>>;
  noticeTimer: NodeJS.Timeout | null;
}

function hash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a presented secret against a stored hash. */
function secretMatches(presented: string, stored: Buffer): boolean {
  return timingSafeEqual(hash(presented), stored);
}

function refusal(code: ErrorCode, message: string): ExtendedError {
  const err = new Error(message) as ExtendedError;
  err.data = { code, message } satisfies ErrorInfo;
  return err;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
}

function defaultStaticDir(): string {
  // electron/hub/ in source and out/main/ when bundled are both two levels below the repository.
  return resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
}

function resolveRooms(rooms: RoomConfig[]): Map<string, RoomRuntime> {
  if (rooms.length === 0) throw new HubStartError('CONFIG', 'the hub needs at least one room');
  const result = new Map<string, RoomRuntime>();
  for (const raw of rooms) {
    const parsed = roomConfigSchema.safeParse(raw);
    if (!parsed.success) {
      throw new HubStartError('CONFIG', `room ${String((raw as { id?: unknown }).id)}: ${describeIssues(parsed.error)}`);
    }
    const room = parsed.data;
    if (result.has(room.id)) throw new HubStartError('CONFIG', `room ${room.id} is configured twice`);
    const channels = roomChannels(room);
    const pinHashes = new Map<string, Buffer>();
    for (const [channel, pin] of Object.entries(room.channelPins ?? {})) {
      if (!channels.includes(channel)) throw new HubStartError('CONFIG', `room ${room.id}: PIN for unknown channel ${channel}`);
      pinHashes.set(channel, hash(pin));
    }
    result.set(room.id, {
      config: { id: room.id, name: room.name ?? room.id, channels },
      secretHash: hash(room.secret),
      pinHashes,
      queue: Promise.resolve(),
      outbox: new Map(),
      noticeTimer: null,
    });
  }
  return result;
}

/** Starts a caption hub; resolves once it listens. Throws {@link HubStartError} on bad configuration. */
export async function startCaptionHub(options: HubOptions): Promise<CaptionHub> {
  const logger = options.logger ?? createStderrLogger('hub');
  const rooms = resolveRooms(options.rooms);
  const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new HubStartError('CONFIG', 'historyLimit must be a positive integer');
  const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const failureLimit = options.handshakeFailureLimit ?? 30;
  const startedAt = Date.now();

  const reportStore = (room: string, error: ErrorInfo | null): void => {
    if (error) logger.error('history not persisted', { room, code: error.code, error: error.message });
    else logger.info('history persisted again', { room });
    options.onStoreStatus?.(room, error);
  };
  // Loaded only for a Redis node: the redis client takes seconds to load on a small machine.
  const redisModules =
    options.store === undefined && options.redis
      ? await Promise.all([import('./redis-history-store'), import('./redis-adapter')])
      : null;
  const redisStore: RedisHistoryStore | null =
    redisModules && options.redis
      ? new redisModules[0].RedisHistoryStore({
          url: options.redis.url,
          historyLimit,
          ...(options.redis.keyPrefix !== undefined ? { keyPrefix: options.redis.keyPrefix } : {}),
          onStatus: (error) => reportStore('*', error),
        })
      : null;
  const store =
    options.store ??
    redisStore ??
    new MemoryJournalHistoryStore({
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.journalSync !== undefined ? { journalSync: options.journalSync } : {}),
      historyLimit,
      onStatus: reportStore,
      onReplayIssue: (room, issue) => {
        if (issue.tornBytes > 0) logger.warn('journal: torn last record cut (the hub stopped while writing it)', { room, bytes: issue.tornBytes });
        if (issue.damagedLines.length > 0) {
          logger.error('journal damaged: unreadable lines skipped, every record after them replayed', {
            room,
            lines: issue.damagedLines.slice(0, 20),
            copy: issue.damagedCopy,
          });
        }
      },
    });
  await store.open([...rooms.values()].map((r) => ({ id: r.config.id, channels: r.config.channels })));

  const roomChannelMap = new Map([...rooms.values()].map((r) => [r.config.id, r.config.channels] as const));
  let io: HubServer | null = null;
  const health = (): HubHealth => ({
    ok: true,
    rooms: [...rooms.keys()],
    connections: io?.engine?.clientsCount ?? 0,
    store: store.health(),
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
  });
  const handler = createRequestHandler({
    staticDir: options.staticDir ?? defaultStaticDir(),
    rooms: roomChannelMap,
    store,
    health,
    logger,
  });
  const httpServer: HttpServer = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);

  const recoveryWindowMs = options.recoveryWindowMs ?? 120_000;
  const server: HubServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    ...(recoveryWindowMs > 0
      ? { connectionStateRecovery: { maxDisconnectionDuration: recoveryWindowMs, skipMiddlewares: false } }
      : {}),
    ...(options.cors ? { cors: { origin: options.cors.origin } } : {}),
    ...(redisStore && redisModules ? { adapter: redisModules[1].createRedisStreamsAdapter(redisStore.redis, options.redis?.keyPrefix) } : {}),
  });
  io = server;

  /** Runs `task` in the room's turn; tasks of a room never interleave. */
  function inTurn(room: RoomRuntime, task: () => Promise<void>): Promise<void> {
    const next = room.queue.then(task).catch((err: unknown) => {
      logger.error('room task failed', { room: room.config.id, error: String(err) });
    });
    room.queue = next;
    return next;
  }

  /**
   * Queues what an applied operation sends (broadcasts, ack). Effects leave in the order the operations were
   * applied, each once `durable` (its journal write) has settled, so nothing is announced before it would
   * survive a crash, and the room's turn is not held while the disk syncs.
   */
  function deliver(room: RoomRuntime, lanes: readonly string[], durable: Promise<void> | undefined, effect: () => void): void {
    const before = lanes.map((lane) => room.outbox.get(lane) ?? Promise.resolve());
    const done = Promise.all(before)
      .then(() => durable)
      .then(effect)
      .catch((err: unknown) => {
        logger.error('room delivery failed', { room: room.config.id, error: String(err) });
      });
    for (const lane of lanes) room.outbox.set(lane, done);
  }

  /** With several hub nodes the subscribe joins before reading; alone it joins when its answer leaves. */
  const joinBeforeSnapshot = redisStore !== null;

  const failures = new Map<string, { count: number; since: number }>();
  function noteFailure(address: string): void {
    const now = Date.now();
    const entry = failures.get(address);
    if (!entry || now - entry.since > 60_000) failures.set(address, { count: 1, since: now });
    else entry.count++;
    if (failures.size > 10_000) failures.clear();
  }
  function tooManyFailures(address: string): boolean {
    const entry = failures.get(address);
    return entry !== undefined && Date.now() - entry.since <= 60_000 && entry.count >= failureLimit;
  }

  const trustProxy = Math.max(0, Math.floor(options.trustProxy ?? 0));
  /** The client's address: the peer, or with trusted proxies the X-Forwarded-For entry they vouch for. */
  function clientAddress(socket: { handshake: { address: string; headers: Record<string, string | string[] | undefined> } }): string {
    const peer = socket.handshake.address;
    if (trustProxy === 0) return peer;
    const header = socket.handshake.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    return hops.length === 0 ? peer : hops[Math.max(0, hops.length - trustProxy)]!.slice(0, 64);
  }

  server.use((socket, next) => {
    const address = clientAddress(socket);
    const raw = socket.handshake.auth as Record<string, unknown> | undefined;
    const context = {
      role: typeof raw?.['role'] === 'string' ? raw['role'].slice(0, 16) : undefined,
      room: typeof raw?.['room'] === 'string' ? raw['room'].slice(0, 64) : undefined,
      channel: typeof raw?.['channel'] === 'string' ? raw['channel'].slice(0, 64) : undefined,
      clientId: typeof raw?.['clientId'] === 'string' ? raw['clientId'].slice(0, 128) : undefined,
      address,
    };
    const refuse = (code: ErrorCode, message: string): void => {
      noteFailure(address);
      logger.warn('handshake refused', { code, ...context });
      next(refusal(code, message));
    };
    if (tooManyFailures(address)) {
      logger.warn('handshake refused', { code: ERROR_CODES.RATE_LIMITED, ...context });
      next(refusal(ERROR_CODES.RATE_LIMITED, 'too many refused connections from this address; wait a minute'));
      return;
    }
    // socket.io-client adds `pid` and `offset` to the auth of a reconnect (connection-state recovery).
    const { pid: _pid, offset: _offset, ...presented } = raw ?? {};
    const parsed = handshakeAuthSchema.safeParse(presented);
    if (!parsed.success) {
      if (typeof context.role === 'string' && !(ROLES as readonly string[]).includes(context.role)) {
        refuse(ERROR_CODES.AUTH_BAD_ROLE, `unknown role; use one of ${ROLES.join(', ')}`);
      } else {
        refuse(ERROR_CODES.INVALID_PAYLOAD, `bad handshake: ${describeIssues(parsed.error)}`);
      }
      return;
    }
    const auth = parsed.data;
    const room = rooms.get(auth.room);
    if (!room) {
      refuse(ERROR_CODES.UNKNOWN_ROOM, `this hub has no room ${auth.room}`);
      return;
    }
    const data: HubSocketData = { role: auth.role, room: auth.room };
    if (auth.clientId !== undefined) data.clientId = auth.clientId;
    if (auth.label !== undefined) data.label = auth.label;
    if (auth.role === 'booth') {
      if (auth.channel === undefined) {
        refuse(ERROR_CODES.INVALID_PAYLOAD, 'a booth names its channel in the handshake');
        return;
      }
      if (!room.config.channels.includes(auth.channel)) {
        refuse(ERROR_CODES.UNKNOWN_CHANNEL, `room ${auth.room} has no channel ${auth.channel}`);
        return;
      }
      data.channel = auth.channel;
    }
    if (PUBLISHER_ROLES.includes(auth.role)) {
      if (auth.secret === undefined || auth.secret === '') {
        refuse(ERROR_CODES.AUTH_MISSING_SECRET, `a ${auth.role} presents the room secret${auth.role === 'booth' ? ' or its channel PIN' : ''}`);
        return;
      }
      const pin = data.channel !== undefined ? room.pinHashes.get(data.channel) : undefined;
      const roomMatch = secretMatches(auth.secret, room.secretHash);
      const pinMatch = auth.role === 'booth' && pin !== undefined && secretMatches(auth.secret, pin);
      if (!roomMatch && !pinMatch) {
        refuse(ERROR_CODES.AUTH_BAD_SECRET, 'wrong secret');
        return;
      }
    }
    socket.data = data;
    next();
  });

  server.on('connection', (socket) => {
    const data = socket.data;
    const room = rooms.get(data.room);
    if (!room) {
      socket.disconnect(true);
      return;
    }
    void socket.join(hubRoomKey(data.room));
    logger.info('client connected', {
      role: data.role,
      room: data.room,
      channel: data.channel,
      clientId: data.clientId,
      label: data.label,
      address: clientAddress(socket),
      recovered: socket.recovered,
    });
    socket.on('disconnect', (reason) => {
      logger.info('client disconnected', { role: data.role, room: data.room, channel: data.channel, clientId: data.clientId, reason });
    });

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
          (ack as (r: Result<never>) => void)(fail(ERROR_CODES.RATE_LIMITED, `more than ${rate.perSecond} requests/s; slow down`));
        } catch {
          // A broken ack must not take the hub down.
        }
      }
      if (refused === 1 || refused % 1000 === 0) {
        logger.warn('requests rate-limited', { role: data.role, room: data.room, clientId: data.clientId, refused });
      }
      if (refused > rate.burst * 100) {
        logger.warn('client disconnected for flooding', { role: data.role, room: data.room, clientId: data.clientId });
        socket.disconnect(true);
      }
    });

    registerHandlers(socket, room);
  });

  type Reply<T> = (result: Result<T>) => void;

  /** Registers `event` with payload parsing, role check and a safe ack. */
  function on<S extends z.ZodType, T>(
    socket: Socket,
    event: keyof HubClientEvents,
    schema: S,
    roles: readonly Role[],
    run: (request: z.infer<S>, reply: Reply<T>) => Promise<void> | void,
  ): void {
    socket.on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: unknown) => void) : undefined;
      const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
      let replied = false;
      const reply: Reply<T> = (result) => {
        if (replied) return;
        replied = true;
        try {
          ack?.(result);
        } catch {
          // A broken ack must not take the hub down.
        }
      };
      const data = socket.data as HubSocketData;
      if (!roles.includes(data.role)) {
        reply(fail(ERROR_CODES.FORBIDDEN, `a ${data.role} may not send ${event}`));
        return;
      }
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        reply(fail(ERROR_CODES.INVALID_PAYLOAD, `bad ${event}: ${describeIssues(parsed.error)}`));
        return;
      }
      try {
        const pending = run(parsed.data, reply);
        if (pending) {
          pending.catch((err: unknown) => {
            logger.error('request failed', { event, error: String(err) });
            reply(fail(ERROR_CODES.INTERNAL, 'the hub could not process this request'));
          });
        }
      } catch (err) {
        logger.error('request failed', { event, error: String(err) });
        reply(fail(ERROR_CODES.INTERNAL, 'the hub could not process this request'));
      }
    });
  }

  /** Checks that the socket may write to `channel` of its room. */
  function writable(data: HubSocketData, room: RoomRuntime, channel: string): Result<void> {
    if (!room.config.channels.includes(channel)) {
      return fail(ERROR_CODES.UNKNOWN_CHANNEL, `room ${room.config.id} has no channel ${channel}`);
    }
    if (data.role === 'booth' && data.channel !== channel) {
      return fail(ERROR_CODES.FORBIDDEN, `this booth publishes to ${data.channel ?? '?'} only, not ${channel}`);
    }
    return ok(undefined);
  }

  function currentNotice(notice: Notice | null, now: number): Notice | null {
    if (!notice || notice.text === null) return null;
    if (notice.ttlMs !== undefined && notice.shownAt + notice.ttlMs <= now) return null;
    return notice;
  }

  function scheduleNoticeExpiry(room: RoomRuntime, notice: Notice): void {
    if (room.noticeTimer) clearTimeout(room.noticeTimer);
    room.noticeTimer = null;
    if (notice.text === null || notice.ttlMs === undefined) return;
    const shownAt = notice.shownAt;
    room.noticeTimer = setTimeout(() => {
      room.noticeTimer = null;
      void inTurn(room, async () => {
        const current = await store.notice(room.config.id);
        if (!current.ok || current.value?.shownAt !== shownAt) return;
        const cleared: Notice = { room: room.config.id, text: null, shownAt: Date.now() };
        const saved = await store.setNotice(cleared);
        if (saved.ok) deliver(room, [NOTICE_LANE], undefined, () => server.to(hubRoomKey(room.config.id)).emit('notice:changed', cleared));
      });
    }, Math.max(0, notice.shownAt + notice.ttlMs - Date.now()));
    room.noticeTimer.unref();
  }

  function registerHandlers(socket: Socket, room: RoomRuntime): void {
    const roomId = room.config.id;

    on<typeof publishLineSchema, { seq: number; cursor: number; duplicate: boolean }>(
      socket,
      'caption:publish',
      publishLineSchema,
      PUBLISHER_ROLES,
      (line, reply) => {
        const data = socket.data as HubSocketData;
        const allowed = writable(data, room, line.channel);
        if (!allowed.ok) return reply(allowed);
        const text = cleanCaptionText(line.text);
        if (!text.ok) return reply(text);
        if (line.state === 'final' && text.value.trim() === '') {
          return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'a final line needs text'));
        }
        if (line.audioStart !== undefined && line.audioEnd !== undefined && line.audioEnd < line.audioStart) {
          return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'audioEnd is before audioStart'));
        }
        return inTurn(room, async () => {
          const outcome = await store.publish(roomId, { ...line, text: text.value }, Date.now());
          if (!outcome.ok) return reply(outcome);
          const { partial, change, ack, durable } = outcome.value;
          const key = channelRoomKey(roomId, line.channel);
          deliver(room, [line.channel], durable, () => {
            if (partial) server.to(key).emit('caption:partial', partial);
            if (change) server.to(key).emit('caption:changed', change);
            reply(ok(ack));
          });
        });
      },
    );

    on<typeof reviseLineSchema, { seq: number; cursor: number; duplicate: boolean }>(
      socket,
      'caption:revise',
      reviseLineSchema,
      PUBLISHER_ROLES,
      (rev, reply) => {
        const allowed = writable(socket.data as HubSocketData, room, rev.channel);
        if (!allowed.ok) return reply(allowed);
        const text = cleanCaptionText(rev.text);
        if (!text.ok) return reply(text);
        return inTurn(room, async () => {
          const outcome = await store.revise(roomId, rev.channel, rev.id, text.value, Date.now());
          if (!outcome.ok) return reply(outcome);
          const { change, ack, durable } = outcome.value;
          deliver(room, [rev.channel], durable, () => {
            if (change) server.to(channelRoomKey(roomId, rev.channel)).emit('caption:changed', change);
            reply(ok(ack));
          });
        });
      },
    );

    on<typeof clearChannelSchema, { cursor: number }>(socket, 'channel:clear', clearChannelSchema, PUBLISHER_ROLES, (req, reply) => {
      const allowed = writable(socket.data as HubSocketData, room, req.channel);
      if (!allowed.ok) return reply(allowed);
      return inTurn(room, async () => {
        const outcome = await store.clear(roomId, req.channel, Date.now());
        if (!outcome.ok) return reply(outcome);
        const { change, ack, durable } = outcome.value;
        deliver(room, [req.channel], durable, () => {
          if (change) server.to(channelRoomKey(roomId, req.channel)).emit('caption:changed', change);
          reply(ok({ cursor: ack.cursor }));
        });
      });
    });

    on<typeof showNoticeSchema, Notice>(socket, 'notice:show', showNoticeSchema, ['operator'], (req, reply) => {
      const text = cleanCaptionText(req.text, MAX_NOTICE_LENGTH);
      if (!text.ok) return reply(text);
      if (text.value.trim() === '') return reply(fail(ERROR_CODES.INVALID_PAYLOAD, 'a notice needs text (send notice:clear to remove it)'));
      return inTurn(room, async () => {
        const notice: Notice = { room: roomId, text: text.value, shownAt: Date.now() };
        if (req.ttlMs !== undefined) notice.ttlMs = req.ttlMs;
        const saved = await store.setNotice(notice);
        if (!saved.ok) return reply(saved);
        scheduleNoticeExpiry(room, notice);
        deliver(room, [NOTICE_LANE], undefined, () => {
          server.to(hubRoomKey(roomId)).emit('notice:changed', notice);
          reply(ok(notice));
        });
      });
    });

    on<typeof emptyRequestSchema, Notice>(socket, 'notice:clear', emptyRequestSchema, ['operator'], (_req, reply) => {
      return inTurn(room, async () => {
        const notice: Notice = { room: roomId, text: null, shownAt: Date.now() };
        const saved = await store.setNotice(notice);
        if (!saved.ok) return reply(saved);
        scheduleNoticeExpiry(room, notice);
        deliver(room, [NOTICE_LANE], undefined, () => {
          server.to(hubRoomKey(roomId)).emit('notice:changed', notice);
          reply(ok(notice));
        });
      });
    });

    on<typeof subscribeSchema, { room: string; channels: ChannelSnapshot[]; notice: Notice | null }>(
      socket,
      'display:subscribe',
      subscribeSchema,
      ROLES,
      (req, reply) => {
        const channels = [...new Set(req.channels)];
        const unknown = channels.filter((c) => !room.config.channels.includes(c));
        if (unknown.length > 0) {
          return reply(fail(ERROR_CODES.UNKNOWN_CHANNEL, `room ${roomId} has no channel ${unknown.join(', ')}`));
        }
        return inTurn(room, async () => {
          const join = (): void => {
            for (const channel of room.config.channels) {
              const key = channelRoomKey(roomId, channel);
              if (channels.includes(channel)) void socket.join(key);
              else void socket.leave(key);
            }
          };
          // Join before reading with several hub nodes: a change committed on another node between the read and
          // the join would otherwise be missed; one that arrives before the snapshot is dropped by its cursor.
          if (joinBeforeSnapshot) join();
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
          deliver(room, [...channels, NOTICE_LANE], undefined, () => {
            if (!joinBeforeSnapshot) join();
            reply(ok(answer));
          });
        });
      },
    );
  }

  for (const room of rooms.values()) {
    const notice = await store.notice(room.config.id);
    if (notice.ok && notice.value) scheduleNoticeExpiry(room, notice.value);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, rejectListen) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      rejectListen(new HubStartError(err.code ?? 'LISTEN', `cannot listen on ${host}:${options.port ?? 0}: ${err.message}`));
    };
    httpServer.once('error', onError);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', onError);
      resolveListen();
    });
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  httpServer.on('error', (err) => logger.error('server error', { error: String(err) }));
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  logger.info('hub listening', { url, rooms: [...rooms.keys()], store: store.health().kind, instance: randomBytes(4).toString('hex') });

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    io: server,
    rooms: [...rooms.values()].map((r) => r.config),
    store,
    health,
    close: () =>
      (closing ??= (async () => {
        for (const room of rooms.values()) if (room.noticeTimer) clearTimeout(room.noticeTimer);
        // `local`: with the Redis adapter, a plain disconnectSockets would disconnect every node's clients.
        server.local.disconnectSockets(true);
        const closed = server.close();
        httpServer.closeAllConnections();
        await closed;
        await Promise.all([...rooms.values()].map((r) => r.queue));
        await Promise.all([...rooms.values()].flatMap((r) => [...r.outbox.values()]));
        await store.close();
        logger.info('hub closed', { url });
      })()),
  };
}
