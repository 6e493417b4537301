/**
 * The hub's exports hold the whole session, not the kept history: more lines than `historyLimit` go out, are
 * revised and cleared, the hub restarts, and the export still has every line in commit order with cues that do
 * not overlap. For each store: memory only, memory + journal, Redis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubOptions } from './caption-hub';
import { hubRequest, type HubClientSocket } from './hub-client';
import type { CaptionHub } from './caption-hub';
import { ClientPool, startRedisServer, startTestHub, TEST_ROOMS, type RedisServerProcess } from './test-support';

const SECRET = TEST_ROOMS[0]!.secret;
const HISTORY_LIMIT = 5;
const pool = new ClientPool();
const hubs: CaptionHub[] = [];
const dirs: string[] = [];
let redis: RedisServerProcess;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  pool.closeAll();
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Partial<HubOptions>): Promise<{ hub: CaptionHub; operator: HubClientSocket }> {
  const { hub } = await startTestHub({ historyLimit: HISTORY_LIMIT, rateLimit: { burst: 500, perSecond: 500 }, ...options });
  hubs.push(hub);
  const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
  return { hub, operator };
}

async function exported(hub: CaptionHub, format: 'txt' | 'srt'): Promise<string> {
  const res = await fetch(`${hub.url}/export/main/en.${format}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The SRT's cues as [startMs, endMs]. */
function cueTimes(srt: string): [number, number][] {
  const ms = (t: string): number => {
    const [h, m, rest] = t.split(':') as [string, string, string];
    const [s, frac] = rest.split(',') as [string, string];
    return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(frac);
  };
  return [...srt.matchAll(/^(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})$/gm)].map((m) => [ms(m[1]!), ms(m[2]!)]);
}

function expectSequential(cues: [number, number][]): void {
  for (let i = 1; i < cues.length; i++) {
    expect(cues[i]![0], `cue ${i + 1} starts before cue ${i} ends`).toBeGreaterThanOrEqual(cues[i - 1]![1]);
  }
  for (const [start, end] of cues) expect(end).toBeGreaterThan(start);
}

const kinds: { name: string; options: () => Promise<Partial<HubOptions>> }[] = [
  { name: 'memory', options: async () => ({}) },
  {
    name: 'memory + journal',
    options: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tarjuman-archive-'));
      dirs.push(dir);
      return { dataDir: dir };
    },
  },
  { name: 'redis', options: async () => ({ redis: { url: redis.url, keyPrefix: `archive-${Date.now()}` } }) },
];

describe('exports hold the whole session, beyond the history limit', () => {
  for (const kind of kinds) {
    it(`${kind.name}: every line, in order, latest revision, cues not overlapping${kind.name === 'memory' ? '' : ', across a hub restart'}`, async () => {
      const options = await kind.options();
      let { hub, operator } = await start(options);
      const count = 4 * HISTORY_LIMIT + 3;
      const t0 = Date.now() - 120_000;
      const texts: string[] = [];
      for (let i = 0; i < count; i++) {
        const text = `Line ${i + 1} of the session.`;
        texts.push(text);
        // Lines that started before the previous one was committed: their padded cues would overlap.
        const line = { id: `l${i}`, channel: 'en', text, source: 'typed', startedAt: t0 + i * 800 } as const;
        expect((await hubRequest(operator, 'caption:publish', { ...line, text: text.slice(0, 6), state: 'partial' })).ok).toBe(true);
        expect((await hubRequest(operator, 'caption:publish', { ...line, state: 'final' })).ok).toBe(true);
        if (i === 2 * HISTORY_LIMIT) expect((await hubRequest(operator, 'channel:clear', { channel: 'en' })).ok).toBe(true);
      }
      const revised = `Line ${count} of the session, corrected.`;
      expect((await hubRequest(operator, 'caption:revise', { channel: 'en', id: `l${count - 1}`, text: revised })).ok).toBe(true);
      texts[count - 1] = revised;

      expect(await exported(hub, 'txt')).toBe(texts.map((t) => `${t}\n`).join(''));
      const cues = cueTimes(await exported(hub, 'srt'));
      expect(cues).toHaveLength(count);
      expectSequential(cues);

      if (kind.name === 'memory') return;
      await hub.close();
      hubs.splice(hubs.indexOf(hub), 1);
      ({ hub, operator } = await start(options));
      expect((await hubRequest(operator, 'caption:publish', { id: 'after', channel: 'en', text: 'After the restart.', state: 'final', source: 'typed' })).ok).toBe(true);
      expect(await exported(hub, 'txt')).toBe([...texts, 'After the restart.'].map((t) => `${t}\n`).join(''));
      const after = cueTimes(await exported(hub, 'srt'));
      expect(after).toHaveLength(count + 1);
      expectSequential(after);
    }, 60_000);
  }
});
