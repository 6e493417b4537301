import { ChannelFollower } from '../common/channel-follower';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublishLine } from '../common/protocol';
import type { CaptionHub } from './caption-hub';
import { hubRequest, type HubClientSocket } from './hub-client';
import { ClientPool, startTestHub, TEST_ROOMS, until } from './test-support';

const SECRET = TEST_ROOMS[0]!.secret;
const pool = new ClientPool();
let hub: CaptionHub | null = null;

afterEach(async () => {
  pool.closeAll();
  await hub?.close();
  hub = null;
});

let n = 0;
function final(channel: string, text: string): PublishLine {
  return { id: `c-${Date.now()}-${n++}`, channel, text, state: 'final', source: 'typed' };
}

async function publishMany(booth: HubClientSocket, channel: string, prefix: string, count: number, ids: string[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const line = final(channel, `${prefix} ${i}`);
    // A partial first, as a live booth does; it must not disturb the committed history.
    const p = await hubRequest(booth, 'caption:publish', { ...line, state: 'partial', text: `${prefix}` });
    expect(p.ok).toBe(true);
    const r = await hubRequest(booth, 'caption:publish', line);
    expect(r.ok).toBe(true);
    ids.push(line.id);
  }
}

/** Drops the display's transport, publishes while it is away, and checks what it holds after it is back. */
async function dropAndCatchUp(recoveryWindowMs: number): Promise<{ follower: ChannelFollower; display: HubClientSocket }> {
  ({ hub } = await startTestHub({ recoveryWindowMs }));
  const booth = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
  const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
  const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
  const follower = new ChannelFollower(display, { channels: ['en'] });
  const first = await follower.start();
  expect(first.ok).toBe(true);

  const ids: string[] = [];
  await publishMany(booth, 'en', 'before', 10, ids);
  await until(() => follower.lines('en').length === 10, 10_000, 'first lines');

  const disconnected = new Promise<void>((resolve) => display.once('disconnect', () => resolve()));
  display.io.engine.close();
  await disconnected;
  expect(display.connected).toBe(false);
  await publishMany(booth, 'en', 'during', 15, ids);
  const revised = await hubRequest(operator, 'caption:revise', { channel: 'en', id: ids[3]!, text: 'before 3 (corrected while away)' });
  expect(revised.ok).toBe(true);

  await until(() => display.connected, 15_000, 'reconnect');
  await publishMany(booth, 'en', 'after', 5, ids);
  await until(() => follower.lines('en').length === 30 && follower.cursor('en') === 31, 15_000, 'catch-up');

  expect(follower.lines('en').map((l) => l.id)).toEqual(ids);
  expect(follower.lines('en')[3]?.text).toBe('before 3 (corrected while away)');
  expect(follower.stats.doubledCommits).toBe(0);
  expect(follower.stats.gaps).toBe(0);
  return { follower, display };
}

describe('catch-up after a dropped connection', () => {
  it('the cursor protocol alone restores exactly the missed changes (recovery off)', async () => {
    const { follower } = await dropAndCatchUp(0);
    // One subscribe at start and one after the reconnect, which returned the 16 missed changes, not a reset.
    expect(follower.stats.subscribes).toBe(2);
    expect(follower.stats.resets).toBe(1);
    expect(follower.stats.droppedDuplicates).toBe(0);
    expect(follower.stats.applied).toBe(10 + 15 + 1 + 5);
  });

  it('with socket.io connection-state recovery the missed packets are replayed, none doubled', async () => {
    const { follower, display } = await dropAndCatchUp(60_000);
    expect(display.recovered).toBe(true);
    expect(follower.stats.subscribes).toBe(1);
    expect(follower.stats.droppedDuplicates).toBe(0);
  });

  it('a display subscribing while booths publish gets no gap and no duplicate', async () => {
    ({ hub } = await startTestHub({ rateLimit: { burst: 1000, perSecond: 1000 }, historyLimit: 20_000 }));
    const url = hub.url;
    const booths = await Promise.all(
      ['ar', 'en', 'ru'].map((channel) => pool.connect(url, { role: 'booth', room: 'main', channel, secret: SECRET })),
    );
    const published: Record<string, string[]> = { ar: [], en: [], ru: [] };
    let running = true;
    const publishing = booths.map(async (booth, i) => {
      const channel = ['ar', 'en', 'ru'][i]!;
      while (running) {
        const line = final(channel, `${channel} line`);
        const r = await hubRequest(booth, 'caption:publish', line);
        if (r.ok) published[channel]!.push(line.id);
      }
    });
    const followers: ChannelFollower[] = [];
    for (let i = 0; i < 8; i++) {
      const display = await pool.connect(url, { role: 'display', room: 'main' });
      const follower = new ChannelFollower(display, { channels: ['ar', 'en', 'ru'] });
      followers.push(follower);
      await follower.start();
    }
    running = false;
    await Promise.all(publishing);
    const marker = final('en', 'last');
    await hubRequest(booths[1]!, 'caption:publish', marker);
    published['en']!.push(marker.id);
    for (const f of followers) {
      await until(() => f.lines('en').at(-1)?.id === marker.id, 10_000, 'marker');
      for (const channel of ['ar', 'en', 'ru']) expect(f.lines(channel).map((l) => l.id)).toEqual(published[channel]);
      expect(f.stats).toMatchObject({ gaps: 0, droppedDuplicates: 0, doubledCommits: 0 });
    }
  });
});
