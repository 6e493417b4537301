import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelFollower } from '../common/channel-follower';
import type { PublishLine } from '../common/protocol';
import type { CaptionHub } from './caption-hub';
import { hubRequest, type HubClientSocket } from './hub-client';
import { ClientPool, startTestHub, TEST_ROOMS, until } from './test-support';
import { StalePartials } from './stale-partials';

describe('StalePartials', () => {
  let withdrawn: string[];
  let watch: StalePartials;
  beforeEach(() => {
    vi.useFakeTimers();
    withdrawn = [];
    watch = new StalePartials({ graceMs: 5000, maxAgeMs: 30_000, withdraw: (room, channel, id) => withdrawn.push(`${room}/${channel}/${id}`) });
  });
  afterEach(() => {
    watch.close();
    vi.useRealTimers();
  });

  it('withdraws the partial of a publisher gone for the grace, not of one that came back in time', () => {
    watch.connected('booth-ar');
    watch.connected('booth-en');
    watch.partialShown('main', 'ar', 'l1', 'booth-ar');
    watch.partialShown('main', 'en', 'l2', 'booth-en');
    watch.disconnected('booth-ar');
    watch.disconnected('booth-en');
    vi.advanceTimersByTime(3000);
    watch.connected('booth-en');
    vi.advanceTimersByTime(2500);
    expect(withdrawn).toEqual(['main/ar/l1']);
  });

  it('keeps the partial while another socket of the publisher is connected', () => {
    watch.connected('c1');
    watch.connected('c1');
    watch.partialShown('main', 'ru', 'x', 'c1');
    watch.disconnected('c1');
    vi.advanceTimersByTime(10_000);
    expect(withdrawn).toEqual([]);
  });

  it('ages out a partial that has not changed, and not one that keeps changing or ended', () => {
    watch.connected('c1');
    watch.partialShown('main', 'en', 'a', 'c1');
    watch.partialShown('main', 'floor', 'f', 'c1');
    watch.partialShown('main', 'ar', 'b', 'c1');
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10_000);
      watch.partialShown('main', 'floor', 'f', 'c1');
      if (i === 1) watch.partialGone('main', 'ar');
    }
    expect(withdrawn).toEqual(['main/en/a']);
    vi.advanceTimersByTime(30_000);
    expect(withdrawn).toEqual(['main/en/a', 'main/floor/f']);
  });

  it('keeps the partial when another line of the channel is committed', () => {
    watch.connected('c1');
    watch.partialShown('main', 'en', 'a', 'c1');
    watch.partialGone('main', 'en', 'b');
    watch.disconnected('c1');
    vi.advanceTimersByTime(6000);
    expect(withdrawn).toEqual(['main/en/a']);
    watch.partialShown('main', 'ru', 'c', 'c1');
    watch.partialGone('main', 'ru', 'c');
    vi.advanceTimersByTime(60_000);
    expect(withdrawn).toEqual(['main/en/a']);
  });

  it('withdraws each shown partial once', () => {
    watch.connected('c1');
    watch.partialShown('main', 'en', 'a', 'c1');
    watch.disconnected('c1');
    vi.advanceTimersByTime(60_000);
    expect(withdrawn).toEqual(['main/en/a']);
  });
});

describe('stale partials on a real hub', () => {
  const SECRET = TEST_ROOMS[0]!.secret;
  const pool = new ClientPool();
  let hub: CaptionHub | null = null;
  afterEach(async () => {
    pool.closeAll();
    await hub?.close();
    hub = null;
  });

  const booth = (channel: string, clientId: string): Promise<HubClientSocket> =>
    pool.connect(hub!.url, { role: 'booth', room: 'main', channel, secret: SECRET, clientId }, { reconnection: false });
  async function follow(channels: string[]): Promise<ChannelFollower> {
    const follower = new ChannelFollower(await pool.connect(hub!.url, { role: 'display', room: 'main' }), { channels });
    await follower.start();
    return follower;
  }
  async function publish(socket: HubClientSocket, line: Omit<PublishLine, 'source'>): Promise<void> {
    const r = await hubRequest(socket, 'caption:publish', { ...line, source: 'typed' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  }
  const shown = (f: ChannelFollower, channel: string): string => f.partial(channel)?.text ?? '';
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it("withdraws a partial whose publisher is gone for the grace, from open displays and from displays opened later; keeps one whose publisher is still connected, and committed lines", async () => {
    ({ hub } = await startTestHub({ stalePartials: { graceMs: 600, maxAgeMs: 120_000 } }));
    const display = await follow(['en', 'ru', 'floor']);
    const en = await booth('en', 'booth-en');
    const ru = await booth('ru', 'booth-ru');
    const ruAgain = await booth('ru', 'booth-ru');
    const op = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET, clientId: 'op' }, { reconnection: false });
    await publish(en, { id: 'en-1', channel: 'en', text: 'Half a sen', state: 'partial' });
    // ru's console has a second socket (as while it reconnects): its partial stays when the first goes.
    await publish(ru, { id: 'ru-1', channel: 'ru', text: 'Половина', state: 'partial' });
    // The operator's partial replaced by a final: nothing to withdraw after the operator leaves.
    await publish(op, { id: 'fl-1', channel: 'floor', text: 'Floor', state: 'partial' });
    await publish(op, { id: 'fl-1', channel: 'floor', text: 'Floor line.', state: 'final' });
    await until(() => shown(display, 'en') === 'Half a sen' && shown(display, 'ru') === 'Половина', 10_000, 'partials shown');

    en.disconnect();
    ru.disconnect();
    op.disconnect();
    await until(() => shown(display, 'en') === '', 10_000, 'the en partial withdrawn');
    await sleep(1500);
    expect(shown(display, 'ru')).toBe('Половина');
    expect(display.lines('floor').map((l) => l.text)).toEqual(['Floor line.']);
    expect(display.lines('en')).toEqual([]);
    const later = await follow(['en', 'ru', 'floor']);
    expect(shown(later, 'en')).toBe('');
    expect(shown(later, 'ru')).toBe('Половина');
    expect(later.lines('floor').map((l) => l.text)).toEqual(['Floor line.']);

    // The booth that comes back types on: its line shows again.
    const enBack = await booth('en', 'booth-en');
    await publish(enBack, { id: 'en-1', channel: 'en', text: 'Half a sentence', state: 'partial' });
    await until(() => shown(display, 'en') === 'Half a sentence', 10_000, 'the partial back');
    expect(ruAgain.connected).toBe(true);
  }, 30_000);

  it("ages out a partial that has not changed for too long, not one that keeps changing", async () => {
    ({ hub } = await startTestHub({ stalePartials: { graceMs: 120_000, maxAgeMs: 2000 } }));
    const display = await follow(['en', 'ru']);
    const en = await booth('en', 'booth-en');
    const ru = await booth('ru', 'booth-ru');
    await publish(en, { id: 'en-1', channel: 'en', text: 'Stuck half', state: 'partial' });
    const started = Date.now();
    let words = 'Слово';
    await publish(ru, { id: 'ru-1', channel: 'ru', text: words, state: 'partial' });
    await until(() => shown(display, 'en') === 'Stuck half', 10_000, 'the en partial shown');
    while (shown(display, 'en') !== '') {
      expect(Date.now() - started, 'the stuck partial aged out').toBeLessThan(15_000);
      words += ' слово';
      await publish(ru, { id: 'ru-1', channel: 'ru', text: words, state: 'partial' });
      await sleep(150);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    await until(() => shown(display, 'ru') === words, 10_000, 'the changing partial shown');
    await expect(hub.store.partial('main', 'en')).resolves.toMatchObject({ ok: true, value: { id: 'en-1', text: '' } });
    const later = await follow(['en', 'ru']);
    expect(shown(later, 'en')).toBe('');
    expect(shown(later, 'ru')).toBe(words);
  }, 30_000);
});
