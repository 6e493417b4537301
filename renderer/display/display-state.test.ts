import { describe, expect, it } from 'vitest';
import { breakIntoLines } from '../../electron/common/line-breaking';
import type { CaptionLine, ChannelChange, ChannelSnapshot, Subscribe, SubscribeResult } from '../../electron/common/protocol';
import type { Result } from '../../electron/common/result';
import { parseDisplayParams, type DisplayParams } from './display-params';
import { DisplayState, channelLabel, type DisplaySocket, type DisplayTimers } from './display-state.svelte';

type Handler = (...args: never[]) => void;
type Ack = (err: Error | null, result?: Result<SubscribeResult>) => void;

/** A socket that records what the display sends and lets the test play the hub and the network. */
class FakeSocket {
  connected = false;
  active = false;
  connectCalls = 0;
  readonly subscribes: Array<{ request: Subscribe; ack: Ack }> = [];
  private readonly handlers = new Map<string, Set<Handler>>();

  on(event: string, handler: Handler): this {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event)?.add(handler);
    return this;
  }
  off(event: string, handler: Handler): this {
    this.handlers.get(event)?.delete(handler);
    return this;
  }
  timeout(): { emit: (event: string, request: Subscribe, ack: Ack) => void } {
    return {
      emit: (event, request, ack) => {
        expect(event).toBe('display:subscribe');
        this.subscribes.push({ request, ack });
      },
    };
  }
  connect(): this {
    this.active = true;
    this.connectCalls += 1;
    return this;
  }
  disconnect(): this {
    this.active = false;
    this.connected = false;
    return this;
  }
  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  listenerCount(): number {
    return [...this.handlers.values()].reduce((n, s) => n + s.size, 0);
  }
  /** The network comes up: socket.io fires `connect`. */
  up(): void {
    this.connected = true;
    this.active = true;
    this.fire('connect');
  }
  /** The last subscribe, answered. */
  answer(result: Result<SubscribeResult>): Subscribe {
    const last = this.subscribes.at(-1);
    if (!last) throw new Error('no subscribe sent');
    last.ack(null, result);
    return last.request;
  }
}

class FakeTimers implements DisplayTimers {
  time = 1_000_000;
  private queue: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.queue.filter((t) => t.at <= this.time);
    this.queue = this.queue.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
}

function params(query: string): DisplayParams {
  const r = parseDisplayParams(query);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

let clock = 0;
function line(channel: string, id: string, text: string, state: 'partial' | 'final' = 'final'): CaptionLine {
  clock += 1;
  return { id, room: 'main', channel, seq: clock, text, state, revision: 0, source: 'typed', startedAt: clock, updatedAt: clock };
}
const commit = (channel: string, cursor: number, id: string, text: string): ChannelChange => ({
  kind: 'committed',
  room: 'main',
  channel,
  cursor,
  line: line(channel, id, text),
});
const snap = (channel: string, cursor: number, changes: ChannelChange[], reset = true): ChannelSnapshot => ({
  channel,
  cursor,
  reset,
  changes,
  partial: null,
});
const subscribed = (channels: ChannelSnapshot[], notice: SubscribeResult['notice'] = null): Result<SubscribeResult> => ({
  ok: true,
  value: { room: 'main', channels, notice },
});

function setup(query = '?room=main&channels=ar,en'): { socket: FakeSocket; timers: FakeTimers; display: DisplayState } {
  const socket = new FakeSocket();
  const timers = new FakeTimers();
  const display = new DisplayState(params(query), socket as unknown as DisplaySocket, timers);
  display.start();
  return { socket, timers, display };
}

const texts = (display: DisplayState, channel: string): string[] =>
  display.blocks.find((b) => b.channel === channel)?.rows.map((r) => r.text) ?? [];

describe('DisplayState', () => {
  it('connects, subscribes to its channels without since, and shows the snapshot', () => {
    const { socket, display } = setup();
    expect(socket.connectCalls).toBe(1);
    expect(display.status).toBe('connecting');
    socket.up();
    expect(socket.subscribes[0]?.request).toEqual({ channels: ['ar', 'en'] });
    socket.answer(subscribed([snap('ar', 1, [commit('ar', 1, 'a1', 'UNOCT يفتتح الدورة')]), snap('en', 0, [])]));
    expect(display.status).toBe('live');
    expect(texts(display, 'ar')).toEqual(['UNOCT يفتتح الدورة']);
    expect(display.blocks.map((b) => [b.channel, b.dir, b.lang])).toEqual([
      ['ar', 'rtl', 'ar'],
      ['en', 'ltr', 'en'],
    ]);
    expect(display.blocks[0]?.rows[0]?.dir).toBe('rtl');
  });

  it('re-subscribes with since after a reconnect and does not double what it had', () => {
    const { socket, display } = setup('?room=main&channels=en&lines=5');
    socket.up();
    socket.answer(subscribed([snap('en', 2, [commit('en', 1, 'e1', 'one'), commit('en', 2, 'e2', 'two')])]));
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    expect(display.status).toBe('reconnecting');
    socket.up();
    const request = socket.answer(
      subscribed([snap('en', 3, [commit('en', 2, 'e2', 'two'), commit('en', 3, 'e3', 'three')], false)]),
    );
    expect(request).toEqual({ channels: ['en'], since: { en: 2 } });
    expect(texts(display, 'en')).toEqual(['one', 'two', 'three']);
    expect(display.status).toBe('live');
  });

  it('re-subscribes when a live change skips a cursor, and ignores an ack from before a reconnect', () => {
    const { socket, display } = setup('?room=main&channels=en&lines=5');
    socket.up();
    socket.answer(subscribed([snap('en', 1, [commit('en', 1, 'e1', 'one')])]));
    socket.fire('caption:changed', commit('en', 2, 'e2', 'two'));
    expect(socket.subscribes).toHaveLength(1);
    socket.fire('caption:changed', commit('en', 4, 'e4', 'four'));
    expect(socket.subscribes).toHaveLength(2);
    expect(socket.subscribes[1]?.request.since).toEqual({ en: 2 });
    // The connection drops before the answer; the stale ack must not be applied.
    const stale = socket.subscribes[1];
    socket.connected = false;
    socket.fire('disconnect', 'transport close');
    stale?.ack(null, subscribed([snap('en', 9, [commit('en', 9, 'x', 'stale')])]));
    expect(texts(display, 'en')).toEqual(['one', 'two']);
    socket.up();
    socket.answer(subscribed([snap('en', 4, [commit('en', 3, 'e3', 'three'), commit('en', 4, 'e4', 'four')], false)]));
    expect(texts(display, 'en')).toEqual(['one', 'two', 'three', 'four']);
  });

  it('shows a refusal that retrying cannot fix, and stops', () => {
    const { socket, display } = setup();
    socket.up();
    socket.answer({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'room main has no channel xx' } });
    expect(display.status).toBe('failed');
    expect(display.error).toEqual({ code: 'UNKNOWN_CHANNEL', message: 'room main has no channel xx' });
    expect(socket.active).toBe(false);
  });

  it('shows a refused handshake, but keeps trying through network errors', () => {
    const { socket, display } = setup();
    socket.fire('connect_error', Object.assign(new Error('xhr poll error'), { data: undefined }));
    expect(display.error).toBeNull();
    socket.active = false;
    socket.fire('connect_error', Object.assign(new Error('refused'), { data: { code: 'UNKNOWN_ROOM', message: 'this hub has no room main' } }));
    expect(display.error?.code).toBe('UNKNOWN_ROOM');
    expect(display.status).toBe('failed');
  });

  it('tries again later after a refusal that may pass', () => {
    const { socket, timers, display } = setup();
    socket.active = false;
    socket.fire('connect_error', Object.assign(new Error('refused'), { data: { code: 'RATE_LIMITED', message: 'too many attempts' } }));
    expect(display.error).toBeNull();
    expect(socket.connectCalls).toBe(1);
    timers.advance(10_500);
    expect(socket.connectCalls).toBe(2);
  });

  it('retries a subscribe that timed out or was rate limited', () => {
    const { socket, timers } = setup();
    socket.up();
    socket.subscribes[0]?.ack(new Error('operation has timed out'));
    timers.advance(2_500);
    expect(socket.subscribes).toHaveLength(2);
    socket.answer({ ok: false, error: { code: 'RATE_LIMITED', message: 'slow down' } });
    timers.advance(2_500);
    expect(socket.subscribes).toHaveLength(3);
  });

  it('reconnects by itself after the hub closed the socket (a restart)', () => {
    const { socket, timers, display } = setup();
    socket.up();
    socket.answer(subscribed([snap('ar', 0, []), snap('en', 0, [])]));
    socket.connected = false;
    socket.active = false;
    socket.fire('disconnect', 'io server disconnect');
    expect(display.status).toBe('reconnecting');
    expect(socket.connectCalls).toBe(1);
    timers.advance(1_600);
    expect(socket.connectCalls).toBe(2);
  });

  it('shows notices, sanitised, and hides them when their time is up', () => {
    const { socket, timers, display } = setup();
    socket.up();
    socket.answer(subscribed([snap('ar', 0, []), snap('en', 0, [])], { room: 'main', text: '\u202Eالرجاء الجلوس', shownAt: timers.now() - 1_000, ttlMs: 5_000 }));
    expect(display.notice).toEqual({ text: 'الرجاء الجلوس', dir: 'rtl' });
    timers.advance(4_100);
    expect(display.notice).toBeNull();
    socket.fire('notice:changed', { room: 'main', text: 'Coffee break', shownAt: 0, ttlMs: 10_000 });
    expect(display.notice).toEqual({ text: 'Coffee break', dir: 'ltr' });
    socket.fire('notice:changed', { room: 'main', text: null, shownAt: 0 });
    expect(display.notice).toBeNull();
  });

  it('counts a notice down from what the hub says is left, whatever the display clock says', () => {
    const { socket, timers, display } = setup();
    socket.up();
    // This display's clock runs 10 minutes ahead of the hub's: by its clock the notice expired long ago.
    const hubNow = timers.now() - 600_000;
    socket.answer(subscribed([snap('ar', 0, []), snap('en', 0, [])], { room: 'main', text: 'Coffee break', shownAt: hubNow - 5_000, ttlMs: 60_000, remainingMs: 55_000 }));
    expect(display.notice).toEqual({ text: 'Coffee break', dir: 'ltr' });
    timers.advance(54_000);
    expect(display.notice).not.toBeNull();
    timers.advance(1_500);
    expect(display.notice).toBeNull();
    socket.fire('notice:changed', { room: 'main', text: 'Back in 5', shownAt: hubNow, ttlMs: 30_000, remainingMs: 30_000 });
    expect(display.notice?.text).toBe('Back in 5');
  });

  it('shows partials of its channels only, and stops cleanly', () => {
    const { socket, display } = setup();
    socket.up();
    socket.answer(subscribed([snap('ar', 0, []), snap('en', 0, [])]));
    socket.fire('caption:partial', { room: 'main', channel: 'en', cursor: 0, line: line('en', 'p1', 'Good mor', 'partial') });
    socket.fire('caption:partial', { room: 'main', channel: 'ru', cursor: 0, line: line('ru', 'p2', 'Доброе', 'partial') });
    expect(display.blocks.find((b) => b.channel === 'en')?.rows).toMatchObject([{ text: 'Good mor', partial: true }]);
    expect(display.blocks.map((b) => b.channel)).toEqual(['ar', 'en']);
    display.stop();
    expect(socket.listenerCount()).toBe(0);
    expect(socket.active).toBe(false);
  });

  it('rolls a long final up at reading pace on its own timer, and shows a phone every line whole', () => {
    const long =
      'The Under-Secretary-General opened the fourth session of the Committee in Vienna this morning and thanked the ' +
      'Member States for their continued support of the programme of work, which now covers prevention, protection ' +
      'of victims and cooperation.';
    const { socket, timers, display } = setup('?room=main&channels=en');
    socket.up();
    socket.answer(subscribed([snap('en', 1, [commit('en', 1, 'e1', 'Good morning.')])]));
    socket.fire('caption:changed', commit('en', 2, 'e2', long));
    const first = texts(display, 'en');
    expect(first).toEqual(['The Under-Secretary-General opened the', 'fourth session of the Committee in Vienna']);
    const seen = new Set(first);
    for (let t = 0; t < 30_000; t += 250) {
      timers.advance(250);
      for (const text of texts(display, 'en')) seen.add(text);
    }
    const rows = breakIntoLines(long, 42);
    expect(texts(display, 'en')).toEqual(rows.slice(-2));
    // Every row of the final was on screen at some point: none skipped to its last two.
    expect(rows.every((row) => seen.has(row))).toBe(true);
    display.stop();

    const phone = setup('?room=main&channels=en&view=phone');
    phone.socket.up();
    phone.socket.answer(subscribed([snap('en', 2, [commit('en', 1, 'e1', 'Good morning.'), commit('en', 2, 'e2', long)])]));
    expect(texts(phone.display, 'en')).toEqual(['Good morning.', long]);
  });

  it('labels channels in their own language', () => {
    expect(channelLabel('ar')).toBe('العربية');
    expect(channelLabel('en')).toBe('English');
    expect(channelLabel('ru')).toBe('Русский');
    expect(channelLabel('floor')).toBe('Floor');
  });
});
