import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles, requestFilePath, requestPath, sendText } from './static-files';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarjuman-static-'));
  const root = join(dir, 'root');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'page.html'), '<!doctype html><p>page</p>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, '.env'), 'SECRET=1');
  await writeFile(join(dir, 'outside.txt'), 'outside');
  await symlink(join(dir, 'outside.txt'), join(root, 'leak.txt'));
  const files = createStaticFiles({
    root,
    htmlHeaders: { 'Content-Security-Policy': "default-src 'self'", 'X-Frame-Options': 'DENY' },
    cacheControl: (relative) => (relative.startsWith('assets/') ? 'immutable' : 'no-cache'),
  });
  server = createServer((req, res) => {
    const path = requestPath(req.url);
    const file = path === null ? null : requestFilePath(path);
    if (file === null) return sendText(res, 400, 'bad path');
    void files.serve(res, file, path === '/page.html' ? { 'Referrer-Policy': 'no-referrer' } : {}).then((served) => {
      if (!served) sendText(res, 404, 'not found');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves HTML with the policy headers, assets with their cache rule, every response with nosniff', async () => {
    const page = await fetch(`${base}/page.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${base}/assets/app.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('immutable');
    expect(asset.headers.get('content-security-policy')).toBeNull();
    expect((await fetch(`${base}/missing.js`)).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses dot files, traversal (plain or encoded), backslashes, NUL and symlinks leading out', async () => {
    for (const path of ['/.env', '/assets/%2e%2e/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/assets%5c..%5coutside.txt', '/page.html%00', '/%E0%A4%A', '/leak.txt', '/assets']) {
      const res = await fetch(`${base}${path}`);
      expect([400, 404], path).toContain(res.status);
      expect(await res.text(), path).not.toMatch(/outside|SECRET/);
    }
  });

  it('answers HEAD with the headers only', async () => {
    const head = await fetch(`${base}/page.html`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String('<!doctype html><p>page</p>'.length));
    expect(await head.text()).toBe('');
  });
});
