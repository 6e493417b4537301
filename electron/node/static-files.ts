/**
 * Serving the built renderer (the display page, the console page, their assets) over HTTP, with the headers
 * every response of ours carries. Used by the hub's HTTP side and by the browser console's server.
 *
 * Safety: a request names a file only through {@link requestFilePath}, which refuses dot segments (`..`,
 * `.env`, `.git`), backslashes, NUL and undecodable escapes; {@link StaticFiles.serve} then resolves symlinks and
 * serves only a regular file that is still inside the root. Every response carries `X-Content-Type-Options:
 * nosniff`; HTML ones carry the caller's policy headers (CSP and the like).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

/** Content types by file extension (lower case, with the dot). */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
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
  '.wav': 'audio/wav',
};

/** The content type of a file name; `application/octet-stream` when the extension is not known. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The headers of every response: no content sniffing, and (unless the caller says otherwise) no caching. */
export const BASE_HEADERS: Readonly<Record<string, string>> = { 'X-Content-Type-Options': 'nosniff' };

/**
 * The path of a request URL, percent-decoded; `null` when it cannot name anything we serve (an undecodable
 * escape, a NUL, a backslash).
 */
export function requestPath(url: string | undefined): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url ?? '/', 'http://request.invalid').pathname);
  } catch {
    return null;
  }
  return path.includes('\0') || path.includes('\\') ? null : path;
}

/**
 * A decoded request path (`/assets/app.js`) as a file path relative to the static root (`assets/app.js`), or
 * `null` when a segment is empty or starts with a dot.
 */
export function requestFilePath(path: string): string | null {
  const segments = path.split('/').slice(1);
  const safe = segments.length > 0 && segments.every((s) => s !== '' && !s.startsWith('.'));
  return safe ? segments.join('/') : null;
}

/** Writes a whole response (HEAD gets the headers only), with {@link BASE_HEADERS} and `Cache-Control: no-store`. */
export function sendBody(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** A plain-text response, newline-terminated. */
export function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'text/plain; charset=utf-8', body.endsWith('\n') ? body : `${body}\n`, headers);
}

/** Options of {@link createStaticFiles}. */
export interface StaticFilesOptions {
  /** The directory served (symlinks inside it may not lead out of it). */
  root: string;
  /** Added to every HTML response: the page's Content-Security-Policy, frame and referrer policies. */
  htmlHeaders: Readonly<Record<string, string>>;
  /** The `Cache-Control` of a file, from its path relative to the root and its content type. */
  cacheControl: (relativePath: string, contentType: string) => string;
}

/** Files of one directory, served safely; see the module comment. */
export interface StaticFiles {
  /**
   * Serves `relativePath` (from {@link requestFilePath}, or a fixed name) with `extraHeaders` on top. Resolves
   * `false`, having written nothing, when it is not a regular file inside the root.
   */
  serve(res: ServerResponse, relativePath: string, extraHeaders?: Readonly<Record<string, string>>): Promise<boolean>;
}

/** Serves the files of `options.root`; the root's real path is resolved once, at the first request. */
export function createStaticFiles(options: StaticFilesOptions): StaticFiles {
  let realRoot: Promise<string> | null = null;
  const root = (): Promise<string> => (realRoot ??= realpath(options.root).catch(() => options.root));
  return {
    async serve(res, relativePath, extraHeaders = {}) {
      const base = await root();
      let file: string;
      try {
        file = await realpath(join(base, relativePath));
      } catch {
        return false;
      }
      if (!file.startsWith(base + sep)) return false;
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return false;
      const type = contentTypeOf(file);
      res.writeHead(200, {
        ...BASE_HEADERS,
        'Content-Type': type,
        'Content-Length': String(info.size),
        'Cache-Control': options.cacheControl(relativePath, type),
        ...(type.startsWith('text/html') ? options.htmlHeaders : {}),
        ...extraHeaders,
      });
      if (res.req.method === 'HEAD') {
        res.end();
        return true;
      }
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      return true;
    },
  };
}
