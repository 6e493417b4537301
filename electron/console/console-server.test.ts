/**
 * The console API over a real socket.io connection (console-api-socket.ts on the client, console-server.ts on
 * the server) to a real core with a real speech-to-text worker (tone engine) and an embedded hub; and the
 * server's access checks against real socket.io clients and raw HTTP: a foreign Origin, a forged Host, no token,
 * a wrong token, a token in the wrong place. Each is refused with its code before any method runs.
 */
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { io, type Socket, type SocketOptions, type ManagerOptions } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createSocketConsoleApi } from '../common/console-api-socket';
import { CONSOLE_TRANSPORT, type ConsoleApi, type SttCaption } from '../common/console-api';
import { recordingConsoleApi } from '../common/console-api-test-support';
import type { ChannelChange } from '../common/protocol';
import { SAMPLE_RATE } from '../stt/engine';
import { makeToneAudio } from '../stt/fake-engines';
import { ConsoleCore } from './console-core';
import { startConsoleServer, type ConsoleServer, type ConsoleServerOptions } from './console-server';
import { cleanupTempDirs, tempDir, TestDisplay, toneStt } from './test-support';
import { recordingLogger } from '../hub/test-support';
import { CONSOLE_CSP } from './console-csp';

const TOKEN = 'let-me-in-42-abcdefgh';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

async function staticDir(): Promise<string> {
  const dir = await tempDir('tarjuman-static-');
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, '.env'), 'SECRET=1');
  return dir;
}

async function serveCore(): Promise<{ server: ConsoleServer; core: ConsoleCore }> {
  const core = await ConsoleCore.create({ dataDir: await tempDir(), logger: recordingLogger(), ...toneStt() });
  cleanups.push(() => core.close());
  const server = await startConsoleServer({ core, staticDir: await staticDir(), token: TOKEN });
  cleanups.push(() => server.close());
  return { server, core };
}

/** A console server in front of a recording API: what reaches the core, and the server's log. */
async function serveRecording(options: Partial<ConsoleServerOptions> = {}) {
  const recording = recordingConsoleApi();
  const logger = recordingLogger();
  const server = await startConsoleServer({ core: recording.api, staticDir: await staticDir(), token: TOKEN, logger, ...options });
  cleanups.push(() => server.close());
  return { server, calls: recording.calls, logger };
}

type Attempt = { connected: true; socket: Socket } | { connected: false; error: Error & { data?: { code?: string }; description?: unknown; context?: { responseText?: string } } };

/** One connection attempt of a real socket.io client (no retries). */
function attempt(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<Attempt> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 5000, ...opts });
  cleanups.push(() => {
    socket.disconnect();
  });
  return new Promise((resolve) => {
    socket.on('connect', () => resolve({ connected: true, socket }));
    socket.on('connect_error', (error) => resolve({ connected: false, error }));
  });
}

async function connect(url: string, auth: Record<string, string> = { token: TOKEN }): Promise<{ socket: Socket; api: ConsoleApi }> {
  const a = await attempt(url, { auth });
  if (!a.connected) throw a.error;
  return { socket: a.socket, api: createSocketConsoleApi(a.socket) };
}

/** A raw HTTP GET with any headers (Host and Origin included), as a browser or an attacker would send it. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const refusedCodes = (logger: { lines: string[] }): string[] =>
  logger.lines.filter((l) => l.includes('console access refused')).map((l) => /"code":"([A-Z_]+)"/.exec(l)?.[1] ?? '?');

describe('console server', () => {
  it('serves the console page with its CSP and nothing outside the static folder', async () => {
    const { server } = await serveRecording();
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('<title>console</title>');
    expect((await fetch(`${server.url}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/.env`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/..%2f.env`)).status).toBe(404);
    expect((await fetch(`${server.url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
    // The token never goes in a URL a server sees: a link with it in the query is refused and says where it goes.
    const misplaced = await fetch(`${server.url}/?token=${TOKEN}`);
    expect(misplaced.status).toBe(400);
    expect(await misplaced.text()).toMatch(/after # in the link/);
    expect(server.link).toBe(`${server.url}/#token=${TOKEN}`);
  });

  it('runs the console API over the socket: state, settings, hosting, publishing, events, audio', async () => {
    const { server } = await serveCore();
    const { api, socket } = await connect(server.url);
    const state = await api.getState();
    expect(state.ok).toBe(true);
    if (!state.ok) return;
    expect(state.value.shell).toBe('browser');
    expect(state.value.hub.state).toBe('disconnected');

    const secret = 'socket-secret-1234';
    const settings = await api.updateSettings({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', role: 'operator', secret });
    expect(settings.ok && settings.value.hasSecret).toBe(true);
    expect(JSON.stringify(settings)).not.toContain(secret);

    // Bad arguments never reach the core.
    const bad = await api.updateSettings({ hostPort: 'x' } as never);
    expect(!bad.ok && bad.error.code).toBe('INVALID_ARGUMENTS');
    const unknown = await new Promise((resolve) => socket.emit(CONSOLE_TRANSPORT.call, 'constructor', [], resolve));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    const wrongShape = await new Promise((resolve) => socket.emit(CONSOLE_TRANSPORT.call, 'publish', [{ channel: 'en', text: 1 }], resolve));
    expect(wrongShape).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });

    const statusEvents: string[] = [];
    api.on('hub:status', (s) => statusEvents.push(s.state));
    const hub = await api.connectHub();
    expect(hub.ok, JSON.stringify(hub)).toBe(true);
    if (!hub.ok) return;
    expect(statusEvents).toContain('connected');
    const display = new TestDisplay(hub.value.url!, ['en']);
    cleanups.push(() => display.close());
    await display.ready();

    const changed = new Promise<ChannelChange>((resolve) => api.on('hub:changed', resolve));
    const published = await api.publish({ channel: 'en', text: 'Over the socket', state: 'final', source: 'typed' });
    expect(published.ok && published.value).toMatchObject({ status: 'queued', saved: true });
    const change = await changed;
    expect(change.kind === 'committed' && change.line.text).toBe('Over the socket');
    await display.until(() => display.lines.size === 1);
    const exported = await api.exportSession('en', 'srt');
    expect(exported.ok && exported.value).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\nOver the socket\n$/);
    expect((await api.openDisplayWindow({ channels: ['en'] })).ok).toBe(false);
    const glossary = await api.importGlossary('en,ru,ar\nUnited Nations,ООН,الأمم المتحدة\n"Smith, J.",Смит,سميث\n');
    expect(glossary.ok && glossary.value).toEqual({ terms: 2, promptCarries: [] });
    const withGlossary = await api.getState();
    expect(withGlossary.ok && withGlossary.value.settings.glossary[1]).toEqual({ en: 'Smith, J.', ru: 'Смит', ar: 'سميث' });
    // An event-sized glossary: its prompt carries the first rows, fewer of the Russian and Arabic ones (about a token
    // per letter, estimated) than of the English ones.
    const rows = Array.from({ length: 60 }, (_, i) => `Delegation of country ${i},Делегация страны ${i},وفد البلد ${i}`);
    const big = await api.importGlossary(`en,ru,ar\n${rows.join('\n')}\n`);
    if (!big.ok) throw new Error(big.error.message);
    expect(big.value.terms).toBe(60);
    const carried = Object.fromEntries(big.value.promptCarries.map((c) => [c.lang, c]));
    expect(Object.keys(carried).sort()).toEqual(['ar', 'en', 'ru']);
    expect(carried.en!.of).toBe(60);
    expect(carried.ru!.rows).toBeLessThan(carried.en!.rows);
    expect(carried.ar!.rows).toBeGreaterThan(0);
    const badCsv = await api.importGlossary('fr,de\nx,y\n');
    expect(!badCsv.ok && badCsv.error.code).toBe('GLOSSARY_INVALID');

    // Audio frames go over as binary; the transcript comes back as events.
    const captions: SttCaption[] = [];
    const finalSeen = new Promise<void>((resolve) =>
      api.on('stt:caption', (c) => {
        captions.push(c);
        if (c.state === 'final' && c.text.includes('w3')) resolve();
      }),
    );
    const ready = new Promise<void>((resolve) => api.on('stt:status', (s) => s.status === 'ready' && resolve()));
    expect((await api.startSource('floor', { language: 'en' })).ok).toBe(true);
    await ready;
    const audio = makeToneAudio([1, 2, 3, null, null, null]);
    for (let at = 0; at < audio.length; at += SAMPLE_RATE / 10) api.pushAudio('floor', audio.subarray(at, Math.min(audio.length, at + SAMPLE_RATE / 10)));
    await finalSeen;
    expect(captions.filter((c) => c.state === 'final').map((c) => c.text.trim()).join(' ')).toBe('w1 w2 w3');
    expect(captions.every((c) => c.source === 'floor')).toBe(true);
    await api.stopSource('floor');
  });
});

describe('console server access', () => {
  it('refuses a foreign Origin on the WebSocket upgrade and on polling, even with the right token', async () => {
    const { server, calls, logger } = await serveRecording();
    const ws = await attempt(server.url, { auth: { token: TOKEN }, extraHeaders: { origin: 'http://evil.example' } });
    expect(ws.connected).toBe(false);
    if (!ws.connected) expect(String((ws.error.description as { message?: string } | undefined)?.message ?? ws.error.message)).toMatch(/400|websocket error/);
    const poll = await rawGet(`${server.url}/socket.io/?EIO=4&transport=polling`, { origin: 'http://evil.example' });
    expect(poll.status).toBe(403);
    expect(JSON.parse(poll.body).message).toMatch(/^ACCESS_BAD_ORIGIN: /);
    // A sandboxed frame or file:// page says `null`: refused too.
    expect((await rawGet(`${server.url}/socket.io/?EIO=4&transport=polling`, { origin: 'null' })).status).toBe(403);
    // A polling session opened without an Origin cannot be used from another site's page either.
    const opened = await rawGet(`${server.url}/socket.io/?EIO=4&transport=polling`, {});
    expect(opened.status).toBe(200);
    const sid = (JSON.parse(opened.body.slice(1)) as { sid: string }).sid;
    expect((await rawGet(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { origin: 'http://evil.example' })).status).toBe(400);
    expect(refusedCodes(logger)).toEqual(['ACCESS_BAD_ORIGIN', 'ACCESS_BAD_ORIGIN', 'ACCESS_BAD_ORIGIN', 'ACCESS_BAD_ORIGIN']);
    // The page's own origin is accepted (the Origin a browser sends from the page this server served).
    const own = await attempt(server.url, { auth: { token: TOKEN }, extraHeaders: { origin: server.url } });
    expect(own.connected).toBe(true);
    expect(calls).toEqual([]);
    for (const line of logger.lines) expect(line).not.toContain(TOKEN);
  });

  it('refuses a forged Host (DNS rebinding) on the page, the polling handshake and the WebSocket upgrade', async () => {
    const { server, calls, logger } = await serveRecording();
    const rebound = `evil.example:${server.port}`;
    const page = await rawGet(`${server.url}/`, { host: rebound });
    expect(page.status).toBe(403);
    expect(page.body).toMatch(/^ACCESS_BAD_HOST: /);
    const poll = await rawGet(`${server.url}/socket.io/?EIO=4&transport=polling`, { host: rebound, origin: `http://${rebound}` });
    expect(poll.status).toBe(403);
    expect(JSON.parse(poll.body).message).toMatch(/^ACCESS_BAD_HOST: /);
    const ws = await attempt(server.url, { auth: { token: TOKEN }, extraHeaders: { host: rebound } });
    expect(ws.connected).toBe(false);
    // Another port on a loopback name is another origin, not this server.
    expect((await rawGet(`${server.url}/`, { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect(refusedCodes(logger)).toEqual(['ACCESS_BAD_HOST', 'ACCESS_BAD_HOST', 'ACCESS_BAD_HOST', 'ACCESS_BAD_HOST']);
    // Loopback names with the right port are served; so are names given in configuration.
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`]) expect((await rawGet(`${server.url}/`, { host })).status).toBe(200);
    const named = await serveRecording({ allowedHosts: ['booth-a.local'] });
    expect((await rawGet(`${named.server.url}/`, { host: `booth-a.local:${named.server.port}` })).status).toBe(200);
    expect(calls).toEqual([]);
  });

  it('wants the token in the handshake: none, a wrong one, or one in the query or a cookie is refused with its code', async () => {
    const { server, calls, logger } = await serveRecording();
    const cases: [string, Partial<ManagerOptions & SocketOptions>][] = [
      ['ACCESS_TOKEN_MISSING', {}],
      ['ACCESS_TOKEN_MISSING', { auth: { secret: TOKEN } }],
      ['ACCESS_TOKEN_WRONG', { auth: { token: 'let-me-in-43-abcdefgh' } }],
      ['ACCESS_TOKEN_WRONG', { auth: { token: TOKEN.slice(0, -1) } }],
      ['ACCESS_TOKEN_MISPLACED', { query: { token: TOKEN } }],
      ['ACCESS_TOKEN_MISPLACED', { query: { token: TOKEN }, auth: { token: TOKEN } }],
      ['ACCESS_TOKEN_MISPLACED', { extraHeaders: { cookie: `tarjuman_console=${TOKEN}` } }],
    ];
    for (const [code, opts] of cases) {
      const a = await attempt(server.url, opts);
      expect(a.connected, code).toBe(false);
      if (!a.connected) expect(a.error.data?.code, JSON.stringify(opts)).toBe(code);
    }
    expect(calls).toEqual([]);
    expect(refusedCodes(logger)).toEqual(cases.map(([code]) => code));
    for (const line of logger.lines) expect(line).not.toContain(TOKEN.slice(0, 12));
    const { api } = await connect(server.url);
    expect((await api.getState()).ok).toBe(true);
    expect(calls.map((c) => c.method)).toEqual(['getState']);
  });

  it('refuses an address outright after too many wrong tokens in a minute', async () => {
    const { server } = await serveRecording({ tokenFailureLimit: 3 });
    for (let i = 0; i < 3; i++) {
      const a = await attempt(server.url, { auth: { token: `guess-${i}-xxxxxxxxxxxx` } });
      expect(!a.connected && a.error.data?.code).toBe('ACCESS_TOKEN_WRONG');
    }
    const right = await attempt(server.url, { auth: { token: TOKEN } });
    expect(!right.connected && right.error.data?.code).toBe('ACCESS_RATE_LIMITED');
  });
});
