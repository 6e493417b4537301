/**
 * Who may use the console server. Whoever reaches its API controls the room's captions and can redirect the
 * room secret, and any web page in a browser on the machine can open a WebSocket to loopback, so it trusts:
 *
 * - **Host**: only names it serves: loopback (`localhost`, `127.0.0.1`, `[::1]`), the addresses it listens on
 *   (every interface address when it listens on all of them), and names given in configuration; with its own
 *   port. A DNS-rebinding page (`Host: evil.example:<port>`) is refused on every HTTP request, page included.
 * - **Origin** (the socket.io transport, WebSocket upgrades and polling alike): absent (not a browser, or a
 *   same-origin GET) or exactly the origin of the page it served (`http://` + the Host). A page from any other
 *   origin is refused, token or not.
 * - **Token**: always, also on loopback, in the socket.io handshake's `auth.token` only (the page keeps it for the
 *   tab from the link's `#token=` fragment). A token in the URL query, or in the cookie an earlier version set
 *   (with none in the handshake), is refused as misplaced: those leak into logs, history and other requests. Compared in constant time; refused attempts are counted
 *   per client address and an address over the limit is refused outright for the rest of the minute.
 *
 * Refusals are logged with their code, the client address, Origin and Host: never a token or a query string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CONSOLE_ERROR_CODES, type ConsoleOwnErrorCode } from '../common/console-api-result';
import type { Logger } from '../node/logger';

/** Why a request was refused: a console error code and a message a person can act on. */
export interface AccessRefusal {
  code: ConsoleOwnErrorCode;
  message: string;
}

/** The part of an HTTP request the checks read. */
export interface AccessRequest {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string | undefined };
}

/** The part of a socket.io handshake the token check reads. */
export interface TokenHandshake {
  auth: unknown;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  address: string;
}

/** Options of {@link ConsoleAccess}. */
export interface ConsoleAccessOptions {
  /** The access token (compared as a SHA-256 digest, in constant time). */
  token: string;
  /** The address the server listens on (`0.0.0.0` / `::` = every interface). */
  listenHost: string;
  /** Host names besides loopback and the listening addresses (a DNS name of this machine). */
  allowedHosts?: readonly string[];
  logger: Logger;
  /** Refused token attempts per client address per minute before it is refused outright (default 10). */
  failureLimit?: number;
  /** Clock (tests). */
  now?: () => number;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WINDOW_MS = 60_000;
/** Longest token a client may present (anything longer is wrong without hashing it). */
const MAX_TOKEN_LENGTH = 256;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function header(req: AccessRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Host` split into a lower-case name (IPv6 without brackets) and a port (80 when absent). */
export function parseHostHeader(host: string): { name: string; port: number } | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!m) return null;
  const name = m[1]!.toLowerCase().replace(/^\[|\]$/g, '');
  return { name, port: m[2] === undefined ? 80 : Number(m[2]) };
}

/** The access checks of one console server. */
export class ConsoleAccess {
  private readonly tokenDigest: Buffer;
  private readonly configured: Set<string>;
  private readonly failures = new Map<string, { count: number; since: number }>();
  private port = 0;

  constructor(private readonly options: ConsoleAccessOptions) {
    if (options.token === '') throw new Error('the console server needs an access token');
    this.tokenDigest = digest(options.token);
    this.configured = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')));
  }

  /** The port the server listens on (known once it listens); the Host must name it. */
  setPort(port: number): void {
    this.port = port;
  }

  /** Whether `name` (lower case, IPv6 without brackets) is a name this server answers to. */
  servesName(name: string): boolean {
    if (LOOPBACK_NAMES.includes(name) || this.configured.has(name)) return true;
    const listen = this.options.listenHost.toLowerCase();
    if (listen === '0.0.0.0' || listen === '::') {
      if (isIP(name) === 0) return false;
      return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.address.toLowerCase() === name));
    }
    return name === listen;
  }

  /** Every HTTP request: the Host must be one this server serves, with its port. */
  checkHost(req: AccessRequest): AccessRefusal | null {
    const raw = header(req, 'host');
    const host = raw ? parseHostHeader(raw) : null;
    if (!host || host.port !== this.port || !this.servesName(host.name)) {
      return this.refuse(req, CONSOLE_ERROR_CODES.ACCESS_BAD_HOST, `This console does not answer to the host ${raw ? `"${raw.slice(0, 100)}"` : '(none)'}; open the link it printed (or start it with --allow-host for this name).`);
    }
    return null;
  }

  /** The socket.io transport (handshake, polling, WebSocket upgrade): the Host, then the Origin. */
  checkTransport(req: AccessRequest): AccessRefusal | null {
    const bad = this.checkHost(req);
    if (bad) return bad;
    const origin = header(req, 'origin');
    if (origin === undefined) return null;
    if (origin.toLowerCase() === `http://${header(req, 'host')!.toLowerCase()}`) return null;
    return this.refuse(req, CONSOLE_ERROR_CODES.ACCESS_BAD_ORIGIN, 'Only the console page this server serves may use it; pages from other origins are refused.');
  }

  /** The socket.io handshake: the token, in `auth.token` only, counted and compared in constant time. */
  checkToken(handshake: TokenHandshake): AccessRefusal | null {
    const address = handshake.address;
    const context = { headers: handshake.headers, socket: { remoteAddress: address } };
    const now = (this.options.now ?? Date.now)();
    const entry = this.failures.get(address);
    if (entry && now - entry.since <= WINDOW_MS && entry.count >= (this.options.failureLimit ?? 10)) {
      return this.refuse(context, CONSOLE_ERROR_CODES.ACCESS_RATE_LIMITED, 'Too many refused attempts from this address; wait a minute.');
    }
    const auth = (typeof handshake.auth === 'object' && handshake.auth !== null ? handshake.auth : {}) as Record<string, unknown>;
    const presented = auth['token'];
    let refusal: AccessRefusal | null = null;
    const inCookie = /(?:^|;\s*)tarjuman_console=/.test(header(context, 'cookie') ?? '');
    if (handshake.query['token'] !== undefined || (inCookie && presented === undefined)) {
      refusal = { code: CONSOLE_ERROR_CODES.ACCESS_TOKEN_MISPLACED, message: 'The access token goes in the handshake (auth.token), never in the URL or a cookie.' };
    } else if (typeof presented !== 'string' || presented === '') {
      refusal = { code: CONSOLE_ERROR_CODES.ACCESS_TOKEN_MISSING, message: 'This console needs its access token: open the link it printed (…/#token=…).' };
    } else if (presented.length > MAX_TOKEN_LENGTH || !timingSafeEqual(digest(presented), this.tokenDigest)) {
      refusal = { code: CONSOLE_ERROR_CODES.ACCESS_TOKEN_WRONG, message: 'Wrong access token: open the link the console printed at its last start.' };
    }
    if (!refusal) return null;
    if (!entry || now - entry.since > WINDOW_MS) this.failures.set(address, { count: 1, since: now });
    else entry.count++;
    if (this.failures.size > 10_000) this.failures.clear();
    return this.refuse(context, refusal.code, refusal.message);
  }

  private refuse(req: AccessRequest, code: AccessRefusal['code'], message: string): AccessRefusal {
    this.options.logger.warn('console access refused', {
      code,
      address: req.socket?.remoteAddress,
      origin: header(req, 'origin')?.slice(0, 100),
      host: header(req, 'host')?.slice(0, 100),
    });
    return { code, message };
  }
}
