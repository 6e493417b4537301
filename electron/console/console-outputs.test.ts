/**
 * The operator console's view of the hub's platform outputs, end to end: a real hub running the outputs feature
 * (a live-files output and a YouTube output to the strict fake), a console core joined as operator, and a booth.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutputStatus } from '../common/caption-outputs';
import { boothRelay } from '../hub/booth-relay';
import { startCaptionHub, silentHubLogger, type CaptionHub } from '../hub/index';
import { FakeCaptionPlatform } from '../hub/outputs/fake-platforms';
import { hubOutputs } from '../hub/outputs/hub-outputs';
import { ConsoleCore } from './console-core';
import { recordingLogger, until } from '../hub/test-support';
import { cleanupTempDirs, roomHub, tempDir, TEST_SECRET } from './test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

async function joined(h: CaptionHub, role: 'booth' | 'operator', channel = 'en'): Promise<ConsoleCore> {
  const logger = recordingLogger();
  const c = await ConsoleCore.create({ dataDir: await tempDir(), logger, pingIntervalMs: 500 });
  cleanups.push(() => c.close());
  expect((await c.updateSettings({ hubMode: 'join', hubUrl: h.url, role, channel, room: 'main', secret: TEST_SECRET, label: `${role} ${channel}` })).ok).toBe(true);
  const r = await c.connectHub();
  expect(r.ok, JSON.stringify(r)).toBe(true);
  return c;
}

describe('console: platform outputs', () => {
  it('an operator sees each output with its state and counts (no credential), and switches one off and on', async () => {
    const youtube = await FakeCaptionPlatform.start({ kind: 'youtube' });
    cleanups.push(() => youtube.close());
    const dir = await tempDir('tarjuman-live-');
    const outputs = hubOutputs({
      outputs: [
        { kind: 'youtube', id: 'yt-en', room: 'main', channel: 'en', url: youtube.url, minIntervalMs: 200 },
        { kind: 'file', id: 'files-en', room: 'main', channel: 'en', dir },
      ],
      pollMs: 50,
    });
    const h = await startCaptionHub({ host: '127.0.0.1', port: 0, rooms: [{ id: 'main', secret: TEST_SECRET }], logger: silentHubLogger, features: [boothRelay(), outputs] });
    cleanups.push(() => h.close());

    const booth = await joined(h, 'booth', 'en');
    const operator = await joined(h, 'operator', 'floor');
    expect(await booth.listOutputs()).toMatchObject({ ok: false, error: { code: 'NOT_OPERATOR' } });

    const pub = await booth.publish({ channel: 'en', text: 'Welcome to the plenary.', state: 'final', source: 'typed' });
    expect(pub.ok, JSON.stringify(pub)).toBe(true);
    let list: OutputStatus[] = [];
    await until(async () => {
      const r = await operator.listOutputs();
      if (r.ok) list = r.value;
      return list.length === 2 && list.every((o) => o.delivered === 1);
    }, 15_000, 'both outputs delivered the final');
    expect(list.map((o) => [o.id, o.kind, o.state, o.enabled])).toEqual([
      ['yt-en', 'youtube', 'sending', true],
      ['files-en', 'file', 'sending', true],
    ]);
    expect(JSON.stringify(list)).not.toContain(new URL(youtube.url).searchParams.get('cid')!);
    expect(list[0]!.target).toMatch(/\?…$/);
    expect(list[0]!.lastCaptionAt).toBeGreaterThan(Date.now() - 60_000);
    expect(await readFile(join(dir, 'main-en.current.txt'), 'utf8')).toBe('Welcome to the plenary.\n');

    const off = await operator.setOutputEnabled('yt-en', false);
    expect(off).toMatchObject({ ok: true, value: { id: 'yt-en', state: 'stopped', enabled: false } });
    expect((await booth.publish({ channel: 'en', text: 'Said while YouTube was off.', state: 'final', source: 'typed' })).ok).toBe(true);
    await until(async () => {
      const r = await operator.listOutputs();
      return r.ok && r.value.find((o) => o.id === 'files-en')?.delivered === 2;
    }, 15_000, 'the files output went on');
    expect(youtube.texts().join(' ')).not.toContain('YouTube was off');
    expect(await operator.setOutputEnabled('yt-en', true)).toMatchObject({ ok: true, value: { enabled: true } });
    expect(await operator.setOutputEnabled('no-such-output', true)).toMatchObject({ ok: false });
    expect(youtube.violations).toEqual([]);
  }, 60_000);

  it('a hub without outputs gives the operator an empty list; a console without a hub says so', async () => {
    const h = await roomHub();
    cleanups.push(() => h.close());
    const operator = await joined(h, 'operator');
    expect(await operator.listOutputs()).toEqual({ ok: true, value: [] });
    await operator.disconnectHub();
    expect(await operator.listOutputs()).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  }, 30_000);
});

describe('console in host mode: platform outputs from its settings', () => {
  it('drives the outputs of its settings, shows them to the operator, never hands back a credential, and restarts them on a change', async () => {
    const youtube = await FakeCaptionPlatform.start({ kind: 'youtube' });
    cleanups.push(() => youtube.close());
    const cid = new URL(youtube.url).searchParams.get('cid')!;
    const dataDir = await tempDir();
    const host = await ConsoleCore.create({ dataDir, logger: recordingLogger(), restoreConnection: false });
    cleanups.push(() => host.close());
    const saved = await host.updateSettings({
      hubMode: 'host',
      hostPort: 0,
      hostAddress: '127.0.0.1',
      role: 'operator',
      hostSecret: TEST_SECRET,
      outputs: [
        { kind: 'youtube', id: 'yt-en', room: 'main', channel: 'en', url: youtube.url, minIntervalMs: 200 },
        { kind: 'file', id: 'files-ar', room: 'main', channel: 'ar', dir: 'live' },
      ],
    });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    expect(JSON.stringify(saved)).not.toContain(cid);
    expect((await host.connectHub()).ok).toBe(true);

    expect((await host.publish({ channel: 'en', text: 'Welcome to the plenary.', state: 'final', source: 'typed' })).ok).toBe(true);
    expect((await host.publish({ channel: 'ar', text: 'مرحبا بكم في الجلسة العامة.', state: 'final', source: 'typed' })).ok).toBe(true);
    let list: OutputStatus[] = [];
    await until(async () => {
      const r = await host.listOutputs();
      if (r.ok) list = r.value;
      return list.length === 2 && list.every((o) => o.delivered === 1);
    }, 20_000, 'both outputs of the settings delivered their final');
    expect(list.map((o) => [o.id, o.kind, o.state])).toEqual([
      ['yt-en', 'youtube', 'sending'],
      ['files-ar', 'file', 'sending'],
    ]);
    expect(youtube.texts()).toEqual(['Welcome to the plenary.']);
    // A relative folder is taken in the console's data dir.
    expect(await readFile(join(dataDir, 'live', 'main-ar.current.txt'), 'utf8')).toBe('مرحبا بكم في الجلسة العامة.\n');

    const state = await host.getState();
    expect(state.ok).toBe(true);
    expect(JSON.stringify(state)).not.toContain(cid);
    const shown = state.ok ? state.value.settings.outputs : [];
    expect(shown[0]).toMatchObject({ id: 'yt-en', kind: 'youtube' });
    expect(shown[0]!.kind === 'youtube' && shown[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/closedcaption\?…$/);

    // The list sent back as shown (credential masked) with one change: the stored URL stays, the outputs restart
    // with the hosted hub and go on from where they were (YouTube's seq strictly +1 across the restart).
    const edited = shown.map((o) => (o.id === 'yt-en' ? { ...o, minIntervalMs: 300 } : o));
    const firstHub = state.ok ? state.value.hub.url : null;
    const again = await host.updateSettings({ outputs: edited });
    expect(again.ok, JSON.stringify(again)).toBe(true);
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')).outputs[0]).toMatchObject({ url: youtube.url, minIntervalMs: 300 });
    await until(async () => {
      const r = await host.getState();
      // Port 0: the restarted hub listens on a new port.
      return r.ok && r.value.hub.state === 'connected' && r.value.hub.url !== firstHub;
    }, 20_000, 'relinked to the restarted hosted hub');
    expect((await host.publish({ channel: 'en', text: 'After the restart.', state: 'final', source: 'typed' })).ok).toBe(true);
    await until(() => youtube.texts().includes('After the restart.'), 20_000, 'the restarted output delivered');
    expect(youtube.texts()).toEqual(['Welcome to the plenary.', 'After the restart.']);
    expect(youtube.violations).toEqual([]);

    // Bad input is refused at Save with what is wrong; the stored outputs stay.
    const masked = await host.updateSettings({ outputs: [{ kind: 'youtube', id: 'yt-new', room: 'main', channel: 'en', url: shown[0]!.kind === 'youtube' ? shown[0]!.url : '' }] });
    expect(masked).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(!masked.ok && masked.error.message).toContain('yt-new');
    const noChannel = await host.updateSettings({ outputs: [{ kind: 'file', id: 'files-de', room: 'main', channel: 'de', dir: 'live' }] });
    expect(!noChannel.ok && noChannel.error.message).toMatch(/Platform outputs: output files-de: room main has no channel de/);
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')).outputs.map((o: { id: string }) => o.id)).toEqual(['yt-en', 'files-ar']);
  }, 90_000);
});
