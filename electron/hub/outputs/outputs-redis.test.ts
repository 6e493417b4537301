import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputStatus } from '../../common/caption-outputs';
import { ResendingBooth, spawnHub, startRedisServer, type HubProcess, type RedisServerProcess } from '../test-support';
import { FakeCaptionPlatform } from './fake-platforms';

const SECRET = 'outputs-redis-secret-8812';
let redis: RedisServerProcess;
const hubs: HubProcess[] = [];
const fakes: FakeCaptionPlatform[] = [];
const booths: ResendingBooth[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);

afterAll(async () => {
  for (const b of booths) b.close();
  await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  await Promise.all(fakes.map((f) => f.close()));
  await redis?.stop();
});

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function statuses(hub: HubProcess): Promise<OutputStatus[]> {
  const res = await fetch(`${hub.url}/outputs`, { headers: { Authorization: `Bearer ${SECRET}` } });
  return ((await res.json()) as { outputs: OutputStatus[] }).outputs;
}

describe('outputs on a hub spanning several processes (real redis-server, real hub processes)', () => {
  it('exactly one node drives each output; when it is killed another takes over within seconds and goes on without repeating or skipping', async () => {
    const zoom = await FakeCaptionPlatform.start({ kind: 'zoom' });
    const teams = await FakeCaptionPlatform.start({ kind: 'teams' });
    fakes.push(zoom, teams);
    const config = join(mkdtempSync(join(tmpdir(), 'tarjuman-outputs-cfg-')), 'hub.json');
    writeFileSync(
      config,
      JSON.stringify({
        rooms: [{ id: 'main', secret: SECRET, channels: ['floor', 'en'] }],
        outputs: [
          { kind: 'zoom', id: 'zoom-en', room: 'main', channel: 'en', url: zoom.url, maxAgeMs: 60_000 },
          { kind: 'teams', id: 'teams-en', room: 'main', channel: 'en', url: teams.url, maxAgeMs: 60_000 },
        ],
      }),
    );
    const start = async (): Promise<HubProcess> => {
      const hub = await spawnHub({ rooms: [`main:${SECRET}`], channels: ['floor', 'en'], redis: redis.url, extra: ['--config', config] });
      hubs.push(hub);
      return hub;
    };
    const [a, b] = await Promise.all([start(), start()]);
    await until(async () => {
      const all = [...(await statuses(a)), ...(await statuses(b))];
      return all.filter((s) => s.leader).length === 2;
    }, 20_000, 'both outputs driven');
    const [sa, sb] = [await statuses(a), await statuses(b)];
    for (const id of ['zoom-en', 'teams-en']) {
      expect([...sa, ...sb].filter((s) => s.id === id && s.leader), `${id} has one driver`).toHaveLength(1);
    }
    // Kill the node that drives the Zoom output; the booth publishes through the other one.
    const zoomLeader = sa.find((s) => s.id === 'zoom-en')!.leader ? a : b;
    const survivor = zoomLeader === a ? b : a;
    const booth = await ResendingBooth.connect(survivor.url, 'main', 'en', SECRET, 'booth-en');
    booths.push(booth);
    const typed: string[] = [];
    const type = (n: number): void => {
      typed.push(`Line ${n}.`);
      booth.type(`en-${n}`, `Line ${n}.`);
    };
    for (let n = 0; n < 6; n++) {
      type(n);
      await new Promise((r) => setTimeout(r, 400));
    }
    await until(() => zoom.texts().join(' ').includes('Line 3.'), 20_000, 'zoom receiving');
    const killedAt = Date.now();
    await zoomLeader.stop('SIGKILL');
    for (let n = 6; n < 14; n++) {
      type(n);
      await new Promise((r) => setTimeout(r, 400));
    }
    await until(() => zoom.texts().join(' ').includes('Line 13.') && teams.texts().join(' ').includes('Line 13.'), 40_000, 'all delivered after the failover');
    const takenOver = zoom.accepted.find((x) => x.receivedAt > killedAt && x.texts.join(' ').match(/Line (\d+)/) !== null);
    expect(takenOver, 'the survivor sent for Zoom').toBeDefined();
    expect(takenOver!.receivedAt - killedAt).toBeLessThan(15_000);
    for (const fake of [zoom, teams]) {
      expect(fake.violations).toEqual([]);
      const said = fake.texts().join(' ');
      const order = typed.map((t) => said.indexOf(t));
      for (const t of typed) expect(said.split(t).length - 1, `${fake.kind}: "${t}" once`).toBe(1);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    const after = await statuses(survivor);
    expect(after.every((s) => s.leader)).toBe(true);
    expect(after.find((s) => s.id === 'zoom-en')).toMatchObject({ delivered: typed.length, seq: zoom.seq });
  }, 240_000);
});
