/**
 * Client side of the hub protocol for Node programs (`npm run say`, tests, benchmarks): connecting with a
 * handshake, and requests with acks and a timeout. Following channels the way a display does is
 * `ChannelFollower` (electron/common/channel-follower.ts), the same class the display page runs.
 */
import { io, type Socket as ClientSocket } from 'socket.io-client';
import {
  type HandshakeAuth,
  type HubClientEvents,
  type HubServerEvents,
} from '../common/protocol';
import { checkRequestSize } from '../common/frame-limit';
import { HUB_CLIENT_ERROR_CODES, type HubClientErrorCode } from '../common/hub-errors';
import { fail, ok, type Result } from '../common/result';

/** A typed socket.io client of the hub. */
export type HubClientSocket = ClientSocket<HubServerEvents, HubClientEvents>;

/** The value an event's ack carries, e.g. `Result<PublishAck, ErrorCode>` for `caption:publish`. */
export type AckOf<E extends keyof HubClientEvents> =
  Parameters<HubClientEvents[E]>[1] extends (r: infer R) => void ? R : never;

/** What a request answers on the client: the hub's ack, or a client-side failure (no answer in time). */
export type RequestResult<E extends keyof HubClientEvents> =
  AckOf<E> extends Result<infer T, infer C> ? Result<T, C | HubClientErrorCode> : never;

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
        done(fail(HUB_CLIENT_ERROR_CODES.CONNECT_FAILED, `cannot reach the hub at ${url}: ${err.message}`));
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
): Promise<RequestResult<E>> {
  const size = checkRequestSize(event, payload);
  if (!size.ok) return size as RequestResult<E>;
  try {
    const emit = socket.timeout(timeoutMs).emitWithAck as unknown as (e: E, p: unknown) => Promise<RequestResult<E>>;
    return await emit.call(socket.timeout(timeoutMs), event, payload);
  } catch (err) {
    return fail(HUB_CLIENT_ERROR_CODES.TIMEOUT, `no answer to ${event} within ${timeoutMs} ms (${String(err)})`) as RequestResult<E>;
  }
}
