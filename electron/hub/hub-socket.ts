/**
 * The hub's socket.io types, the handshake identity a socket carries, and the feature-module interface: the
 * small seam through which additions to the hub (the booth relay, the platform caption outputs) attach
 * without touching its handshake, rate limit or caption handlers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { ChannelChange, HubClientEvents, HubServerEvents, PartialUpdate, Role } from '../common/protocol';
import type { Logger } from '../node/logger';
import type { HistoryStore } from './history-store';

/** What a socket presented at the handshake (its `socket.data`, set by the handshake check). */
export interface HubSocketData {
  role: Role;
  room: string;
  /** A booth's own channel. */
  channel?: string;
  clientId?: string;
  label?: string;
}

/** Event maps as socket.io takes them. */
interface EventsMap {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [event: string]: any;
}

/** The typed socket.io server of the hub. */
export type HubServer = Server<HubClientEvents, HubServerEvents, Record<string, never>, HubSocketData>;

/** A connected client of the hub, typed by the caption protocol. */
export type HubSocket = Socket<HubClientEvents, HubServerEvents, Record<string, never>, HubSocketData>;

/** A connected client as a feature sees it: the feature's own events, the hub's handshake identity. */
export type FeatureSocket<ClientEvents extends EventsMap, ServerEvents extends EventsMap> = Socket<ClientEvents, ServerEvents, Record<string, never>, HubSocketData>;

/** A room as the hub runs it. */
export interface HubRoom {
  id: string;
  name: string;
  channels: readonly string[];
}

/** What the hub hands a feature when it starts. */
export interface HubFeatureContext {
  /** The hub's socket.io server (for inter-node messages: `serverSideEmit`, `io.sockets.on`). */
  io: HubServer;
  rooms: readonly HubRoom[];
  store: HistoryStore;
  logger: Logger;
  /** The hub is one node of several (Redis): state a feature keeps in memory must be shared or per node. */
  clustered: boolean;
  /** Takes a channel's current partial off the displays (in the room's turn, like a publish). */
  withdrawPartial(room: string, channel: string): void;
  /** The rooms whose secret this is (an operator presenting it over HTTP); empty for a wrong one. */
  operatorRooms(secret: string): ReadonlySet<string>;
}

/**
 * An addition to the hub. The hub awaits `start` once before it listens (a feature that cannot start stops the
 * hub's start), calls `connection` for every client that passed the handshake (after the hub's own handlers: a
 * feature adds events, it never replaces one), the caption hooks after a change was persisted and broadcast,
 * offers each HTTP request outside socket.io to `http` before its own routes, and calls `close` when the hub
 * closes.
 */
export interface HubFeature<ClientEvents extends EventsMap = EventsMap, ServerEvents extends EventsMap = EventsMap> {
  /** A short name for logs. */
  readonly name: string;
  start?(context: HubFeatureContext): void | Promise<void>;
  connection?(socket: FeatureSocket<ClientEvents, ServerEvents>): void;
  /** A committed-state change of a channel, in cursor order, once it was persisted and broadcast. */
  changed?(change: ChannelChange): void;
  /** A channel's new partial, once broadcast. */
  partial?(update: PartialUpdate): void;
  /**
   * Whether the feature holds `channel` of `room` closed to new lines (the booth relay's operator mutes): the hub
   * then refuses publishes and revisions to it with `CHANNEL_MUTED`.
   */
  muted?(room: string, channel: string): boolean;
  /** Answers a request under the feature's own path and returns `true`; `false` leaves it to the hub. */
  http?(req: IncomingMessage, res: ServerResponse): boolean;
  close?(): void | Promise<void>;
}

/** Name of the socket.io room of a caption channel. */
export function channelRoomKey(room: string, channel: string): string {
  return `ch:${room}/${channel}`;
}

/** Name of the socket.io room every client of a hub room joins (notices). */
export function hubRoomKey(room: string): string {
  return `room:${room}`;
}
