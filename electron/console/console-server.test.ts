/**
 * The console API over a real socket.io connection (console-api-socket.ts on the client, console-server.ts on
 * the server) to a real core with a real speech-to-text worker (tone engine) and an embedded hub.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createSocketConsoleApi } from '../common/console-api-socket';
import { CONSOLE_TRANSPORT, type ConsoleApi, type SttCaption } from '../common/console-api';
import type { ChannelChange } from '../common/protocol';
import { SAMPLE_RATE } from '../stt/engine';
import { makeToneAudio } from '../stt/fake-engines';
import { ConsoleCore } from './console-core';
import { startConsoleServer, type ConsoleServer } from './console-server';
import { cleanupTempDirs, recordingLogger, tempDir, TestDisplay, toneStt } from './test-support';
import { CONSOLE_CSP } from './console-csp';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

async function serve(token?: string): Promise<{ server: ConsoleServer; core: ConsoleCore; staticDir: string }> {
  const staticDir = await tempDir('tarjuman-static-');
  await mkdir(join(staticDir, 'assets'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(staticDir, '.env'), 'SECRET=1');
  const core = await ConsoleCore.create({
    dataDir: await tempDir(),
    logger: recordingLogger(),
    ...toneStt(),
  });
  cleanups.push(() => core.close());
  const server = await startConsoleServer({ core, staticDir, ...(token ? { token } : {}) });
  cleanups.push(() => server.close());
  return { server, core, staticDir };
}

function connect(url: string, auth: Record<string, string> = {}): Promise<{ socket: Socket; api: ConsoleApi }> {
  const socket = io(url, { transports: ['websocket'], auth, forceNew: true, reconnection: false });
  cleanups.push(() => {
    socket.disconnect();
  });
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve({ socket, api: createSocketConsoleApi(socket) }));
    socket.on('connect_error', (err) => reject(err));
  });
}

describe('console server', () => {
  it('serves the console page with its CSP and nothing outside the static folder', async () => {
    const { server } = await serve();
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<title>console</title>');
    expect((await fetch(`${server.url}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${server.url}/.env`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/..%2f.env`)).status).toBe(404);
    expect((await fetch(`${server.url}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it('runs the console API over the socket: state, settings, hosting, publishing, events, audio', async () => {
    const { server } = await serve();
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
    expect(glossary.ok && glossary.value.terms).toBe(2);
    const withGlossary = await api.getState();
    expect(withGlossary.ok && withGlossary.value.settings.glossary[1]).toEqual({ en: 'Smith, J.', ru: 'Смит', ar: 'سميث' });
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

  it('asks for the access token when it has one', async () => {
    const { server } = await serve('let-me-in-42');
    await expect(connect(server.url)).rejects.toThrow(/access token/);
    await expect(connect(server.url, { token: 'wrong' })).rejects.toThrow(/access token/);
    const { api } = await connect(server.url, { token: 'let-me-in-42' });
    expect((await api.getState()).ok).toBe(true);
    expect((await fetch(`${server.url}/`)).status).toBe(401);
    const page = await fetch(`${server.url}/?token=let-me-in-42`);
    expect(page.status).toBe(200);
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    // The cookie opens the page and the socket (how the browser console gets in after the first link).
    expect((await fetch(`${server.url}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
  });
});
