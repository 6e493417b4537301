import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputConfig, OutputStatus } from '../../common/caption-outputs';
import type { CaptionHub } from '../caption-hub';
import { hubRequest } from '../hub-client';
import { ClientPool, startTestHub, TEST_ROOMS, until, type RecordingLogger } from '../test-support';
import { FakeObsServer } from './fake-obs-server';
import { FakeCaptionPlatform } from './fake-platforms';
import { boothRelay } from '../booth-relay';
import { hubOutputs, type HubOutputs } from './hub-outputs';
import { parseOutputFlag } from './output-flag';

const SECRET = TEST_ROOMS[0]!.secret;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


async function hubWithOutputs(outputs: OutputConfig[], dataDir?: string): Promise<{ hub: CaptionHub; log: RecordingLogger; outs: HubOutputs }> {
  const outs = hubOutputs({ outputs, pollMs: 50, ...(dataDir ? { dataDir } : {}), requestTimeoutMs: 1000 });
  const { hub, log } = await startTestHub({ features: [boothRelay(), outs], ...(dataDir ? { dataDir } : {}) });
  return { hub, log, outs };
}

async function getOutputs(hub: CaptionHub, secret?: string): Promise<{ status: number; body: { outputs?: OutputStatus[] } }> {
  const res = await fetch(`${hub.url}/outputs`, secret ? { headers: { Authorization: `Bearer ${secret}` } } : {});
  return { status: res.status, body: (await res.json()) as { outputs?: OutputStatus[] } };
}

describe('outputs in a running hub', () => {
  it('finals (never partials) reach every target of the channel; revisions go out as new captions; GET /outputs shows them without secrets', async () => {
    const youtube = await FakeCaptionPlatform.start({ kind: 'youtube' });
    const zoom = await FakeCaptionPlatform.start({ kind: 'zoom', token: 'zoom-secret-signature' });
    const obs = await FakeObsServer.start('obs-secret');
    const dir = mkdtempSync(join(tmpdir(), 'tarjuman-live-'));
    cleanups.push(() => youtube.close(), () => zoom.close(), () => obs.close());
    const { hub } = await hubWithOutputs([
      { kind: 'youtube', id: 'yt-en', room: 'main', channel: 'en', url: youtube.url, minIntervalMs: 200 },
      { kind: 'zoom', id: 'zoom-en', room: 'main', channel: 'en', url: zoom.url, minIntervalMs: 200 },
      { kind: 'obs', id: 'obs-en', room: 'main', channel: 'en', url: obs.url, password: 'obs-secret', minIntervalMs: 200 },
      { kind: 'obs', id: 'obs-ar', room: 'main', channel: 'ar', url: obs.url, password: 'obs-secret' },
      { kind: 'file', id: 'files-ar', room: 'main', channel: 'ar', dir },
    ]);
    cleanups.push(() => hub.close());
    const pool = new ClientPool();
    cleanups.push(() => pool.closeAll());
    const en = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    const ar = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'ar', secret: SECRET });
    await hubRequest(en, 'caption:publish', { id: 'e1', channel: 'en', text: 'Good morn', state: 'partial', source: 'typed' });
    expect((await hubRequest(en, 'caption:publish', { id: 'e1', channel: 'en', text: 'Good morning, everyone.', state: 'final', source: 'typed' })).ok).toBe(true);
    await hubRequest(ar, 'caption:publish', { id: 'a1', channel: 'ar', text: 'صباح الخير للجميع.', state: 'final', source: 'typed' });
    await until(() => youtube.texts().length === 1 && zoom.texts().length === 1 && obs.captions.length === 1, 15_000, 'first final everywhere');
    expect((await hubRequest(en, 'caption:revise', { channel: 'en', id: 'e1', text: 'Good morning, everybody.' })).ok).toBe(true);
    await until(() => zoom.texts().length === 2 && youtube.texts().length === 2, 15_000, 'revision as a new caption');
    expect(zoom.texts()).toEqual(['Good morning, everyone.', 'Good morning, everybody.']);
    expect(youtube.texts().join('|')).not.toMatch(/Good morn\b(?!ing)/);
    await until(() => existsSync(join(dir, 'main-ar.current.txt')) && readFileSync(join(dir, 'main-ar.current.txt'), 'utf8').includes('صباح'), 10_000, 'live file');
    expect(youtube.violations).toEqual([]);
    expect(zoom.violations).toEqual([]);
    expect(obs.violations).toEqual([]);

    expect((await getOutputs(hub)).status).toBe(401);
    expect((await getOutputs(hub, 'wrong-secret')).status).toBe(401);
    expect((await getOutputs(hub, TEST_ROOMS[1]!.secret)).body.outputs).toEqual([]);
    const seen = await getOutputs(hub, SECRET);
    expect(seen.status).toBe(200);
    const byId = new Map(seen.body.outputs!.map((o) => [o.id, o]));
    expect(byId.get('zoom-en')).toMatchObject({ state: 'sending', delivered: 2, seq: 2, leader: true, enabled: true });
    expect(byId.get('zoom-en')!.lastCaptionAt).toBeGreaterThan(0);
    expect(byId.get('obs-ar')).toMatchObject({ state: 'stopped', code: 'NOT_LATIN' });
    const text = JSON.stringify(seen.body);
    expect(text).not.toContain('zoom-secret-signature');
    expect(text).not.toContain(youtube.token);
    expect(text).not.toContain('obs-secret');
  }, 60_000);

  it('an operator switches an output off and on without a restart; while off nothing goes out, and it comes back live', async () => {
    const zoom = await FakeCaptionPlatform.start({ kind: 'zoom' });
    cleanups.push(() => zoom.close());
    const { hub } = await hubWithOutputs([{ kind: 'zoom', id: 'zoom-en', room: 'main', channel: 'en', url: zoom.url, minIntervalMs: 200 }]);
    cleanups.push(() => hub.close());
    const pool = new ClientPool();
    cleanups.push(() => pool.closeAll());
    const en = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    const say = (id: string, text: string) => hubRequest(en, 'caption:publish', { id, channel: 'en', text, state: 'final', source: 'typed' });
    await say('l1', 'Before switching off.');
    await until(() => zoom.texts().length === 1, 10_000, 'first');
    const off = await fetch(`${hub.url}/outputs/zoom-en/disable`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ ok: true, value: { state: 'stopped', enabled: false } });
    await say('l2', 'While switched off.');
    await new Promise((r) => setTimeout(r, 600));
    const on = await fetch(`${hub.url}/outputs/zoom-en/enable`, { method: 'POST', headers: { Authorization: `Bearer ${TEST_ROOMS[1]!.secret}` } });
    expect(on.status).toBe(404);
    expect((await fetch(`${hub.url}/outputs/zoom-en/enable`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` } })).status).toBe(200);
    await say('l3', 'After switching on.');
    await until(() => zoom.texts().length === 2, 10_000, 'after enable');
    expect(zoom.texts()).toEqual(['Before switching off.', 'After switching on.']);
    expect(zoom.violations).toEqual([]);
  }, 30_000);

  it('a restarted hub (same data directory) neither repeats nor skips: seq and position come back from disk', async () => {
    const teams = await FakeCaptionPlatform.start({ kind: 'teams' });
    cleanups.push(() => teams.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'tarjuman-outputs-'));
    const config: OutputConfig[] = [{ kind: 'teams', id: 'teams-ru', room: 'main', channel: 'ru', url: teams.url, minIntervalMs: 200 }];
    const first = await hubWithOutputs(config, dataDir);
    const pool = new ClientPool();
    cleanups.push(() => pool.closeAll());
    let ru = await pool.connect(first.hub.url, { role: 'booth', room: 'main', channel: 'ru', secret: SECRET });
    for (let i = 1; i <= 3; i++) await hubRequest(ru, 'caption:publish', { id: `r${i}`, channel: 'ru', text: `Строка номер ${i}.`, state: 'final', source: 'typed' });
    await until(() => teams.texts().join(' ').includes('номер 3'), 10_000, 'three delivered');
    await first.hub.close();
    pool.closeAll();

    const second = await hubWithOutputs(config, dataDir);
    cleanups.push(() => second.hub.close());
    ru = await pool.connect(second.hub.url, { role: 'booth', room: 'main', channel: 'ru', secret: SECRET });
    await hubRequest(ru, 'caption:publish', { id: 'r4', channel: 'ru', text: 'Строка номер 4.', state: 'final', source: 'typed' });
    await until(() => teams.texts().join(' ').includes('номер 4'), 10_000, 'fourth delivered');
    await new Promise((r) => setTimeout(r, 400));
    const all = teams.texts().join(' ');
    for (let i = 1; i <= 4; i++) expect(all.split(`номер ${i}.`).length - 1, `line ${i}`).toBe(1);
    expect(teams.violations).toEqual([]);
    expect(second.outs.list()[0]).toMatchObject({ delivered: 4, seq: teams.seq });
  }, 60_000);
});

describe('outputs as a hub feature', () => {
  it('a hub whose output names a channel the room lacks does not start, and says which output', async () => {
    const outs = hubOutputs({ outputs: [{ kind: 'file', id: 'files-de', room: 'main', channel: 'de', dir: tmpdir() }] });
    await expect(startTestHub({ features: [boothRelay(), outs] })).rejects.toThrow(/platform outputs cannot start: output files-de: room main has no channel de/);
  });
});

describe('--output flag', () => {
  it('reads targets from the environment and keeps the OBS password out of the URL', () => {
    const env = { ZOOM_EN: 'https://wmcc.zoom.us/closedcaption?id=1&signature=abc' };
    expect(parseOutputFlag('zoom:main/en=env:ZOOM_EN', env)).toEqual({ kind: 'zoom', id: 'zoom-main-en', room: 'main', channel: 'en', url: env.ZOOM_EN });
    expect(parseOutputFlag('obs:main/en=ws://:p%40ss@127.0.0.1:4455', {})).toMatchObject({ url: 'ws://127.0.0.1:4455', password: 'p@ss' });
    expect(parseOutputFlag('file:main/ar=./live', {})).toMatchObject({ kind: 'file', dir: './live' });
    expect(() => parseOutputFlag('zoom:main/en=env:MISSING', {})).toThrow(/MISSING is not set/);
    expect(() => parseOutputFlag('fax:main/en=x', {})).toThrow(/kind is one of/);
    expect(() => parseOutputFlag('youtube:main/en=not a url', {})).toThrow(/url/);
  });
});
