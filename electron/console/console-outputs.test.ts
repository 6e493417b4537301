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
