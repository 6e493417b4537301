/**
 * The console API over socket.io, for a browser-only console (a venue machine, a second screen) and the tests:
 * serves the built console page (out/renderer/index.html and its assets) and exposes a {@link ConsoleApi} on
 * the same origin. The client half is electron/common/console-api-socket.ts.
 *
 * Wire: `console:call (method, args[], ack(result))` through the shared dispatcher (arguments parsed before the
 * core sees them); `console:event (name, payload)` for every core event; `console:audio (source, binary Float32
 * samples)`.
 *
 * Whoever reaches this API controls the console, so every request passes console-access.ts first: the Host on
 * every HTTP request, the Origin on every request of the socket.io transport (handshakes, polling, WebSocket
 * upgrades), and the access token in the socket handshake, before any method can run. The token is always
 * required; the link to open is `…/#token=…` (the fragment never reaches a server or a log).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { CONSOLE_TRANSPORT, type ConsoleApi } from '../common/console-api';
import { acceptAudioFrame, dispatchConsoleCall, forwardConsoleEvents } from '../common/console-api-dispatch';
import { createStaticFiles, requestFilePath, requestPath, sendText } from '../node/static-files';
import { silentLogger, type Logger } from '../node/logger';
import { ConsoleAccess } from './console-access';
import { CONSOLE_CSP } from './console-csp';

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions {
  /** The core (or any ConsoleApi) to expose. */
  core: ConsoleApi;
  /** TCP port; 0 = any free port. Default 0. */
  port?: number;
  /** Listen address. Default `127.0.0.1`. */
  host?: string;
  /** Built renderer directory holding index.html (the console page) and assets/. */
  staticDir: string;
  /** The access token the page presents; a random one when omitted (read it back from `token` / `link`). */
  token?: string;
  /** Host names the server answers to besides loopback and the addresses it listens on (a DNS name of this machine). */
  allowedHosts?: readonly string[];
  /** Refused token attempts per client address per minute before it is refused outright (default 10). */
  tokenFailureLimit?: number;
  /** Where refusals are logged (never with a token). Default: nowhere. */
  logger?: Logger;
}

/** A running console server. */
export interface ConsoleServer {
  /** e.g. `http://127.0.0.1:7400` (the console page is at `/`). */
  url: string;
  port: number;
  /** The access token. */
  token: string;
  /** The console page with its token: `<url>/#token=<token>` (what to open, print or hand to a browser). */
  link: string;
  /** The same link on another address or name of this machine (a LAN address, an allowed host name). */
  linkVia(host: string): string;
  /** Connected console pages. */
  clients(): number;
  close(): Promise<void>;
}

/** Float32 samples from a binary socket payload (Buffer, ArrayBuffer or typed array); null when it is not one. */
function toFloat32(data: unknown): Float32Array | null {
  let bytes: Uint8Array;
  if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return null;
  if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) return null;
  // Copy into a fresh, aligned buffer (a Buffer from the socket may sit at any offset of a shared pool).
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Serves the console page (`/`, `/index.html`, `/console`) and its assets to requests with a Host it serves. */
function pageHandler(staticDir: string, access: ConsoleAccess): (req: IncomingMessage, res: ServerResponse) => void {
  const files = createStaticFiles({
    root: staticDir,
    htmlHeaders: { 'Content-Security-Policy': CONSOLE_CSP, 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' },
    cacheControl: (_path, type) => (type.startsWith('text/html') ? 'no-store' : 'max-age=3600'),
  });
  return (req, res) => {
    void (async () => {
      const refused = access.checkHost(req);
      if (refused) return sendText(res, 403, `${refused.code}: ${refused.message}`);
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
      const path = requestPath(req.url);
      if (new URL(req.url ?? '/', 'http://console.invalid').searchParams.has('token')) {
        return sendText(res, 400, 'The access token goes after # in the link (…/#token=…), never in the query: open the link the console printed.');
      }
      const page = path === '/' || path === '/index.html' || path === '/console';
      const file = page ? 'index.html' : path === null ? null : requestFilePath(path);
      if (file !== null && (await files.serve(res, file))) return;
      if (page) return sendText(res, 503, 'The console page is not built: run `npm run build`.');
      sendText(res, 404, 'Not found.');
    })();
  };
}

/** Starts the console server; resolves once it listens. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { core } = options;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(18).toString('base64url');
  const access = new ConsoleAccess({
    token,
    listenHost: host,
    logger: options.logger ?? silentLogger,
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.tokenFailureLimit !== undefined ? { failureLimit: options.tokenFailureLimit } : {}),
  });
  const httpServer = createServer(pageHandler(options.staticDir, access));
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 4 * 1024 * 1024,
    // A transport handshake (polling or WebSocket) from a foreign origin or host never gets a session; the
    // refusal's code travels in the answer (`{"code":4,"message":"ACCESS_…: …"}`).
    allowRequest: (req, callback) => {
      const refused = access.checkTransport(req);
      callback(refused ? `${refused.code}: ${refused.message}` : null, refused === null);
    },
  });
  // Every later request of a session (polls, posts, the upgrade to WebSocket) is checked again.
  io.engine.use((req: IncomingMessage, _res: ServerResponse, next: (err?: Error) => void) => {
    if (!(req as IncomingMessage & { _query?: Record<string, string> })._query?.['sid']) return next();
    const refused = access.checkTransport(req);
    next(refused ? new Error(refused.code) : undefined);
  });
  io.use((socket, next) => {
    const { headers, auth, query, address } = socket.handshake;
    const refused = access.checkTransport({ headers, socket: { remoteAddress: address } }) ?? access.checkToken({ auth, query, headers, address });
    if (!refused) return next();
    const err = new Error(refused.message) as Error & { data?: unknown };
    err.data = refused;
    next(err);
  });

  io.on('connection', (socket) => {
    const stopEvents = forwardConsoleEvents(core, (name, payload) => socket.emit(CONSOLE_TRANSPORT.event, name, payload));
    socket.on('disconnect', stopEvents);
    socket.on(CONSOLE_TRANSPORT.call, (method: unknown, args: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      void dispatchConsoleCall(core, method, args).then((answer) => {
        try {
          (ack as (r: unknown) => void)(answer);
        } catch {
          // A broken ack must not take the server down.
        }
      });
    });
    socket.on(CONSOLE_TRANSPORT.audio, (source: unknown, data: unknown) => {
      const audio = acceptAudioFrame(source, toFloat32(data));
      if (audio) core.pushAudio(audio.source, audio.frame);
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  access.setPort(port);
  const linkVia = (name: string): string => `http://${name.includes(':') ? `[${name}]` : name}:${port}/#token=${encodeURIComponent(token)}`;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}`;
  return {
    url,
    port,
    token,
    link: linkVia(urlHost),
    linkVia,
    clients: () => io.engine.clientsCount,
    close: async () => {
      io.disconnectSockets(true);
      const closed = io.close();
      httpServer.closeAllConnections();
      await closed.catch(() => undefined);
    },
  };
}
