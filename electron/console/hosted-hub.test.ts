/**
 * The hub a console starts in host mode, seen from a browser page of another site: its display side is open by
 * design and read-only (a display may subscribe, and every request that changes something is refused), a
 * publisher's handshake from another site's page is refused even with the right secret, and its HTTP side
 * answers reads only. Consoles (no Origin: not a browser page) publish as before.
 */
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleCore } from './console-core';
import { cleanupTempDirs, tempDir, TEST_SECRET } from './test-support';
import { recordingLogger } from '../hub/test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

const EVIL = 'http://evil.example';

function open(url: string, auth: Record<string, string>, origin?: string): Promise<{ socket: Socket } | { error: Error & { data?: { code?: string } } }> {
  const socket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false, ...(origin ? { extraHeaders: { origin } } : {}) });
  cleanups.push(() => {
    socket.disconnect();
  });
  return new Promise((resolve) => {
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', (error) => resolve({ error }));
  });
}

function ask(socket: Socket, event: string, payload: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
  return new Promise((resolve) => socket.timeout(5000).emit(event, payload, (err: Error | null, r: { ok: boolean; error?: { code: string } }) => resolve(err ? { ok: false, error: { code: 'TIMEOUT' } } : r)));
}

describe('the embedded hub of a hosting console', () => {
  it('lets any page watch, never write; refuses publishers from another site\'s page; reads only over HTTP', async () => {
    const core = await ConsoleCore.create({ dataDir: await tempDir(), logger: recordingLogger(), restoreConnection: false });
    cleanups.push(() => core.close());
    await core.updateSettings({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', role: 'operator', secret: TEST_SECRET });
    expect((await core.connectHub()).ok).toBe(true);
    const url = core.hostedHubUrl!;

    const watcher = await open(url, { role: 'display', room: 'main' }, EVIL);
    if (!('socket' in watcher)) throw watcher.error;
    const view = await ask(watcher.socket, 'display:subscribe', { channels: ['floor', 'en'] });
    expect(view.ok).toBe(true);
    expect((await ask(watcher.socket, 'hub:ping', { sentAt: Date.now() })).ok).toBe(true);
    const writes: [string, unknown][] = [
      ['caption:publish', { id: 'x1', channel: 'en', text: 'forged', state: 'final', source: 'typed' }],
      ['caption:revise', { channel: 'en', id: 'x1', text: 'forged' }],
      ['channel:clear', { channel: 'en' }],
      ['notice:show', { text: 'forged' }],
      ['notice:clear', {}],
      ['channel:mute', { channel: 'en', muted: true }],
      ['channel:mutes', {}],
      ['handover:claim', { wasOnAir: true }],
      ['handover:request', { requestId: 'r1' }],
      ['handover:respond', { requestId: 'r1', accept: true }],
    ];
    for (const [event, payload] of writes) {
      const answer = await ask(watcher.socket, event, payload);
      expect(answer, event).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }

    for (const role of ['operator', 'booth'] as const) {
      const forged = await open(url, { role, room: 'main', secret: TEST_SECRET, channel: 'en' }, EVIL);
      expect('error' in forged && forged.error.data?.code, role).toBe('FORBIDDEN');
    }
    // The hub's own page and tools without a browser Origin (consoles, `say`) publish as before.
    const own = await open(url, { role: 'operator', room: 'main', secret: TEST_SECRET }, url);
    expect('socket' in own).toBe(true);
    const tool = await open(url, { role: 'operator', room: 'main', secret: TEST_SECRET });
    if (!('socket' in tool)) throw tool.error;
    expect((await ask(tool.socket, 'caption:publish', { id: 't1', channel: 'en', text: 'From a console', state: 'final', source: 'typed' })).ok).toBe(true);

    for (const path of ['/', '/display', '/export/main/en.txt', '/healthz']) {
      for (const method of ['POST', 'PUT', 'DELETE']) expect((await fetch(`${url}${path}`, { method })).status, `${method} ${path}`).toBe(405);
    }
  });
});
