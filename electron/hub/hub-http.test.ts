import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionHub } from './caption-hub';
import { hubRequest } from './hub-client';
import { ClientPool, startTestHub, TEST_ROOMS } from './test-support';
import { DISPLAY_CSP } from './http-routes';

const SECRET = TEST_ROOMS[0]!.secret;
const pool = new ClientPool();
let hub: CaptionHub;
let bare: CaptionHub;
let root: string;

/** A raw GET that sends the path exactly as written (fetch would normalise `..`). */
function rawGet(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tarjuman-static-'));
  const staticDir = join(root, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'display.html'), '<!doctype html><title>display</title><script type="module" src="/assets/display.js"></script>');
  await writeFile(join(staticDir, 'assets', 'display.js'), 'console.log("display");');
  await writeFile(join(staticDir, 'assets', 'display.css'), 'body{}');
  await writeFile(join(staticDir, 'assets', 'noto.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  await writeFile(join(staticDir, '.env'), 'SECRET=hidden');
  await writeFile(join(root, 'outside.txt'), 'outside the static directory');
  await symlink(join(root, 'outside.txt'), join(staticDir, 'assets', 'link.txt'));
  ({ hub } = await startTestHub({ staticDir }));
  ({ hub: bare } = await startTestHub({ staticDir: join(root, 'missing') }));
});

afterAll(async () => {
  pool.closeAll();
  await Promise.all([hub.close(), bare.close()]);
  await rm(root, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves the display page with its query string and strict headers', async () => {
    const res = await rawGet(hub.port, '/display?room=main&channels=ar,en');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>display</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DISPLAY_CSP);
    expect(DISPLAY_CSP).toContain("default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const slash = await rawGet(hub.port, '/display/?room=main&channels=ar');
    expect(slash.status).toBe(308);
    expect(slash.headers['location']).toBe('/display?room=main&channels=ar');
    const head = await rawGet(hub.port, '/display', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves assets with their content types', async () => {
    const cases: Array<[string, string]> = [
      ['/assets/display.js', 'text/javascript; charset=utf-8'],
      ['/assets/display.css', 'text/css; charset=utf-8'],
      ['/assets/noto.woff2', 'font/woff2'],
    ];
    for (const [path, type] of cases) {
      const res = await rawGet(hub.port, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe(type);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('refuses traversal, dot files and symlinks leading out', async () => {
    for (const path of [
      '/../outside.txt',
      '/assets/../../outside.txt',
      '/%2e%2e/outside.txt',
      '/assets/%2e%2e%2f%2e%2e%2foutside.txt',
      '/assets/..%5c..%5coutside.txt',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/link.txt',
      '/.env',
      '/assets/',
      '/%00display.html',
      '/%E0%A4%A',
    ]) {
      const res = await rawGet(hub.port, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain('outside the static directory');
      expect(res.body, path).not.toContain('SECRET');
      expect(res.body, path).not.toContain('root:');
    }
    expect((await rawGet(hub.port, '/display', 'POST')).status).toBe(405);
  });

  it('answers 503 with what to run when the display page is not built', async () => {
    const res = await rawGet(bare.port, '/display?room=main&channels=en');
    expect(res.status).toBe(503);
    expect(res.body).toContain('npm run build');
  });

  it('answers /favicon.ico with the app icon', async () => {
    const res = await rawGet(hub.port, '/favicon.ico');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reports health as JSON', async () => {
    const res = await rawGet(hub.port, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, rooms: ['main', 'panel'], store: { kind: 'memory', error: null } });
  });
});

describe('exports', () => {
  it('exports committed lines as WebVTT, SRT and text with real times and the latest revision', async () => {
    const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
    const t0 = Date.now() - 10_000;
    const lines = [
      { id: 'x1', text: 'Good morning & welcome <all>.', startedAt: t0 },
      { id: 'x2', text: 'We begin\n\nwith the agenda.', startedAt: t0 + 3_500 },
      { id: 'x3', text: 'Thank you.', startedAt: t0 + 7_250 },
    ];
    for (const l of lines) {
      await hubRequest(operator, 'caption:publish', { ...l, channel: 'en', state: 'final', source: 'typed' });
    }
    await hubRequest(operator, 'caption:publish', { id: 'x4', channel: 'en', text: 'still a partial', state: 'partial', source: 'typed' });
    await hubRequest(operator, 'caption:revise', { channel: 'en', id: 'x3', text: 'Thank you very much.' });

    const vtt = await rawGet(hub.port, '/export/main/en.vtt');
    expect(vtt.status).toBe(200);
    expect(vtt.headers['content-type']).toBe('text/vtt; charset=utf-8');
    // Cues follow one another: a line still up when the next started ends where the next starts.
    expect(vtt.body.startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:03.500\n')).toBe(true);
    expect(vtt.body).toContain('Good morning &amp; welcome &lt;all&gt;.');
    expect(vtt.body).toMatch(/\n\n00:00:03\.500 --> 00:00:07\.250\nWe begin\nwith the agenda\.\n/);
    expect(vtt.body).toMatch(/\n\n00:00:07\.250 --> 00:00:1\d\.\d{3}\nThank you very much\.\n/);
    expect(vtt.body).not.toContain('still a partial');

    const srt = await rawGet(hub.port, '/export/main/en.srt');
    expect(srt.headers['content-type']).toBe('application/x-subrip; charset=utf-8');
    expect(srt.body).toMatch(/^1\n00:00:00,000 --> 00:00:03,500\nGood morning & welcome <all>\.\n\n2\n00:00:03,500 --> /);

    const txt = await rawGet(hub.port, '/export/main/en.txt');
    expect(txt.body).toBe('Good morning & welcome <all>.\nWe begin with the agenda.\nThank you very much.\n');

    await hubRequest(operator, 'caption:publish', { id: 'a1', channel: 'floor', text: 'From the audio.', state: 'final', source: 'floor-stt', audioStart: 61.5, audioEnd: 64.25 });
    const audio = await rawGet(hub.port, '/export/main/floor.srt');
    expect(audio.body).toBe('1\n00:01:01,500 --> 00:01:04,250\nFrom the audio.\n');

    expect((await rawGet(hub.port, '/export/main/de.vtt')).status).toBe(404);
    expect((await rawGet(hub.port, '/export/nowhere/en.vtt')).status).toBe(404);
    expect((await rawGet(hub.port, '/export/main/en.doc')).status).toBe(404);
  });

  it('a caption cannot forge a cue in an export: a blank line and a timing line stay text of their own cue', async () => {
    const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
    const forged = 'Thank you.\n\n2\n00:00:00,000 --> 09:59:59,000\nFORGED CUE';
    const t0 = Date.now() - 5_000;
    await hubRequest(operator, 'caption:publish', { id: 'f1', channel: 'ru', text: forged, state: 'final', source: 'typed', startedAt: t0 });
    await hubRequest(operator, 'caption:publish', { id: 'f2', channel: 'ru', text: 'Next.', state: 'final', source: 'typed', startedAt: t0 + 2000 });
    const srt = (await rawGet(hub.port, '/export/main/ru.srt')).body;
    const blocks = srt.split(/\n\n+/).filter((b) => b.trim() !== '');
    expect(blocks).toHaveLength(2);
    expect(srt.match(/-->/g)).toHaveLength(2);
    expect(blocks[0]).toContain('FORGED CUE');
    const vtt = (await rawGet(hub.port, '/export/main/ru.vtt')).body;
    expect(vtt.replace(/^WEBVTT\n\n/, '').split(/\n\n+/).filter((b) => b.trim() !== '')).toHaveLength(2);
    expect(vtt.match(/-->/g)).toHaveLength(2);
  });
});
