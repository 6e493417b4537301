/**
 * RedisHistoryStore against a real redis-server: it must decide every operation exactly as ChannelLedger (the
 * in-process rules) does, and several stores (hub nodes) writing one channel at once must never hand out the
 * same seq or cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTION_SOURCES, type CaptionLine, type ChannelChange, type PublishLine } from '../common/protocol';
import type { Result } from '../common/result';
import { ChannelLedger } from './channel-ledger';
import { RedisHistoryStore } from './redis-history-store';
import { startRedisServer, type RedisServerProcess } from './test-support';
import { mulberry32 } from '../common/seeded-random';

let redis: RedisServerProcess;
const stores: RedisHistoryStore[] = [];
const ROOMS = [{ id: 'main', channels: ['floor', 'en'] }];

async function openStore(keyPrefix: string, historyLimit: number): Promise<RedisHistoryStore> {
  const store = new RedisHistoryStore({ url: redis.url, historyLimit, keyPrefix });
  await store.open(ROOMS);
  stores.push(store);
  return store;
}


/** An outcome without the journal records (the Redis store persists by itself and returns none). */
function comparable<T extends { records?: unknown }>(r: Result<T>): unknown {
  if (!r.ok) return { ok: false, code: r.error.code };
  const { records: _records, ...rest } = r.value;
  return { ok: true, value: rest };
}

beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await redis?.stop();
});

describe('RedisHistoryStore', () => {
  it('decides 1500 random operations exactly as ChannelLedger, catch-up and exports included', async () => {
    const historyLimit = 12;
    const store = await openStore('diff', historyLimit);
    const ledger = new ChannelLedger('main', 'en', { historyLimit });
    /** Every line the ledger committed, latest revision, in commit order: what the store's export must hold. */
    const record = new Map<string, CaptionLine>();
    const note = <T extends { change?: ChannelChange }>(r: Result<T>): Result<T> => {
      if (r.ok && r.value.change && r.value.change.kind !== 'cleared') record.set(r.value.change.line.id, r.value.change.line);
      return r;
    };
    const random = mulberry32(42);
    const ids: string[] = [];
    let now = 1_795_000_000_000;
    for (let step = 0; step < 1500; step++) {
      now += 1 + Math.floor(random() * 1000);
      const roll = random();
      let label: string;
      let expected: unknown;
      let actual: unknown;
      if (roll < 0.7) {
        // A new line, a partial of the current one, or a resend of a recent one.
        const reuse = ids.length > 0 && random() < 0.35;
        const id = reuse ? ids[Math.max(0, ids.length - 1 - Math.floor(random() * Math.min(40, ids.length)))]! : `l${step}`;
        if (!reuse) ids.push(id);
        const line: PublishLine = {
          id,
          channel: 'en',
          text: random() < 0.5 ? `text of ${id}` : `text ${Math.floor(random() * 3)} of ${id}`,
          state: random() < 0.45 ? 'partial' : 'final',
          source: CAPTION_SOURCES[Math.floor(random() * CAPTION_SOURCES.length)]!,
          ...(random() < 0.3 ? { startedAt: now - 500, audioStart: random() * 100, lang: 'en' } : {}),
          // A settled start (speech-to-text partials), which the stored partial must keep.
          ...(step % 3 === 0 ? { stableChars: step % 11 } : {}),
        };
        label = `publish ${JSON.stringify(line)}`;
        expected = comparable(note(ledger.publish(line, now)));
        actual = comparable(await store.publish('main', line, now));
      } else if (roll < 0.9) {
        const id = ids[Math.floor(random() * ids.length)] ?? 'none';
        const text = `revised ${Math.floor(random() * 2)} ${id}`;
        label = `revise ${id} ${text}`;
        expected = comparable(note(ledger.revise(id, text, now)));
        actual = comparable(await store.revise('main', 'en', id, text, now));
      } else if (roll < 0.93) {
        label = 'clear';
        expected = comparable({ ok: true, value: ledger.clear(now) });
        actual = comparable(await store.clear('main', 'en', now));
      } else {
        const cursor = ledger.currentCursor;
        const since = random() < 0.2 ? undefined : Math.max(0, cursor - Math.floor(random() * 40) + 2);
        label = `snapshot since ${since}`;
        expected = { ok: true, value: ledger.snapshot(since) };
        const snap = await store.snapshot('main', 'en', since);
        actual = snap.ok ? { ok: true, value: snap.value } : snap;
      }
      expect(actual, `step ${step}: ${label}`).toEqual(expected);
    }
    const lines = await store.committedLines('main', 'en');
    // The export holds the whole record; the kept history is its tail.
    expect(lines.ok && lines.value).toEqual([...record.values()]);
    expect(record.size).toBeGreaterThan(historyLimit);
    expect(lines.ok && lines.value.slice(-historyLimit)).toEqual(ledger.committedLines());
    expect(await store.snapshot('main', 'en', undefined)).toEqual({ ok: true, value: ledger.snapshot(undefined) });
    expect(await store.partial('main', 'en')).toEqual({ ok: true, value: ledger.currentPartial });
  }, 60_000);

  it('several nodes writing one channel at once never share a seq or a cursor', async () => {
    const nodes = await Promise.all([1, 2, 3, 4].map(() => openStore('race', 500)));
    const perNode = 40;
    const acks = (
      await Promise.all(
        nodes.map(async (store, n) => {
          const mine: Array<{ id: string; seq: number; cursor: number }> = [];
          for (let i = 0; i < perNode; i++) {
            const id = `n${n}-${i}`;
            if (i % 3 === 0) {
              const p = await store.publish('main', { id, channel: 'en', text: 'typing', state: 'partial', source: 'typed' }, Date.now());
              expect(p.ok).toBe(true);
            }
            const r = await store.publish('main', { id, channel: 'en', text: `line ${id}`, state: 'final', source: 'typed' }, Date.now());
            expect(r.ok, JSON.stringify(r)).toBe(true);
            if (r.ok) mine.push({ id, seq: r.value.ack.seq, cursor: r.value.ack.cursor });
            if (i % 10 === 5) {
              const rev = await store.revise('main', 'en', id, `line ${id}, corrected`, Date.now());
              expect(rev.ok).toBe(true);
            }
          }
          return mine;
        }),
      )
    ).flat();
    const total = nodes.length * perNode;
    expect(new Set(acks.map((a) => a.seq)).size).toBe(total);
    expect(new Set(acks.map((a) => a.cursor)).size).toBe(total);
    expect([...acks.map((a) => a.seq)].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Every change is kept once, with consecutive cursors, and each node's lines in its own order.
    const snap = await nodes[0]!.snapshot('main', 'en', 0);
    expect(snap.ok).toBe(true);
    if (!snap.ok) return;
    const revisions = nodes.length * Math.floor((perNode - 5 + 9) / 10);
    expect(snap.value.changes.map((c) => c.cursor)).toEqual(Array.from({ length: total + revisions }, (_, i) => i + 1));
    const committed = snap.value.changes.filter((c) => c.kind === 'committed').map((c) => (c.kind === 'committed' ? c.line.id : ''));
    for (let n = 0; n < nodes.length; n++) {
      expect(committed.filter((id) => id.startsWith(`n${n}-`))).toEqual(Array.from({ length: perNode }, (_, i) => `n${n}-${i}`));
    }
  }, 60_000);

  it('keeps notices and refuses unknown rooms and channels', async () => {
    const store = await openStore('misc', 50);
    const notice = { room: 'main', text: 'Please take your seats', shownAt: 1, ttlMs: 5000 };
    expect(await store.setNotice(notice)).toEqual({ ok: true, value: notice });
    expect(await store.notice('main')).toEqual({ ok: true, value: notice });
    await store.setNotice({ room: 'main', text: null, shownAt: 2 });
    expect(await store.notice('main')).toEqual({ ok: true, value: null });
    expect(await store.publish('nowhere', { id: 'a', channel: 'en', text: 'x', state: 'final', source: 'typed' }, 1)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ROOM' } });
    expect(await store.snapshot('main', 'fr', 0)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(store.health()).toMatchObject({ kind: 'redis', durable: true, error: null });

  });

  it('refuses writes with INTERNAL while Redis is down, says so, and works again once it is back', async () => {
    const own = await startRedisServer();
    const statuses: Array<string | null> = [];
    const store = new RedisHistoryStore({ url: own.url, historyLimit: 50, onStatus: (e) => statuses.push(e ? e.code : null) });
    stores.push(store);
    await store.open(ROOMS);
    const line = (id: string): PublishLine => ({ id, channel: 'en', text: `line ${id}`, state: 'final', source: 'typed' });
    expect((await store.publish('main', line('before'), 1)).ok).toBe(true);
    await own.stop();
    const started = Date.now();
    const during = await store.publish('main', line('during'), 2);
    expect(during).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(Date.now() - started, 'refused at once, not queued').toBeLessThan(3000);
    expect(store.health().error).not.toBeNull();
    expect(statuses[0]).toBe('INTERNAL');
    const again = await startRedisServer(own.port);
    try {
      let after = await store.publish('main', line('after'), 3);
      const deadline = Date.now() + 15_000;
      while (!after.ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        after = await store.publish('main', line('after'), 3);
      }
      expect(after.ok).toBe(true);
      expect(store.health().error).toBeNull();
      expect(statuses.at(-1)).toBeNull();
    } finally {
      await again.stop();
    }
  }, 60_000);
});
