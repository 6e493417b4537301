/**
 * The hub's handshake: rooms with their hashed secrets and PINs, and the socket.io middleware that checks what
 * a client presents (role, room, channel, secret) before it may send anything. A refusal is a `connect_error`
 * whose data is `{ code, message }`; an address refused too often in a minute is refused outright. Secrets are
 * compared in constant time (SHA-256, then `timingSafeEqual`) and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ExtendedError } from 'socket.io';
import type { z } from 'zod';
import { roomChannels, roomConfigSchema, type RoomConfig } from '../common/hub-config';
import { ERROR_CODES, handshakeAuthSchema, ROLES, type ErrorCode, type Role } from '../common/protocol';
import type { ErrorInfo } from '../common/result';
import type { Logger } from '../node/logger';
import type { HubRoom, HubServer, HubSocketData } from './hub-socket';

/** Roles that publish (and so present a secret). */
export const PUBLISHER_ROLES: readonly Role[] = ['booth', 'operator'];

/** A configured room with what its clients must present, hashed. */
export interface RoomAuth {
  config: HubRoom;
  secretHash: Buffer;
  pinHashes: Map<string, Buffer>;
}

/** A hub that could not start because of its configuration, with the message to show. */
export class RoomConfigError extends Error {}

function hash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a presented secret against a stored hash. */
function secretMatches(presented: string, stored: Buffer): boolean {
  return timingSafeEqual(hash(presented), stored);
}

/** The rooms whose operator secret `presented` is (HTTP routes of features that only an operator may use). */
export function roomsOfSecret(rooms: ReadonlyMap<string, RoomAuth>, presented: string): Set<string> {
  const result = new Set<string>();
  if (presented === '') return result;
  for (const [id, room] of rooms) if (secretMatches(presented, room.secretHash)) result.add(id);
  return result;
}

/** The first issues of a zod error as one line (paths and messages, never values). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
}

/** Validates the configured rooms and hashes their secrets; throws {@link RoomConfigError}. */
export function resolveRooms(rooms: readonly RoomConfig[]): Map<string, RoomAuth> {
  if (rooms.length === 0) throw new RoomConfigError('the hub needs at least one room');
  const result = new Map<string, RoomAuth>();
  for (const raw of rooms) {
    const parsed = roomConfigSchema.safeParse(raw);
    if (!parsed.success) throw new RoomConfigError(`room ${String((raw as { id?: unknown }).id)}: ${describeIssues(parsed.error)}`);
    const room = parsed.data;
    if (result.has(room.id)) throw new RoomConfigError(`room ${room.id} is configured twice`);
    const channels = roomChannels(room);
    const pinHashes = new Map<string, Buffer>();
    for (const [channel, pin] of Object.entries(room.channelPins ?? {})) {
      if (!channels.includes(channel)) throw new RoomConfigError(`room ${room.id}: PIN for unknown channel ${channel}`);
      pinHashes.set(channel, hash(pin));
    }
    result.set(room.id, { config: { id: room.id, name: room.name ?? room.id, channels }, secretHash: hash(room.secret), pinHashes });
  }
  return result;
}

function refusal(code: ErrorCode, message: string): ExtendedError {
  const err = new Error(message) as ExtendedError;
  err.data = { code, message } satisfies ErrorInfo<ErrorCode>;
  return err;
}

/** Options of {@link checkHandshakes}. */
export interface HandshakeOptions {
  rooms: ReadonlyMap<string, RoomAuth>;
  logger: Logger;
  /** Refused handshakes per client address per minute before further attempts are refused outright. */
  failureLimit: number;
  /** Trusted proxies in front of the hub (see HubOptions.trustProxy). */
  trustProxy: number;
  /** Origins besides the hub's own whose pages may connect as booth or operator (HubOptions.cors). */
  cors?: string | string[] | boolean;
}

/** Whether a handshake's `Origin` is absent (not a browser page), the hub's own, or one `cors` allows. */
function originMayPublish(headers: Record<string, string | string[] | undefined>, cors: string | string[] | boolean | undefined): boolean {
  const origin = headers['origin'];
  if (origin === undefined || cors === true) return true;
  const host = headers['host'];
  const allowed = typeof cors === 'string' ? [cors] : Array.isArray(cors) ? cors : [];
  return typeof origin === 'string' && (allowed.includes(origin) || origin === `http://${String(host)}` || origin === `https://${String(host)}`);
}

/** The handshake fields the address is read from. */
type Handshake = { handshake: { address: string; headers: Record<string, string | string[] | undefined> } };

/** Installs the handshake check on `io`; returns how the hub reads a client's address (logs). */
export function checkHandshakes(io: HubServer, options: HandshakeOptions): { clientAddress(socket: Handshake): string } {
  const { rooms, logger, failureLimit } = options;
  const trustProxy = Math.max(0, Math.floor(options.trustProxy));
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
  /** The client's address: the peer, or with trusted proxies the X-Forwarded-For entry they vouch for. */
  function clientAddress(socket: Handshake): string {
    const peer = socket.handshake.address;
    if (trustProxy === 0) return peer;
    const header = socket.handshake.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    return hops.length === 0 ? peer : hops[Math.max(0, hops.length - trustProxy)]!.slice(0, 64);
  }

  io.use((socket, next) => {
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
      // The display side is open to any page (read-only); publishers are consoles and tools, not web pages of
      // another site: a browser page somewhere else must not use a venue machine's browser to try secrets here.
      if (!originMayPublish(socket.handshake.headers, options.cors)) {
        refuse(ERROR_CODES.FORBIDDEN, `a ${auth.role} does not connect from a web page of another site`);
        return;
      }
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
  return { clientAddress };
}
