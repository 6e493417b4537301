/**
 * The hub's HTTP side, on the same server as socket.io: the display page and its assets from the built
 * renderer, a health check, and caption exports.
 *
 * - `GET /display` serves `display.html` (the page reads its query string: `?room=main&channels=ar,en`);
 *   503 with what to run when the renderer is not built.
 * - `GET /assets/...` and other files of the static directory, with their content types; no dot files, no
 *   path outside the directory (`..`, encoded or not, and symlinks leading out are refused).
 * - `GET /healthz`: JSON status.
 * - `GET /export/<room>/<channel>.vtt|.srt|.txt`: the channel's committed lines.
 * - `GET /`: a small page listing the rooms' display links.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { displayUrl } from '../common/hub-config';
import { EXPORT_FORMATS, exportLines, type ExportFormat } from './caption-export';
import type { HistoryStore } from './history-store';
import type { HubLogger } from './hub-logger';

/** Content-Security-Policy of the display page. */
export const DISPLAY_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface HttpRoutesContext {
  staticDir: string;
  /** Channels per room. */
  rooms: ReadonlyMap<string, readonly string[]>;
  store: HistoryStore;
  health: () => unknown;
  logger: HubLogger;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, status: number, body: string): void {
  send(res, status, 'text/plain; charset=utf-8', body.endsWith('\n') ? body : body + '\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Builds the request listener socket.io falls back to for everything outside `/socket.io/`. */
export function createRequestHandler(ctx: HttpRoutesContext): (req: IncomingMessage, res: ServerResponse) => void {
  let realStaticDir: string | null = null;
  const staticRoot = async (): Promise<string> => (realStaticDir ??= await realpath(ctx.staticDir).catch(() => ctx.staticDir));

  async function serveFile(res: ServerResponse, relative: string, extraHeaders: Record<string, string>): Promise<boolean> {
    const root = await staticRoot();
    let file: string;
    try {
      file = await realpath(join(root, relative));
    } catch {
      return false;
    }
    if (!file.startsWith(root + sep)) return false;
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return false;
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Content-Length': String(info.size),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...extraHeaders,
    };
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = DISPLAY_CSP;
    res.writeHead(200, headers);
    if (res.req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  }

  async function serveExport(res: ServerResponse, room: string, channel: string, format: ExportFormat): Promise<void> {
    const lines = await ctx.store.committedLines(room, channel);
    if (!lines.ok) {
      sendText(res, 404, lines.error.message);
      return;
    }
    send(res, 200, EXPORT_FORMATS[format], exportLines(lines.value, format), {
      'Content-Disposition': `inline; filename="${room}-${channel}.${format}"`,
    });
  }

  function serveIndex(res: ServerResponse, req: IncomingMessage): void {
    const base = `//${req.headers.host ?? 'localhost'}`;
    const items = [...ctx.rooms]
      .map(([room, channels]) => {
        const links = [...channels.map((c) => [c]), [...channels.filter((c) => c !== 'floor')]]
          .filter((list) => list.length > 0)
          .map((list) => {
            const href = displayUrl('', room, list);
            return `<a href="${escapeHtml(href)}">${escapeHtml(list.join(' + '))}</a>`;
          });
        return `<li><strong>${escapeHtml(room)}</strong>: ${links.join(' · ')}</li>`;
      })
      .join('\n');
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>Tarjuman hub</title></head><body><h1>Tarjuman caption hub</h1><p>Room displays (open on any screen of this network, via ${escapeHtml(base)}):</p><ul>${items}</ul></body></html>\n`;
    send(res, 200, 'text/html; charset=utf-8', body, { 'Content-Security-Policy': DISPLAY_CSP });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub.invalid').pathname);
    } catch {
      sendText(res, 400, 'bad request path');
      return;
    }
    if (path.includes('\0') || path.includes('\\')) {
      sendText(res, 400, 'bad request path');
      return;
    }
    if (path === '/') return serveIndex(res, req);
    if (path === '/healthz') {
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(ctx.health()) + '\n');
      return;
    }
    if (path === '/favicon.ico' && !(await serveFile(res, 'favicon.ico', {}))) {
      res.writeHead(204, { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'public, max-age=86400' });
      res.end();
      return;
    }
    if (path === '/favicon.ico') return;
    if (path === '/display/') {
      // The page loads ./assets/...: keep it at /display so they resolve to /assets/.
      const search = new URL(req.url ?? '/', 'http://hub.invalid').search;
      send(res, 308, 'text/plain; charset=utf-8', 'moved to /display\n', { Location: `/display${search}` });
      return;
    }
    if (path === '/display' || path === '/display.html') {
      const served = await serveFile(res, 'display.html', { 'Referrer-Policy': 'no-referrer' });
      if (!served) {
        sendText(res, 503, 'The display page is not built. Run `npm run build` (electron-vite build) and reload.');
      }
      return;
    }
    const exportMatch = /^\/export\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})\.(vtt|srt|txt)$/.exec(path);
    if (exportMatch) {
      const [, room, channel, format] = exportMatch as unknown as [string, string, string, ExportFormat];
      await serveExport(res, room, channel, format);
      return;
    }
    const segments = path.split('/').slice(1);
    const safe = segments.length > 0 && segments.every((s) => s !== '' && !s.startsWith('.'));
    if (!safe || !(await serveFile(res, segments.join('/'), {}))) {
      sendText(res, 404, 'not found');
    }
  }

  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      ctx.logger.error('http request failed', { path: req.url, error: String(err) });
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  };
}
