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
 * - `GET /`: a small page listing the rooms' display links and phone pages.
 *
 * Pages refuse to be framed by other sites unless the hub names them (see {@link pageHeaders}).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname } from 'node:path';
import { displayUrl, phoneUrl } from '../common/hub-config';
import type { Logger } from '../node/logger';
import { BASE_HEADERS, createStaticFiles, requestFilePath, requestPath, sendBody, sendText } from '../node/static-files';
import { EXPORT_CONTENT_TYPES, type ExportFormat } from '../common/subtitles';
import { exportLines } from './caption-export';
import type { HistoryStore } from './history-store';

/** Content-Security-Policy of the display page: framed by the hub's own pages only. */
export const DISPLAY_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

/**
 * Policy headers of the hub's pages. Another site may frame them only when the hub names its origin
 * (`frameAncestors`, a venue's web page): the CSP's `frame-ancestors`, and for browsers older than that,
 * `X-Frame-Options: SAMEORIGIN`, sent only when no other origin is allowed (it cannot name one).
 */
export function pageHeaders(frameAncestors: readonly string[] = []): Record<string, string> {
  if (frameAncestors.length === 0) return { 'Content-Security-Policy': DISPLAY_CSP, 'X-Frame-Options': 'SAMEORIGIN' };
  return { 'Content-Security-Policy': `${DISPLAY_CSP} ${frameAncestors.join(' ')}` };
}

export interface HttpRoutesContext {
  staticDir: string;
  /** Channels per room. */
  rooms: ReadonlyMap<string, readonly string[]>;
  store: HistoryStore;
  health: () => unknown;
  logger: Logger;
  /** The app icon as a PNG (resources/icon-32.png), answered for `/favicon.ico` when the built page has none. */
  iconFile?: string;
  /** Origins allowed to frame the pages (see {@link pageHeaders}). */
  frameAncestors?: readonly string[];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Builds the request listener socket.io falls back to for everything outside `/socket.io/`. */
export function createRequestHandler(ctx: HttpRoutesContext): (req: IncomingMessage, res: ServerResponse) => void {
  const files = createStaticFiles({
    root: ctx.staticDir,
    htmlHeaders: pageHeaders(ctx.frameAncestors),
    // Built assets carry a content hash in their names: cache them for good; the rest is revalidated.
    cacheControl: (relative) => (relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  const icon = ctx.iconFile
    ? { files: createStaticFiles({ root: dirname(ctx.iconFile), htmlHeaders: {}, cacheControl: () => 'public, max-age=86400' }), name: basename(ctx.iconFile) }
    : null;

  async function serveExport(res: ServerResponse, room: string, channel: string, format: ExportFormat): Promise<void> {
    const lines = await ctx.store.committedLines(room, channel);
    if (!lines.ok) {
      sendText(res, 404, lines.error.message);
      return;
    }
    sendBody(res, 200, EXPORT_CONTENT_TYPES[format], exportLines(lines.value, format), {
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
        const phone = `<a href="${escapeHtml(phoneUrl('', room, channels))}">phones</a>`;
        return `<li><strong>${escapeHtml(room)}</strong>: ${links.join(' · ')} · ${phone}</li>`;
      })
      .join('\n');
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>Tarjuman hub</title></head><body><h1>Tarjuman caption hub</h1><p>Room displays (open on any screen of this network, via ${escapeHtml(base)}):</p><ul>${items}</ul></body></html>\n`;
    sendBody(res, 200, 'text/html; charset=utf-8', body, pageHeaders(ctx.frameAncestors));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const path = requestPath(req.url);
    if (path === null) {
      sendText(res, 400, 'bad request path');
      return;
    }
    if (path === '/') return serveIndex(res, req);
    if (path === '/healthz') {
      sendBody(res, 200, 'application/json; charset=utf-8', JSON.stringify(ctx.health()) + '\n');
      return;
    }
    if (path === '/favicon.ico') {
      if (await files.serve(res, 'favicon.ico')) return;
      if (icon && (await icon.files.serve(res, icon.name))) return;
      res.writeHead(204, { ...BASE_HEADERS, 'Cache-Control': 'public, max-age=86400' });
      res.end();
      return;
    }
    if (path === '/display/') {
      // The page loads ./assets/...: keep it at /display so they resolve to /assets/.
      const search = new URL(req.url ?? '/', 'http://hub.invalid').search;
      sendText(res, 308, 'moved to /display', { Location: `/display${search}` });
      return;
    }
    if (path === '/display' || path === '/display.html') {
      const served = await files.serve(res, 'display.html', { 'Referrer-Policy': 'no-referrer' });
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
    const file = requestFilePath(path);
    if (file === null || !(await files.serve(res, file))) {
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
