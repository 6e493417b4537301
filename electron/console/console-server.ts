/**
 * The console API over socket.io, for a browser-only console (a venue server, a second screen) and the tests:
 * serves the built console page (out/renderer/index.html and its assets) and exposes a {@link ConsoleApi} on
 * the same origin. The client half is electron/common/console-api-socket.ts.
 *
 * Wire: `console:call (method, args[], ack(Result))` parsed with `consoleRequestSchemas` before the core sees
 * it; `console:event (name, payload)` for every core event; `console:audio (source, binary Float32 samples)`.
 * Whoever reaches this server controls the console: it listens on loopback unless told otherwise, and an
 * optional token (handshake `auth.token` or `?token=` on the page URL) guards it when it does not.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import { Server } from 'socket.io';
import { CONSOLE_TRANSPORT, type ConsoleApi } from '../common/console-api';
import { acceptAudioFrame, dispatchConsoleCall, forwardConsoleEvents } from '../common/console-api-dispatch';
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
  /** When set, clients present it (handshake `auth.token` or `token` query); compared in constant time. */
  token?: string;
}

/** A running console server. */
export interface ConsoleServer {
  /** e.g. `http://127.0.0.1:5173` (the console page is at `/`). */
  url: string;
  port: number;
  /** Connected console pages. */
  clients(): number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.map': 'application/json; charset=utf-8',
};

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Name of the cookie that carries the access token from the page URL to the socket handshake. */
const TOKEN_COOKIE = 'tarjuman_console';

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Serves files of `staticDir` (no dot files, nothing outside it); `/` is the console page. With a token, pages
 * are served only to a request presenting it (`?token=` once, then the cookie this sets).
 */
function staticHandler(staticDir: string, tokenOk: ((t: string | undefined) => boolean) | null): (req: IncomingMessage, res: ServerResponse) => void {
  let rootPromise: Promise<string> | null = null;
  const root = (): Promise<string> => (rootPromise ??= realpath(staticDir).catch(() => staticDir));
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://console');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (path === '/' || path === '/index.html' || path === '/console') path = '/index.html';
      const setCookie: Record<string, string> = {};
      if (tokenOk) {
        const fromQuery = url.searchParams.get('token') ?? undefined;
        if (fromQuery !== undefined && tokenOk(fromQuery)) {
          setCookie['set-cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(fromQuery)}; HttpOnly; SameSite=Strict; Path=/`;
        } else if (!tokenOk(cookieValue(req.headers.cookie, TOKEN_COOKIE))) {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Open the console with its access link (…/?token=…).\n');
          return;
        }
      }
      if (path.split('/').some((part) => part.startsWith('.') || part.includes('\\') || part.includes('\0'))) {
        res.writeHead(404).end();
        return;
      }
      const base = await root();
      let file: string;
      try {
        file = await realpath(join(base, path));
        if (!file.startsWith(base + sep) || !(await stat(file)).isFile()) throw new Error('outside');
      } catch {
        const missingPage = path === '/index.html';
        res.writeHead(missingPage ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(missingPage ? 'The console page is not built: run `npm run build`.\n' : 'Not found\n');
        return;
      }
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const headers: Record<string, string> = {
        ...setCookie,
        'content-type': type,
        'x-content-type-options': 'nosniff',
        'cache-control': type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
      };
      if (type.startsWith('text/html')) {
        headers['content-security-policy'] = CONSOLE_CSP;
        headers['x-frame-options'] = 'DENY';
        headers['referrer-policy'] = 'no-referrer';
      }
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    })();
  };
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

/** Starts the console server; resolves once it listens. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { core } = options;
  const tokenDigest = options.token ? digest(options.token) : null;
  const tokenOk = tokenDigest ? (t: string | undefined): boolean => typeof t === 'string' && timingSafeEqual(digest(t), tokenDigest) : null;
  const httpServer = createServer(staticHandler(options.staticDir, tokenOk));
  const io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 4 * 1024 * 1024 });

  io.use((socket, next) => {
    if (!tokenOk) return next();
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const query = socket.handshake.query['token'];
    const presented = [
      typeof auth?.['token'] === 'string' ? auth['token'] : undefined,
      typeof query === 'string' ? query : undefined,
      cookieValue(socket.handshake.headers.cookie, TOKEN_COOKIE),
    ];
    if (presented.some((t) => tokenOk(t))) return next();
    const err = new Error('This console needs its access token.') as Error & { data?: unknown };
    err.data = { code: 'AUTH_BAD_SECRET', message: 'This console needs its access token.' };
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

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    clients: () => io.engine.clientsCount,
    close: async () => {
      io.disconnectSockets(true);
      const closed = io.close();
      httpServer.closeAllConnections();
      await closed.catch(() => undefined);
    },
  };
}
