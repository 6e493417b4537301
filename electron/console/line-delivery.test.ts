import { readFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleEvents, HubStatus } from '../common/console-api';
import { ConsoleCore } from './console-core';
import { cleanupTempDirs, roomHub, tempDir, TestDisplay, TEST_SECRET } from './test-support';
import { until, recordingLogger, TcpProxy } from '../hub/test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

async function core(dataDir?: string): Promise<ConsoleCore> {
  const c = await ConsoleCore.create({ dataDir: dataDir ?? (await tempDir()), logger: recordingLogger(), pingIntervalMs: 500 });
  cleanups.push(() => c.close());
  return c;
}

/** A socket.io server that takes every connection and never answers a request: a hub that has stopped working. */
async function silentHub(): Promise<string> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  io.on('connection', () => undefined);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  cleanups.push(async () => {
    io.disconnectSockets(true);
    await io.close();
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

/** Collects every `hub:status` with the time it came. */
function statuses(c: ConsoleCore): { at: number; s: HubStatus }[] {
  const seen: { at: number; s: HubStatus }[] = [];
  c.on('hub:status', (s) => seen.push({ at: Date.now(), s }));
  return seen;
}

function collect<E extends keyof ConsoleEvents>(c: ConsoleCore, name: E): Parameters<ConsoleEvents[E]>[0][] {
  const seen: Parameters<ConsoleEvents[E]>[0][] = [];
  c.on(name, ((p: Parameters<ConsoleEvents[E]>[0]) => seen.push(p)) as ConsoleEvents[E]);
  return seen;
}

async function joinHub(c: ConsoleCore, url: string, room = 'main'): Promise<void> {
  await c.updateSettings({ hubMode: 'join', hubUrl: url, role: 'operator', room, secret: TEST_SECRET, label: 'Operator' });
  await c.connectHub();
}

describe('publishing never waits for the hub', () => {
  it('answers once the line is in the session record on disk, while the hub has not acknowledged anything', async () => {
    const url = await silentHub();
    const dataDir = await tempDir();
    const c = await core(dataDir);
    await joinHub(c, url);
    await until(async () => {
      const s = await c.getState();
      return s.ok && s.value.hub.state === 'connected';
    }, 10_000, 'connected to the silent hub');
    const session = await c.getState();
    const journal = session.ok ? session.value.session.file : '';
    expect(journal.startsWith(join(dataDir, 'sessions'))).toBe(true);
    for (let i = 1; i <= 5; i++) {
      const started = Date.now();
      const r = await c.publish({ channel: 'en', id: `line-${i}`, text: `Line ${i}`, state: 'final', source: 'typed' });
      // The hub's ack wait is 3 s: a publish that waited for it would take that long for every line.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(r).toEqual({ ok: true, value: { id: `line-${i}`, status: 'queued', saved: true } });
      // Written ahead: the line is on disk when publish answers.
      expect(await readFile(journal, 'utf8')).toContain(`"id":"line-${i}"`);
    }
    const s = await c.getState();
    expect(s.ok && s.value.hub.outboxPending).toBe(5);
  });
});

describe('delivery at a glance', () => {
  it('says within a second that lines do not reach a hub that stopped answering', async () => {
    const url = await silentHub();
    const c = await core();
    await joinHub(c, url);
    await until(async () => {
      const s = await c.getState();
      return s.ok && s.value.hub.state === 'connected';
    }, 10_000, 'connected');
    const seen = statuses(c);
    const sentAt = Date.now();
    await c.publish({ channel: 'en', text: 'Nobody acknowledges this', state: 'final', source: 'typed' });
    await until(() => seen.some((e) => e.s.delivery.state === 'late'), 5000, 'a late delivery');
    const late = seen.find((e) => e.s.delivery.state === 'late')!;
    // Within a second of the line's deadline (one second), with room for a loaded machine.
    expect(late.at - sentAt).toBeGreaterThanOrEqual(950);
    expect(late.at - sentAt).toBeLessThan(2500);
    expect(late.s.state).toBe('connected');
    expect(late.s.delivery.reason).toMatch(/No answer from the hub/);
  });

  it('fails on a refused room, a refused line and an unreachable hub; turns ok with the next ack', async () => {
    const h = await roomHub();
    cleanups.push(() => h.close());
    const c = await core();
    // An unknown room: refused at the handshake.
    await joinHub(c, h.url, 'nosuchroom');
    let s = await c.getState();
    expect(s.ok && s.value.hub.delivery.state).toBe('failing');
    expect(s.ok && s.value.hub.delivery.reason).toMatch(/room/i);

    await joinHub(c, h.url, 'main');
    const d = new TestDisplay(h.url, ['en']);
    cleanups.push(() => d.close());
    await d.ready();
    await until(async () => {
      const st = await c.getState();
      return st.ok && st.value.hub.state === 'connected' && st.value.hub.delivery.state === 'ok';
    }, 10_000, 'delivery ok');
    const deliveries = collect(c, 'line:delivery');
    // Longer than the hub takes: refused for good (the console's own limit is higher).
    const refused = await c.publish({ channel: 'en', id: 'too-long', text: 'x'.repeat(2500), state: 'final', source: 'typed' });
    expect(refused.ok && refused.value.status).toBe('queued');
    await until(() => deliveries.some((e) => e.id === 'too-long' && e.status === 'refused'), 10_000, 'the refusal');
    // Recorded first (on disk), then refused by the hub.
    expect(deliveries.filter((e) => e.id === 'too-long').map((e) => e.status)).toEqual(['recorded', 'refused']);
    expect(deliveries.find((e) => e.id === 'too-long' && e.status === 'refused')).toMatchObject({ error: { code: 'TEXT_TOO_LONG' } });
    s = await c.getState();
    expect(s.ok && s.value.hub.delivery).toMatchObject({ state: 'failing', reason: expect.stringMatching(/refused/) });
    // A refused line is not exported as sent, and not resent.
    await c.publish({ channel: 'en', id: 'fine', text: 'A good line', state: 'final', source: 'typed' });
    await until(() => deliveries.some((e) => e.id === 'fine' && e.status === 'sent'), 10_000, 'the next ack');
    s = await c.getState();
    expect(s.ok && s.value.hub.delivery.state).toBe('ok');
    expect(await c.exportSession('en', 'txt')).toEqual({ ok: true, value: 'A good line\n' });

    // The hub goes away: failing at once.
    const gone = new Promise<HubStatus>((resolve) => c.on('hub:status', (st) => st.delivery.state === 'failing' && resolve(st)));
    await h.close();
    expect((await gone).delivery.reason).toMatch(/hub/i);
  });
});

describe('a line the hub took before a mute', () => {
  it('is sent, not held, when its ack was lost on a cut link and the console resends it after the mute', async () => {
    const h = await roomHub();
    cleanups.push(() => h.close());
    // A relay in front of the hub whose flows can stop passing the hub's answers (the ack is lost, the line arrived).
    const relay = await TcpProxy.start(h.port);
    cleanups.push(() => relay.close());
    const booth = await core();
    await booth.updateSettings({ hubMode: 'join', hubUrl: relay.url, role: 'booth', channel: 'en', room: 'main', secret: TEST_SECRET, label: 'English booth A' });
    expect((await booth.connectHub()).ok).toBe(true);
    await until(async () => {
      const s = await booth.getState();
      return s.ok && s.value.handover.onAir && s.value.hub.latencyMs !== null;
    }, 10_000, 'the booth on air');
    const d = new TestDisplay(h.url, ['en']);
    cleanups.push(() => d.close());
    await d.ready();
    const deliveries = collect(booth, 'line:delivery');

    // The line reaches the hub (the display shows it); its ack does not reach the booth.
    relay.silence('to-client');
    expect((await booth.publish({ channel: 'en', id: 'before-mute', text: 'Said before the mute', state: 'final', source: 'typed' })).ok).toBe(true);
    await d.until(() => d.lines.has('before-mute'), 10_000, 'the line on the display');
    // The operator mutes the channel; then the booth's link is cut and comes back, and the outbox resends the line.
    const op = io(h.url, { auth: { role: 'operator', room: 'main', secret: TEST_SECRET, clientId: 'op' }, transports: ['websocket'], forceNew: true });
    cleanups.push(() => void op.disconnect());
    const muted = await new Promise<{ ok: boolean }>((resolve) => op.emit('channel:mute' as never, { channel: 'en', muted: true } as never, resolve as never));
    expect(muted.ok).toBe(true);
    relay.cut();
    relay.restore();

    await until(() => deliveries.some((e) => e.id === 'before-mute' && e.status !== 'recorded'), 15_000, 'the answer to the resend');
    expect(deliveries.filter((e) => e.id === 'before-mute').map((e) => e.status)).toEqual(['recorded', 'sent']);
    const s = await booth.getState();
    expect(s.ok && s.value.held).toEqual([]);
    expect(s.ok && s.value.hubMutedChannels).toEqual(['en']);
    expect(d.commits.filter((id) => id === 'before-mute')).toHaveLength(1);
  });
});
