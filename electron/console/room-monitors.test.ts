/**
 * An operator console that follows several rooms of one hub (a plenary and panel rooms), on a real hub with real
 * consoles: each followed room's channels at a glance (who is on air and whether online, mutes, the age of the last
 * line), a wrong secret and an unknown room shown as such, the jump that makes a followed room the active one, and
 * the jump refused while something of this console is still on its way to the room it would leave.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { BoothRelayClientEvents, BoothRelayServerEvents } from '../common/booth-relay';
import type { ConsoleSnapshot, WatchedRoom } from '../common/console-api';
import { createSocketConsoleApi } from '../common/console-api-socket';
import type { Result } from '../common/result';
import type { CaptionHub } from '../hub/index';
import { recordingLogger, startTestHub, TcpProxy, until, type RecordingLogger } from '../hub/test-support';
import { ConsoleCore, type ConsoleCoreOptions } from './console-core';
import { startConsoleServer } from './console-server';
import { cleanupTempDirs, tempDir, TestDisplay } from './test-support';

const MAIN = 'plenary-secret-4471';
const PANEL_1 = 'panel-one-secret-9023';
const PANEL_2 = 'panel-two-secret-1187';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

/** The conference's hub: the plenary (`main`, four channels) and two panel rooms with fewer channels. */
async function conferenceHub(): Promise<CaptionHub & { log: RecordingLogger }> {
  const { hub, log } = await startTestHub({
    rooms: [
      { id: 'main', secret: MAIN },
      { id: 'panel-1', channels: ['floor', 'en', 'ru'], secret: PANEL_1 },
      { id: 'panel-2', channels: ['floor', 'en'], secret: PANEL_2 },
    ],
    rateLimit: { burst: 500, perSecond: 500 },
  });
  cleanups.push(() => hub.close());
  return Object.assign(hub, { log });
}

async function core(options: Partial<ConsoleCoreOptions> = {}): Promise<ConsoleCore> {
  const c = await ConsoleCore.create({ dataDir: await tempDir(), logger: recordingLogger(), pingIntervalMs: 500, ...options });
  cleanups.push(() => c.close());
  return c;
}

async function state(c: ConsoleCore): Promise<ConsoleSnapshot> {
  const s = await c.getState();
  if (!s.ok) throw new Error(s.error.message);
  return s.value;
}

/** Waits until the followed room `room` satisfies `predicate`; returns it. */
async function watched(c: ConsoleCore, room: string, predicate: (r: WatchedRoom) => boolean, what: string): Promise<WatchedRoom> {
  let found: WatchedRoom | undefined;
  await until(async () => {
    found = (await state(c)).watchedRooms.find((r) => r.room === room);
    return found !== undefined && predicate(found);
  }, 15_000, what);
  return found!;
}

const channelOf = (r: WatchedRoom, channel: string) => r.channels.find((c) => c.channel === channel);

/** An operator console in the plenary that follows the panel rooms (and a room the hub does not have). */
async function operator(url: string, watchRooms = [{ room: 'panel-1', secret: PANEL_1 }, { room: 'panel-2', secret: 'not-the-panel-secret' }, { room: 'side-event' }]): Promise<ConsoleCore> {
  const c = await core();
  const saved = await c.updateSettings({ hubMode: 'join', hubUrl: url, role: 'operator', room: 'main', secret: MAIN, label: 'Operator', watchRooms });
  expect(saved.ok, JSON.stringify(saved)).toBe(true);
  const connected = await c.connectHub();
  expect(connected.ok, JSON.stringify(connected)).toBe(true);
  return c;
}

async function boothIn(url: string, room: string, secret: string, channel: string, label: string): Promise<ConsoleCore> {
  const c = await core();
  expect((await c.updateSettings({ hubMode: 'join', hubUrl: url, role: 'booth', room, secret, channel, label, hostChannels: room === 'main' ? ['floor', 'ar', 'en', 'ru'] : ['floor', 'en', 'ru'] })).ok).toBe(true);
  expect((await c.connectHub()).ok).toBe(true);
  return c;
}

function roomDisplay(url: string, room: string, channels: string[]): TestDisplay {
  const d = new TestDisplay(url, channels, room);
  cleanups.push(() => d.close());
  return d;
}

describe('an operator following several rooms', () => {
  it("sees each followed room's channels: who is on air and whether online, mutes, last line age; a wrong secret and an unknown room show as such", async () => {
    const h = await conferenceHub();
    const op = await operator(h.url);
    const heard: WatchedRoom[][] = [];
    op.on('rooms:changed', (rooms) => heard.push(rooms));

    // The hub names each room's channels: the panel's three, not the plenary's four.
    const panel = await watched(op, 'panel-1', (r) => r.state === 'connected' && r.channels.length === 3, 'panel-1 followed');
    expect(panel.error).toBeNull();
    expect(panel.channels).toEqual([
      { channel: 'floor', booth: [], muted: false, lastLineAgeMs: null },
      { channel: 'en', booth: [], muted: false, lastLineAgeMs: null },
      { channel: 'ru', booth: [], muted: false, lastLineAgeMs: null },
    ]);
    const badSecret = await watched(op, 'panel-2', (r) => r.error !== null, 'panel-2 refused');
    expect(badSecret).toMatchObject({ state: 'error', error: { code: 'AUTH_BAD_SECRET' }, channels: [] });
    const unknown = await watched(op, 'side-event', (r) => r.error !== null, 'side-event refused');
    expect(unknown).toMatchObject({ state: 'error', error: { code: 'UNKNOWN_ROOM' } });
    expect((await state(op)).watchedRooms.map((r) => r.room)).toEqual(['panel-1', 'panel-2', 'side-event']);
    // The console's own room is untouched by what it follows.
    expect((await state(op)).hub).toMatchObject({ state: 'connected', error: null });

    // A booth goes on air in the panel and sends a line: the overview shows who, and how long ago.
    const booth = await boothIn(h.url, 'panel-1', PANEL_1, 'en', 'English booth P1');
    await watched(op, 'panel-1', (r) => channelOf(r, 'en')?.booth.some((m) => m.label === 'English booth P1' && m.onAir && m.online) === true, 'the panel booth on air');
    const published = await booth.publish({ channel: 'en', text: 'The panel on water opens.', state: 'final', source: 'typed' });
    expect(published.ok).toBe(true);
    const aged = await watched(op, 'panel-1', (r) => channelOf(r, 'en')?.lastLineAgeMs !== null, 'the age of the panel line');
    expect(channelOf(aged, 'en')!.lastLineAgeMs).toBeLessThan(10_000);
    expect(channelOf(aged, 'ru')!.lastLineAgeMs).toBeNull();

    // Another operator mutes the panel's Russian channel: seen here.
    const other: Socket<BoothRelayServerEvents, BoothRelayClientEvents> = io(h.url, {
      auth: { role: 'operator', room: 'panel-1', secret: PANEL_1, clientId: 'panel-operator' },
      transports: ['websocket'],
      forceNew: true,
    });
    cleanups.push(() => void other.disconnect());
    const muted = await new Promise<Result<unknown>>((resolve) => other.emit('channel:mute', { channel: 'ru', muted: true }, resolve));
    expect(muted.ok).toBe(true);
    await watched(op, 'panel-1', (r) => channelOf(r, 'ru')?.muted === true, 'the panel mute');

    // The booth's console goes away: still holding the channel, now offline (nothing new comes from it).
    await booth.close();
    await watched(op, 'panel-1', (r) => channelOf(r, 'en')?.booth.some((m) => m.onAir && !m.online) === true, 'the on-air booth offline');
    // The page hears of it all as events (a few per second at most), and never saw a refused room as connected.
    const offline = (rooms: WatchedRoom[] | undefined): boolean => rooms?.find((r) => r.room === 'panel-1')?.channels.some((c) => c.booth.some((m) => m.onAir && !m.online)) === true;
    await until(() => offline(heard.at(-1)), 5_000, 'the event with the booth offline');
    for (const rooms of heard) for (const r of rooms) if (r.room !== 'panel-1') expect(r.state).not.toBe('connected');
  });

  it('keeps the room secrets write-only, refuses a list that makes no sense at Save, and follows again with the stored secret', async () => {
    const h = await conferenceHub();
    const op = await operator(h.url, [{ room: 'panel-1', secret: PANEL_1 }]);
    await watched(op, 'panel-1', (r) => r.state === 'connected', 'panel-1 followed');
    const snapshot = await state(op);
    expect(snapshot.settings.watchRooms).toEqual([{ room: 'panel-1', hasSecret: true, mutedChannels: [] }]);
    expect(JSON.stringify(snapshot)).not.toContain(PANEL_1);

    // Saved again without its secret (the page never has it): the stored one stays; a second room is added.
    const again = await op.updateSettings({ watchRooms: [{ room: 'panel-1' }, { room: 'panel-2', secret: PANEL_2 }] });
    expect(again.ok && again.value.watchRooms).toEqual([
      { room: 'panel-1', hasSecret: true, mutedChannels: [] },
      { room: 'panel-2', hasSecret: true, mutedChannels: [] },
    ]);
    await watched(op, 'panel-2', (r) => r.state === 'connected' && r.channels.length === 2, 'panel-2 followed');
    await watched(op, 'panel-1', (r) => r.state === 'connected', 'panel-1 still followed');

    const refused = async (patch: Parameters<ConsoleCore['updateSettings']>[0], message: RegExp): Promise<void> => {
      expect(await op.updateSettings(patch)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS', message: expect.stringMatching(message) } });
    };
    await refused({ watchRooms: [{ room: 'main' }] }, /main is this console's own room/);
    await refused({ watchRooms: [{ room: 'panel-1' }, { room: 'panel-1' }] }, /panel-1 is listed twice/);
    await refused({ room: 'panel-2' }, /panel-2 is this console's own room/);
    await refused({ role: 'booth', watchRooms: [{ room: 'panel-1' }] }, /Only an operator console follows other rooms/);
    await refused({ hubMode: 'host', watchRooms: [{ room: 'panel-1' }] }, /a hosted hub has this console's room only/);
    expect((await state(op)).settings.watchRooms.map((w) => w.room)).toEqual(['panel-1', 'panel-2']);

    // Leaving the list empty stops following.
    expect((await op.updateSettings({ watchRooms: [] })).ok).toBe(true);
    expect((await state(op)).watchedRooms).toEqual([]);
  });

  it('jumps to a followed room: its channels and mutes become the console\'s, the room it left is followed in its place', async () => {
    const h = await conferenceHub();
    const op = await operator(h.url);
    await watched(op, 'panel-1', (r) => r.state === 'connected', 'panel-1 followed');
    expect((await op.setChannelMuted('ar', true)).ok).toBe(true);
    const mainEn = roomDisplay(h.url, 'main', ['en']);
    const panelEn = roomDisplay(h.url, 'panel-1', ['en']);
    await mainEn.ready();
    await panelEn.ready();

    expect(await op.switchRoom('panel-2')).toMatchObject({ ok: false, error: { code: 'AUTH_BAD_SECRET', message: expect.stringContaining('panel-2') } });
    const refusals = (room: string): number => h.log.lines.filter((l) => l.includes('handshake refused') && l.includes(`"room":"${room}"`)).length;
    expect(refusals('panel-2')).toBe(1);
    expect(await op.switchRoom('nowhere')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await op.switchRoom('panel-1')).toEqual({ ok: true, value: undefined });
    const after = await state(op);
    expect(after.settings).toMatchObject({ room: 'panel-1', hostChannels: ['floor', 'en', 'ru'], mutedChannels: [] });
    // The plenary takes the panel's place in the list (and so its jump key), with its secret and its mute.
    expect(after.settings.watchRooms).toEqual([
      { room: 'main', hasSecret: true, mutedChannels: ['ar'] },
      { room: 'panel-2', hasSecret: true, mutedChannels: [] },
      { room: 'side-event', hasSecret: false, mutedChannels: [] },
    ]);
    await until(async () => (await state(op)).hub.state === 'connected', 15_000, 'linked to panel-1');
    expect((await state(op)).channels).toEqual(['floor', 'en', 'ru']);
    const plenary = await watched(op, 'main', (r) => r.state === 'connected' && r.channels.length === 4, 'the plenary followed');
    expect(channelOf(plenary, 'ar')!.muted).toBe(true);
    // The rooms not involved kept their monitor through the switch (no new handshake).
    expect(refusals('panel-2')).toBe(1);

    // What the operator sends now goes to the panel, not to the plenary.
    const sent = await op.publish({ channel: 'en', text: 'Correction from the operator', state: 'final', source: 'typed' });
    expect(sent.ok).toBe(true);
    await panelEn.until(() => panelEn.lines.size === 1, 15_000, 'the line in panel-1');
    expect(mainEn.lines.size).toBe(0);
    expect((await op.publish({ channel: 'ar', text: 'No Arabic channel here', state: 'final', source: 'typed' })).ok).toBe(false);

    // And back: the same key's room is the plenary now.
    await until(async () => (await state(op)).session.lines['en'] === 1, 10_000, 'the line recorded');
    await until(async () => (await state(op)).hub.outboxPending === 0, 10_000, 'the line acknowledged');
    expect((await op.switchRoom('main')).ok).toBe(true);
    const back = await state(op);
    expect(back.settings).toMatchObject({ room: 'main', mutedChannels: ['ar'], hostChannels: ['floor', 'ar', 'en', 'ru'] });
    expect(back.settings.watchRooms[0]).toEqual({ room: 'panel-1', hasSecret: true, mutedChannels: [] });

    const booth = await boothIn(h.url, 'main', MAIN, 'en', 'English booth A');
    expect(await booth.switchRoom('panel-1')).toMatchObject({ ok: false, error: { code: 'NOT_OPERATOR' } });
  });

  it('refuses to jump while a line is held or waits for the hub, says why, and the line still reaches its own room', async () => {
    const h = await conferenceHub();
    const proxy = await TcpProxy.start(h.port);
    cleanups.push(() => proxy.close());
    const op = await operator(proxy.url, [{ room: 'panel-1', secret: PANEL_1 }]);
    await watched(op, 'panel-1', (r) => r.state === 'connected', 'panel-1 followed');
    const mainEn = roomDisplay(h.url, 'main', ['en']);
    const panelEn = roomDisplay(h.url, 'panel-1', ['en']);
    await mainEn.ready();
    await panelEn.ready();

    // A held line belongs to the plenary: no jump until it is released or discarded.
    expect((await op.setChannelMuted('en', true)).ok).toBe(true);
    const held = await op.publish({ channel: 'en', text: 'Held for the plenary', state: 'final', source: 'typed' });
    expect(held.ok && held.value.status).toBe('held');
    expect(await op.switchRoom('panel-1')).toMatchObject({ ok: false, error: { code: 'ROOM_BUSY', message: expect.stringMatching(/1 held line.*main/) } });
    expect((await op.setChannelMuted('en', false)).ok).toBe(true);
    await until(async () => (await state(op)).hubMutedChannels?.length === 0, 10_000, 'the hub unmuted en');
    expect((await op.releaseHeld({ channel: 'en' })).ok).toBe(true);
    await mainEn.until(() => mainEn.lines.size === 1, 15_000, 'the released line in the plenary');

    // The network drops: a line waits in the outbox for the plenary's hub, so the jump waits too.
    await until(async () => (await state(op)).hub.outboxPending === 0, 10_000, 'the released line acknowledged');
    proxy.cut();
    await until(async () => (await state(op)).hub.state !== 'connected', 15_000, 'the link lost');
    const waiting = await op.publish({ channel: 'en', text: 'Typed during the drop', state: 'final', source: 'typed' });
    expect(waiting.ok && waiting.value.status).toBe('queued');
    expect(await op.switchRoom('panel-1')).toMatchObject({ ok: false, error: { code: 'ROOM_BUSY', message: expect.stringMatching(/1 line.*not acknowledged.*main/) } });
    proxy.restore();
    await mainEn.until(() => mainEn.lines.size === 2, 20_000, 'the line typed during the drop in the plenary');
    await until(async () => (await state(op)).hub.outboxPending === 0, 15_000, 'acknowledged after the drop');
    await until(async () => (await op.switchRoom('panel-1')).ok, 10_000, 'the jump once nothing waits');
    expect((await state(op)).settings.room).toBe('panel-1');
    expect([...mainEn.lines.values()].map((l) => l.text)).toEqual(['Held for the plenary', 'Typed during the drop']);
    expect(panelEn.lines.size).toBe(0);
  });

  it("has the followed rooms over the browser console's socket too: in the state, their changes as events, the jump", async () => {
    const h = await conferenceHub();
    const op = await operator(h.url, [{ room: 'panel-1', secret: PANEL_1 }]);
    const staticDir = await tempDir('tarjuman-static-');
    await mkdir(join(staticDir, 'assets'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
    const token = 'operator-token-5521-abcdef';
    const server = await startConsoleServer({ core: op, staticDir, token });
    cleanups.push(() => server.close());
    const socket = io(server.url, { auth: { token }, transports: ['websocket'], forceNew: true });
    cleanups.push(() => void socket.disconnect());
    const api = createSocketConsoleApi(socket);
    const events: WatchedRoom[][] = [];
    api.on('rooms:changed', (rooms) => events.push(rooms));
    await until(async () => {
      const s = await api.getState();
      return s.ok && s.value.watchedRooms[0]?.state === 'connected' && s.value.watchedRooms[0].channels.length === 3;
    }, 15_000, 'panel-1 in the state over the socket');
    expect(await api.switchRoom('no such room!')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    const booth = await boothIn(h.url, 'panel-1', PANEL_1, 'ru', 'Russian booth P1');
    await until(() => events.some((rooms) => rooms[0]?.channels.find((c) => c.channel === 'ru')?.booth.some((m) => m.onAir) === true), 15_000, 'the on-air booth as an event');
    await booth.close();
    expect(await api.switchRoom('panel-1')).toEqual({ ok: true, value: undefined });
    const after = await api.getState();
    expect(after.ok && after.value.settings.room).toBe('panel-1');
    await until(() => events.at(-1)?.[0]?.room === 'main' && events.at(-1)?.[0]?.state === 'connected', 15_000, 'the plenary followed, as an event');
  });
});
