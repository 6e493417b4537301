/**
 * The caption hub: a socket.io server that takes caption lines from booths and operators and fans them out to
 * room displays, plus its HTTP side (display page, exports, health). Runs embedded in the console or standalone
 * (`npm run hub`), same code.
 *
 * This file is the wiring, in socket.io's example layout: the history store is the repository
 * (history-store.ts, redis-history-store.ts), hub-handshake.ts checks who connects, room-sequencer.ts runs each
 * room's operations one at a time and releases what they send in order once durable, caption.handlers.ts
 * handles the requests, and feature modules (hub-socket.ts: the booth relay, the platform outputs) add events and routes of their own.
 * Each change carries the channel's cursor, so a display can check the order itself (drop a change whose cursor
 * is not above its own; resubscribe with `since` on a gap).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Server } from 'socket.io';
import { MAX_FRAME_BYTES } from '../common/frame-limit';
import { DEFAULT_HISTORY_LIMIT, frameAncestorSchema, type RateLimitConfig, type RoomConfig } from '../common/hub-config';
import type { ErrorInfo } from '../common/result';
import type { JournalDurability } from '../node/jsonl-journal';
import { createStderrLogger, type Logger } from '../node/logger';
import { boothRelay } from './booth-relay';
import { expireNotice, limitRequests, NoticeExpiry, publisherKey, registerCaptionHandlers, withdrawPartial } from './caption.handlers';
import { MemoryJournalHistoryStore, type HistoryStore, type StoreHealth } from './history-store';
import { checkHandshakes, PUBLISHER_ROLES, resolveRooms, RoomConfigError, roomsOfSecret } from './hub-handshake';
import { hubRoomKey, type HubFeature, type HubRoom, type HubServer, type HubSocket } from './hub-socket';
import { createRequestHandler } from './http-routes';
import type { createRedisStreamsAdapter } from './redis-adapter';
import type { RedisHistoryStore } from './redis-history-store';
import { RoomSequencer } from './room-sequencer';
import { STALE_PARTIAL_DEFAULTS, StalePartials } from './stale-partials';

export { channelRoomKey, hubRoomKey, type HubFeature, type HubFeatureContext, type HubRoom, type HubServer, type HubSocket, type HubSocketData } from './hub-socket';

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
  /** Committed lines kept per channel in memory for display catch-up (exports hold every line). Default 500. */
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
  /** Origins (besides the hub's own) whose pages may use socket.io's long-polling and connect as booth or operator; default none. */
  cors?: { origin: string | string[] | boolean };
  /**
   * Origins whose pages may frame the display page (a venue's web page), e.g. `https://venue.example`; default
   * none: only the hub's own pages may (see `frameAncestorSchema` for the accepted forms).
   */
  frameAncestors?: readonly string[];
  /**
   * Feature modules added to the hub (see {@link HubFeature}). Default: the booth relay (latency ping, handover,
   * channel mutes), which every hub that consoles connect to needs; pass a list to choose.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  features?: readonly HubFeature<any, any>[];
  /**
   * When the hub withdraws a partial nobody will finish: `graceMs` after its publisher's last socket left, or
   * `maxAgeMs` after it last changed. Default 10 s and 60 s.
   */
  stalePartials?: { graceMs: number; maxAgeMs: number };
}

/** What the hub reports at /healthz. */
export interface HubHealth {
  ok: boolean;
  rooms: string[];
  connections: number;
  store: StoreHealth;
  uptimeS: number;
}

/** A running hub. */
export interface CaptionHub {
  /** Base URL, e.g. `http://127.0.0.1:7300` (loopback when listening on all addresses). */
  url: string;
  port: number;
  io: HubServer;
  rooms: readonly HubRoom[];
  store: HistoryStore;
  /** The feature modules running in this hub. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  features: readonly HubFeature<any, any>[];
  health(): HubHealth;
  /** Disconnects everyone, stops listening, and writes what the journal still holds. */
  close(): Promise<void>;
}

/** Why a hub could not start: its configuration, its address (in use, not this machine's, not allowed) or else. */
export type HubStartErrorCode = 'CONFIG' | 'EADDRINUSE' | 'EADDRNOTAVAIL' | 'EACCES' | 'LISTEN';

/** A hub that could not start (bad configuration, port in use...). */
export class HubStartError extends Error {
  readonly code: HubStartErrorCode;
  constructor(code: HubStartErrorCode, message: string) {
    super(message);
    this.name = 'HubStartError';
    this.code = code;
  }
}

type RedisStreamsAdapter = ReturnType<typeof createRedisStreamsAdapter>;

const DEFAULT_RATE_LIMIT: RateLimitConfig = { burst: 60, perSecond: 30 };

// electron/hub/ in source and out/main/ when bundled are both two levels below the repository.
function defaultStaticDir(): string {
  return resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
}

/** The app icon the display page gets as its favicon. */
function defaultIconFile(): string {
  return resolve(import.meta.dirname, '..', '..', 'resources', 'icon-32.png');
}

/** The history store the options ask for: given, Redis (loaded only then: it takes seconds to load), or memory + journal. */
async function openStore(
  options: HubOptions,
  historyLimit: number,
  logger: Logger,
): Promise<{ store: HistoryStore; redis: RedisHistoryStore | null; adapter?: () => RedisStreamsAdapter }> {
  const reportStore = (room: string, error: ErrorInfo | null): void => {
    if (error) logger.error('history not persisted', { room, code: error.code, error: error.message });
    else logger.info('history persisted again', { room });
    options.onStoreStatus?.(room, error);
  };
  if (options.store) return { store: options.store, redis: null };
  if (options.redis) {
    const [{ RedisHistoryStore }, { createRedisStreamsAdapter }] = await Promise.all([import('./redis-history-store'), import('./redis-adapter')]);
    const redis = new RedisHistoryStore({
      url: options.redis.url,
      historyLimit,
      ...(options.redis.keyPrefix !== undefined ? { keyPrefix: options.redis.keyPrefix } : {}),
      onStatus: (error) => reportStore('*', error),
    });
    return { store: redis, redis, adapter: () => createRedisStreamsAdapter(redis.redis, options.redis?.keyPrefix) };
  }
  const store = new MemoryJournalHistoryStore({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.journalSync !== undefined ? { journalSync: options.journalSync } : {}),
    historyLimit,
    onStatus: reportStore,
    onReplayIssue: (room, issue) => {
      if (issue.tornBytes > 0) logger.warn('journal: torn last record cut (the hub stopped while writing it)', { room, bytes: issue.tornBytes });
      if (issue.damagedLines.length > 0) {
        logger.error('journal damaged: unreadable lines skipped, every record after them replayed', { room, lines: issue.damagedLines.slice(0, 20), copy: issue.damagedCopy });
      }
    },
  });
  return { store, redis: null };
}

/** Starts a caption hub; resolves once it listens. Throws {@link HubStartError} on bad configuration. */
export async function startCaptionHub(options: HubOptions): Promise<CaptionHub> {
  const logger = options.logger ?? createStderrLogger('hub');
  let rooms;
  try {
    rooms = resolveRooms(options.rooms);
  } catch (err) {
    if (err instanceof RoomConfigError) throw new HubStartError('CONFIG', err.message);
    throw err;
  }
  const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new HubStartError('CONFIG', 'historyLimit must be a positive integer');
  const frameAncestors = [...(options.frameAncestors ?? [])];
  const badOrigin = frameAncestors.find((origin) => !frameAncestorSchema.safeParse(origin).success);
  if (badOrigin !== undefined) throw new HubStartError('CONFIG', `frameAncestors: "${badOrigin}" is not an origin such as https://venue.example`);
  const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const startedAt = Date.now();
  const clustered = options.store === undefined && options.redis !== undefined;

  const { store, adapter } = await openStore(options, historyLimit, logger);
  const roomList = [...rooms.values()].map((r) => r.config);
  await store.open(roomList.map((r) => ({ id: r.id, channels: r.channels })));

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
    rooms: new Map(roomList.map((r) => [r.id, r.channels] as const)),
    store,
    health,
    logger,
    iconFile: defaultIconFile(),
    frameAncestors,
  });
  const features = options.features ?? [boothRelay()];
  const routeRequest: typeof handler = (req, res) => {
    for (const feature of features) if (feature.http?.(req, res)) return;
    handler(req, res);
  };
  const httpServer: HttpServer = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, routeRequest) : createHttpServer(routeRequest);

  const recoveryWindowMs = options.recoveryWindowMs ?? 120_000;
  const server: HubServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: MAX_FRAME_BYTES,
    ...(recoveryWindowMs > 0 ? { connectionStateRecovery: { maxDisconnectionDuration: recoveryWindowMs, skipMiddlewares: false } } : {}),
    ...(options.cors ? { cors: { origin: options.cors.origin } } : {}),
    ...(adapter ? { adapter: adapter() } : {}),
  });
  io = server;

  const { clientAddress } = checkHandshakes(server, {
    rooms,
    logger,
    failureLimit: options.handshakeFailureLimit ?? 30,
    trustProxy: options.trustProxy ?? 0,
    ...(options.cors ? { cors: options.cors.origin } : {}),
  });

  const sequencers = new Map(roomList.map((r) => [r.id, new RoomSequencer(r.id, logger)] as const));
  const withdraw = (room: string, channel: string, lineId?: string): void => {
    const sequencer = sequencers.get(room);
    if (sequencer) void withdrawPartial({ sequencer, store, io: server, features, logger }, room, channel, lineId);
  };
  const context = {
    io: server,
    rooms: roomList,
    store,
    logger,
    clustered,
    withdrawPartial: (room: string, channel: string) => withdraw(room, channel),
    operatorRooms: (secret: string) => roomsOfSecret(rooms, secret),
  };
  for (const [i, feature] of features.entries()) {
    try {
      await feature.start?.(context);
    } catch (err) {
      await Promise.all(features.slice(0, i).map((f) => f.close?.()));
      await server.close();
      await store.close();
      throw new HubStartError('CONFIG', `${feature.name} cannot start: ${(err as Error).message}`);
    }
  }

  const notices = new NoticeExpiry((room, shownAt) => {
    const sequencer = sequencers.get(room);
    if (sequencer) void expireNotice({ sequencer, store, io: server }, room, shownAt);
  });

  const partials = new StalePartials({
    ...(options.stalePartials ?? STALE_PARTIAL_DEFAULTS),
    withdraw,
  });

  server.on('connection', (socket: HubSocket) => {
    const who = socket.data;
    const room = rooms.get(who.room);
    const sequencer = sequencers.get(who.room);
    if (!room || !sequencer) {
      socket.disconnect(true);
      return;
    }
    void socket.join(hubRoomKey(who.room));
    logger.info('client connected', { ...who, address: clientAddress(socket), recovered: socket.recovered });
    const publisher = PUBLISHER_ROLES.includes(who.role) ? publisherKey(socket) : null;
    if (publisher) partials.connected(publisher);
    socket.on('disconnect', (reason) => {
      logger.info('client disconnected', { role: who.role, room: who.room, channel: who.channel, clientId: who.clientId, reason });
      if (publisher) partials.disconnected(publisher);
    });
    limitRequests(socket, rate, logger);
    registerCaptionHandlers(socket, {
      room: room.config,
      sequencer,
      store,
      io: server,
      logger,
      features,
      // With several hub nodes the subscribe joins before reading; alone it joins when its answer leaves.
      joinBeforeSnapshot: clustered,
      notices,
      partials,
    });
    for (const feature of features) feature.connection?.(socket as never);
  });

  for (const room of roomList) {
    const notice = await store.notice(room.id);
    if (notice.ok && notice.value) notices.schedule(notice.value);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, rejectListen) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const code = err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES' ? err.code : 'LISTEN';
      rejectListen(new HubStartError(code, `cannot listen on ${host}:${options.port ?? 0}: ${err.message}`));
    };
    httpServer.once('error', onError);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', onError);
      resolveListen();
    });
  }).catch(async (err: unknown) => {
    await Promise.all(features.map((f) => f.close?.()));
    await store.close();
    throw err;
  });
  httpServer.on('error', (err) => logger.error('server error', { error: String(err) }));
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  logger.info('hub listening', { url, rooms: [...rooms.keys()], store: store.health().kind, features: features.map((f) => f.name), instance: randomBytes(4).toString('hex') });

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    io: server,
    rooms: roomList,
    store,
    features,
    health,
    close: () =>
      (closing ??= (async () => {
        notices.close();
        partials.close();
        await Promise.all(features.map((f) => f.close?.()));
        // `local`: with the Redis adapter, a plain disconnectSockets would disconnect every node's clients.
        server.local.disconnectSockets(true);
        const closed = server.close();
        httpServer.closeAllConnections();
        await closed;
        await Promise.all([...sequencers.values()].map((s) => s.idle()));
        await store.close();
        logger.info('hub closed', { url });
      })()),
  };
}
