/**
 * The booth relay on a real hub with raw socket.io clients: handover rules (claim, request, respond, a holder
 * that is gone, a returning holder after a hub restart), mutes, ping, and refusals.
 */
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { BoothPresence, BoothRelayClientEvents, BoothRelayServerEvents, HandoverAsked, HandoverDone, RoomMutes } from '../common/booth-relay';
import type { Result } from '../common/result';
import { boothRelay, type BoothRelay } from './booth-relay';
import { ChannelFollower } from '../common/channel-follower';
import { connectHubClient, type HubClientSocket } from './hub-client';
import { silentLogger, startCaptionHub, type CaptionHub } from './index';

type ConsoleSocket = Socket<BoothRelayServerEvents, BoothRelayClientEvents>;
const SECRET = 'relay-secret-123';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function hubWithRelay(): Promise<{ hub: CaptionHub; relay: BoothRelay }> {
  const relay = boothRelay();
  const hub = await startCaptionHub({ port: 0, rooms: [{ id: 'main', secret: SECRET }], logger: silentLogger, features: [relay] });
  cleanups.push(() => hub.close());
  return { hub, relay };
}

function client(url: string, auth: Record<string, string>): Promise<ConsoleSocket> {
  const socket: ConsoleSocket = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
  cleanups.push(() => socket.disconnect());
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', reject);
  });
}

const booth = (url: string, clientId: string, channel = 'ar') => client(url, { role: 'booth', room: 'main', channel, secret: SECRET, clientId, label: clientId });

function ask<E extends keyof BoothRelayClientEvents>(socket: ConsoleSocket, event: E, payload: unknown): Promise<Result<unknown>> {
  return new Promise((resolve) => (socket.emit as (e: string, p: unknown, ack: (r: Result<unknown>) => void) => void)(event, payload, resolve));
}

function once<T>(socket: ConsoleSocket, event: keyof BoothRelayServerEvents): Promise<T> {
  return new Promise((resolve) => socket.once(event, resolve as never));
}

describe('booth relay', () => {
  it('claims, requests, accepts and declines a handover; a request to a console that is gone is granted', async () => {
    const { hub, relay } = await hubWithRelay();
    const a = await booth(hub.url, 'A');
    const b = await booth(hub.url, 'B');
    expect(await ask(a, 'handover:claim', { wasOnAir: false })).toMatchObject({ ok: true, value: { holderClientId: 'A' } });
    expect(await ask(b, 'handover:claim', { wasOnAir: false })).toMatchObject({ ok: true, value: { holderClientId: 'A' } });

    const asked = once<HandoverAsked>(a, 'handover:asked');
    expect(await ask(b, 'handover:request', { requestId: 'r1' })).toMatchObject({ ok: true, value: { granted: false, holderClientId: 'A' } });
    expect(await asked).toMatchObject({ requestId: 'r1', fromClientId: 'B', channel: 'ar' });
    // Only the holder answers; unknown ids are refused.
    expect(await ask(b, 'handover:respond', { requestId: 'r1', accept: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(a, 'handover:respond', { requestId: 'nope', accept: true })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const doneA = once<HandoverDone>(a, 'handover:done');
    const doneB = once<HandoverDone>(b, 'handover:done');
    expect(await ask(a, 'handover:respond', { requestId: 'r1', accept: false })).toMatchObject({ ok: true, value: { holderClientId: 'A' } });
    expect(await doneA).toMatchObject({ outcome: 'declined', holderClientId: 'A' });
    expect(await doneB).toMatchObject({ outcome: 'declined', holderClientId: 'A' });

    await ask(b, 'handover:request', { requestId: 'r2' });
    const accepted = once<HandoverDone>(b, 'handover:done');
    await ask(a, 'handover:respond', { requestId: 'r2', accept: true });
    expect(await accepted).toMatchObject({ outcome: 'accepted', holderClientId: 'B' });
    expect(relay.holderOf('main', 'ar')).toBe('B');

    // B's console dies: A's request is granted at once.
    b.disconnect();
    for (let i = 0; i < 400 && hub.health().connections > 1; i++) await new Promise((r) => setTimeout(r, 25));
    expect(hub.health().connections).toBe(1);
    expect(await ask(a, 'handover:request', { requestId: 'r3' })).toMatchObject({ ok: true, value: { granted: true, holderClientId: 'A' } });
  });

  it('lets the on-air console offer the channel, either side cancel what it started, and settles crossed moves', async () => {
    const { hub, relay } = await hubWithRelay();
    const a = await booth(hub.url, 'A');
    await ask(a, 'handover:claim', { wasOnAir: false });
    // Alone in the booth: nobody to offer the channel to.
    expect(await ask(a, 'handover:offer', { requestId: 'o0' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const b = await booth(hub.url, 'B');
    await ask(b, 'handover:claim', { wasOnAir: false });
    expect(await ask(b, 'handover:offer', { requestId: 'o1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const offered = once<HandoverAsked>(b, 'handover:asked');
    expect(await ask(a, 'handover:offer', { requestId: 'o2' })).toMatchObject({ ok: true, value: { holderClientId: 'A' } });
    expect(await offered).toEqual({ requestId: 'o2', channel: 'ar', kind: 'offer', fromClientId: 'A', fromLabel: 'A' });
    // Only the side that started it cancels it.
    expect(await ask(b, 'handover:cancel', { requestId: 'o2' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const cancelled = once<HandoverDone>(b, 'handover:done');
    expect(await ask(a, 'handover:cancel', { requestId: 'o2' })).toMatchObject({ ok: true });
    expect(await cancelled).toMatchObject({ requestId: 'o2', outcome: 'cancelled', holderClientId: 'A' });

    // The offer accepted: B is on air; the on-air console does not answer its own offer.
    await ask(a, 'handover:offer', { requestId: 'o3' });
    expect(await ask(a, 'handover:respond', { requestId: 'o3', accept: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const toA = once<HandoverDone>(a, 'handover:done');
    expect(await ask(b, 'handover:respond', { requestId: 'o3', accept: true })).toMatchObject({ ok: true, value: { holderClientId: 'B' } });
    expect(await toA).toMatchObject({ requestId: 'o3', outcome: 'accepted', holderClientId: 'B' });
    expect(relay.holderOf('main', 'ar')).toBe('B');

    // Crossed moves: A asks while B (on air) offers: the offer settles the request, and the other way round.
    await ask(a, 'handover:request', { requestId: 'r4' });
    expect(await ask(b, 'handover:offer', { requestId: 'o4' })).toMatchObject({ ok: true, value: { holderClientId: 'A' } });
    expect(relay.holderOf('main', 'ar')).toBe('A');
    await ask(a, 'handover:offer', { requestId: 'o5' });
    expect(await ask(b, 'handover:request', { requestId: 'r5' })).toMatchObject({ ok: true, value: { granted: true, holderClientId: 'B' } });
    expect(relay.holderOf('main', 'ar')).toBe('B');
  });

  it('tells each console of a booth who else is in it: online, offline, on air', async () => {
    const { hub } = await hubWithRelay();
    const a = await booth(hub.url, 'A');
    await ask(a, 'handover:claim', { wasOnAir: false });
    const seenByA = once<BoothPresence>(a, 'booth:presence');
    const b = await booth(hub.url, 'B');
    expect(await seenByA).toEqual({
      channel: 'ar',
      members: [
        { clientId: 'A', label: 'A', online: true, onAir: true },
        { clientId: 'B', label: 'B', online: true, onAir: false },
      ],
    });
    // Another booth's console is not a partner; a console that goes is offline (and still on air).
    const seenByB: BoothPresence[] = [];
    b.on('booth:presence', (p) => seenByB.push(p));
    await booth(hub.url, 'C', 'en');
    a.disconnect();
    for (let i = 0; i < 200 && !seenByB.some((p) => p.members.some((m) => m.clientId === 'A' && !m.online)); i++) await new Promise((r) => setTimeout(r, 25));
    expect(seenByB.at(-1)).toEqual({
      channel: 'ar',
      members: [
        { clientId: 'A', label: 'A', online: false, onAir: true },
        { clientId: 'B', label: 'B', online: true, onAir: false },
      ],
    });
    expect(seenByB.flatMap((p) => p.members.map((m) => m.clientId))).not.toContain('C');
  });

  it("tells the room's operators of every booth: on connect, and as booths come, go and change hands", async () => {
    const { hub } = await hubWithRelay();
    const a = await booth(hub.url, 'A');
    await ask(a, 'handover:claim', { wasOnAir: false });
    await booth(hub.url, 'E', 'en');
    // An operator that connects later hears at once of the booths already there.
    const operator = io(hub.url, { auth: { role: 'operator', room: 'main', secret: SECRET, clientId: 'OP', label: 'OP' }, transports: ['websocket'], forceNew: true, reconnection: false }) as ConsoleSocket;
    cleanups.push(() => operator.disconnect());
    const seen: BoothPresence[] = [];
    operator.on('booth:presence', (p) => seen.push(p));
    const latest = (channel: string): BoothPresence | undefined => seen.filter((p) => p.channel === channel).at(-1);
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(() => latest('ar') !== undefined && latest('en') !== undefined);
    expect(latest('ar')).toEqual({ channel: 'ar', members: [{ clientId: 'A', label: 'A', online: true, onAir: true }] });
    expect(latest('en')).toEqual({ channel: 'en', members: [{ clientId: 'E', label: 'E', online: true, onAir: false }] });
    // A second console joins the Arabic booth and takes the channel; then A goes.
    const b = await booth(hub.url, 'B');
    await ask(b, 'handover:request', { requestId: 'r1' });
    await ask(a, 'handover:respond', { requestId: 'r1', accept: true });
    a.disconnect();
    await until(() => latest('ar')?.members.some((m) => m.clientId === 'A' && !m.online) ?? false);
    expect(latest('ar')).toEqual({
      channel: 'ar',
      members: [
        { clientId: 'A', label: 'A', online: false, onAir: false },
        { clientId: 'B', label: 'B', online: true, onAir: true },
      ],
    });
  });

  it('gives the channel back to the console that was on air before a hub restart', async () => {
    const { hub } = await hubWithRelay();
    const b = await booth(hub.url, 'B');
    const a = await booth(hub.url, 'A');
    // B comes back first but was not on air: it holds the channel only provisionally.
    expect(await ask(b, 'handover:claim', { wasOnAir: false })).toMatchObject({ ok: true, value: { holderClientId: 'B' } });
    const lost = once<HandoverDone>(b, 'handover:done');
    expect(await ask(a, 'handover:claim', { wasOnAir: true })).toMatchObject({ ok: true, value: { holderClientId: 'A' } });
    expect(await lost).toMatchObject({ outcome: 'reclaimed', holderClientId: 'A' });
  });

  it('mutes room-wide for operators only, answers pings, refuses displays and bad payloads', async () => {
    const { hub, relay } = await hubWithRelay();
    const op = await client(hub.url, { role: 'operator', room: 'main', secret: SECRET, clientId: 'op' });
    const b = await booth(hub.url, 'B', 'ru');
    const display = await client(hub.url, { role: 'display', room: 'main' });
    const heard = once<RoomMutes>(b, 'channel:muted');
    expect(await ask(op, 'channel:mute', { channel: 'ru', muted: true })).toMatchObject({ ok: true, value: { muted: ['ru'] } });
    expect(await heard).toEqual({ room: 'main', muted: ['ru'] });
    expect(relay.mutedIn('main')).toEqual(['ru']);
    // The answer also names the room's channels (a console following the room learns them there).
    expect(await ask(b, 'channel:mutes', {})).toEqual({ ok: true, value: { room: 'main', muted: ['ru'], channels: ['floor', 'ar', 'en', 'ru'] } });
    expect(await ask(b, 'channel:mute', { channel: 'ru', muted: false })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(display, 'channel:mutes', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(display, 'handover:claim', { wasOnAir: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(op, 'handover:request', { requestId: 'x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(b, 'handover:request', { requestId: '../../etc' })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(await ask(op, 'channel:mute', { channel: 'ru', muted: 'yes', __proto__: { x: 1 } })).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    const pong = await ask(display, 'hub:ping', { sentAt: Date.now() });
    expect(pong.ok && typeof (pong.value as { now: number }).now).toBe('number');
    expect(hub.health().ok).toBe(true);
  });

  it('refuses lines and corrections to a muted channel with CHANNEL_MUTED, and takes them again once unmuted', async () => {
    const { hub } = await hubWithRelay();
    const op = await client(hub.url, { role: 'operator', room: 'main', secret: SECRET, clientId: 'op' });
    const wire = async (auth: Record<string, string>): Promise<HubClientSocket> => {
      const connected = await connectHubClient(hub.url, { room: 'main', ...auth } as never, { transports: ['websocket'], reconnection: false });
      if (!connected.ok) throw new Error(connected.error.message);
      cleanups.push(() => connected.value.disconnect());
      return connected.value;
    };
    const ru = await wire({ role: 'booth', channel: 'ru', secret: SECRET, clientId: 'ru-booth' });
    const opWire = await wire({ role: 'operator', secret: SECRET, clientId: 'op-wire' });
    const follower = new ChannelFollower(await wire({ role: 'display' }), { channels: ['ru', 'en'] });
    cleanups.push(() => follower.stop());
    await follower.start();
    const send = <E extends 'caption:publish' | 'caption:revise'>(socket: HubClientSocket, event: E, payload: unknown): Promise<Result<unknown>> =>
      new Promise((resolve) => (socket.emit as (e: string, p: unknown, ack: (r: Result<unknown>) => void) => void)(event, payload, resolve));
    const line = (id: string, text: string, state = 'final') => ({ id, channel: 'ru', text, state, source: 'typed', startedAt: Date.now() });

    expect(await send(ru, 'caption:publish', line('ru-1', 'До отключения'))).toMatchObject({ ok: true });
    expect(await send(ru, 'caption:publish', line('ru-2', 'Во время', 'partial'))).toMatchObject({ ok: true });
    const waitFor = async (what: string, predicate: () => boolean): Promise<void> => {
      for (const deadline = Date.now() + 10_000; !predicate(); await new Promise((r) => setTimeout(r, 20))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      }
    };
    await waitFor('the partial shown', () => follower.partial('ru')?.text === 'Во время');
    expect(await ask(op, 'channel:mute', { channel: 'ru', muted: true })).toMatchObject({ ok: true, value: { muted: ['ru'] } });
    // The half-line shown when the channel was muted goes with the mute.
    await waitFor('the partial withdrawn', () => follower.partial('ru')?.text === '');
    // Lines, partials and corrections to ru are refused, from a booth and from an operator alike.
    expect(await send(ru, 'caption:publish', line('ru-2', 'Во время отключения'))).toMatchObject({ ok: false, error: { code: 'CHANNEL_MUTED' } });
    expect(await send(ru, 'caption:publish', line('ru-3', 'Во вре', 'partial'))).toMatchObject({ ok: false, error: { code: 'CHANNEL_MUTED' } });
    expect(await send(opWire, 'caption:publish', line('op-1', 'Оператор'))).toMatchObject({ ok: false, error: { code: 'CHANNEL_MUTED' } });
    expect(await send(ru, 'caption:revise', { channel: 'ru', id: 'ru-1', text: 'Исправлено' })).toMatchObject({ ok: false, error: { code: 'CHANNEL_MUTED' } });
    // Other channels are not affected.
    expect(await send(opWire, 'caption:publish', { ...line('en-1', 'English goes on'), channel: 'en' })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(follower.lines('ru').map((l) => l.text)).toEqual(['До отключения']);
    expect(follower.partial('ru')?.text).toBe('');

    expect(await ask(op, 'channel:mute', { channel: 'ru', muted: false })).toMatchObject({ ok: true, value: { muted: [] } });
    expect(await send(ru, 'caption:publish', line('ru-2', 'Во время отключения'))).toMatchObject({ ok: true });
    await waitFor('the line after the unmute', () => follower.lines('ru').length === 2);
    expect(follower.lines('ru').map((l) => l.text)).toEqual(['До отключения', 'Во время отключения']);
    expect(follower.lines('en').map((l) => l.text)).toEqual(['English goes on']);
  });

  it('acknowledges a line or correction it already took before the mute as the duplicate it is, when it is resent after the mute', async () => {
    const { hub } = await hubWithRelay();
    const op = await client(hub.url, { role: 'operator', room: 'main', secret: SECRET, clientId: 'op' });
    const connected = await connectHubClient(hub.url, { role: 'booth', room: 'main', channel: 'ru', secret: SECRET, clientId: 'ru-booth' }, { transports: ['websocket'], reconnection: false });
    if (!connected.ok) throw new Error(connected.error.message);
    const ru = connected.value;
    cleanups.push(() => ru.disconnect());
    const send = (event: 'caption:publish' | 'caption:revise', payload: unknown): Promise<Result<unknown>> =>
      new Promise((resolve) => (ru.emit as (e: string, p: unknown, ack: (r: Result<unknown>) => void) => void)(event, payload, resolve));
    const line = (id: string, text: string, state = 'final') => ({ id, channel: 'ru', text, state, source: 'typed', startedAt: Date.now() });

    const first = await send('caption:publish', line('ru-1', 'Принято до отключения'));
    expect(first).toMatchObject({ ok: true, value: { duplicate: false } });
    expect(await send('caption:revise', { channel: 'ru', id: 'ru-1', text: 'Принято и исправлено' })).toMatchObject({ ok: true, value: { duplicate: false } });
    expect(await ask(op, 'channel:mute', { channel: 'ru', muted: true })).toMatchObject({ ok: true, value: { muted: ['ru'] } });
    // The console never got those acks (a cut link) and resends both: the hub has them, so they are duplicates, not held.
    const resent = await send('caption:publish', line('ru-1', 'Принято до отключения'));
    expect(resent).toMatchObject({ ok: true, value: { duplicate: true } });
    expect(resent.ok && first.ok && (resent.value as { seq: number }).seq === (first.value as { seq: number }).seq).toBe(true);
    expect(await send('caption:revise', { channel: 'ru', id: 'ru-1', text: 'Принято и исправлено' })).toMatchObject({ ok: true, value: { duplicate: true } });
    // Anything the hub does not have yet stays refused while muted: a new line, another text, a new correction.
    expect(await send('caption:publish', line('ru-2', 'Новая строка'))).toMatchObject({ ok: false, error: { code: 'CHANNEL_MUTED' } });
    expect(await send('caption:publish', line('ru-1', 'Другой текст'))).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await send('caption:revise', { channel: 'ru', id: 'ru-1', text: 'Ещё одна правка' })).toMatchObject({ ok: false, error: { code: 'CHANNEL_MUTED' } });
  });
});
