import { copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boothRelay, startCaptionHub, silentHubLogger, type CaptionHub } from '../hub/index';
import type { ConsoleEvents, ConsolePublish } from '../common/console-api';
import type { SttRealtime } from '../common/stt-protocol';
import type { SttSourceFactory } from './stt-source';
import type { ChannelChange } from '../common/protocol';
import { dispatchConsoleCall } from '../common/console-api-dispatch';
import { ensureGeneratedModel } from '../../models/generate-ggml';
import { parseJoinLink } from '../common/join-link';
import { fail, ok } from '../common/result';
import { ConsoleCore, type ConsoleCoreOptions } from './console-core';
import { qrSvgDataUrl } from './hosted-hub';
import { modelResolver } from './model-resolver';
import { cleanupTempDirs, roomHub, tempDir, TestDisplay, TEST_SECRET, toneStt } from './test-support';
import { until, recordingLogger, TcpProxy } from '../hub/test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

async function hub(opts: Parameters<typeof roomHub>[0] = {}): Promise<CaptionHub> {
  const h = await roomHub(opts);
  cleanups.push(() => h.close());
  return h;
}

async function core(options: Partial<ConsoleCoreOptions> & { dataDir?: string } = {}): Promise<ConsoleCore> {
  const c = await ConsoleCore.create({ dataDir: options.dataDir ?? (await tempDir()), logger: recordingLogger(), pingIntervalMs: 500, ...options });
  cleanups.push(() => c.close());
  return c;
}

/** Waits until the console says it is connected to its hub. */
function untilConnected(c: ConsoleCore, timeoutMs?: number, what = 'connected'): Promise<void> {
  return until(async () => {
    const s = await c.getState();
    return s.ok && s.value.hub.state === 'connected';
  }, timeoutMs, what);
}

async function display(url: string, channels: string[]): Promise<TestDisplay> {
  const d = new TestDisplay(url, channels);
  cleanups.push(() => d.close());
  await d.ready();
  return d;
}

/** Resolves with the first event `name` whose payload satisfies `predicate`. */
function nextEvent<E extends keyof ConsoleEvents>(c: ConsoleCore, name: E, predicate: (p: Parameters<ConsoleEvents[E]>[0]) => boolean = () => true, timeoutMs = 15_000): Promise<Parameters<ConsoleEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event`));
    }, timeoutMs);
    const off = c.on(name, ((p: Parameters<ConsoleEvents[E]>[0]) => {
      if (!predicate(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    }) as ConsoleEvents[E]);
  });
}

/**
 * Publishes a committed line and waits for the hub's ack, which comes as a `line:delivery` event after `publish`
 * answered (publish never waits for the hub).
 */
async function publishAcked(c: ConsoleCore, line: Omit<ConsolePublish, 'state'>): Promise<string> {
  const id = line.id ?? `t${Math.random().toString(36).slice(2)}`;
  const recorded = nextEvent(c, 'line:delivery', (e) => e.id === id && e.status === 'recorded');
  const delivered = nextEvent(c, 'line:delivery', (e) => e.id === id && e.what === 'line' && e.status !== 'recorded');
  const r = await c.publish({ ...line, id, state: 'final' });
  expect(r.ok && r.value.status, JSON.stringify(r)).toBe('queued');
  await recorded;
  expect((await delivered).status).toBe('sent');
  return id;
}

async function joinAs(c: ConsoleCore, h: CaptionHub, role: 'booth' | 'operator', channel = 'en'): Promise<void> {
  const s = await c.updateSettings({ hubMode: 'join', hubUrl: h.url, role, channel, room: 'main', secret: TEST_SECRET, label: `${role} ${channel}` });
  expect(s.ok).toBe(true);
  const r = await c.connectHub();
  expect(r.ok, JSON.stringify(r)).toBe(true);
}

describe('ConsoleCore settings', () => {
  it('persists settings across restarts, redacts the secret and never logs it', async () => {
    const dataDir = await tempDir();
    const logger = recordingLogger();
    const hubLogger = recordingLogger();
    const h = await hub({ logger: hubLogger });
    const first = await ConsoleCore.create({ dataDir, logger });
    const secret = 'TopSecret-4242-xyz';
    const updated = await first.updateSettings({ room: 'main', channel: 'ru', label: 'Russian booth A', secret, hubMode: 'join', hubUrl: h.url, voiceReviewMs: 2000 });
    expect(updated.ok).toBe(true);
    if (!updated.ok) return;
    expect(updated.value.hasSecret).toBe(true);
    expect(JSON.stringify(updated.value)).not.toContain(secret);
    expect(updated.value).not.toHaveProperty('secret');
    // A wrong secret for this hub: refused, with a code, and still nothing secret in any log.
    const refused = await first.connectHub();
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('AUTH_BAD_SECRET');
    const state = await first.getState();
    expect(state.ok && state.value.hub.error?.code).toBe('AUTH_BAD_SECRET');
    expect(JSON.stringify(state)).not.toContain(secret);
    // Invalid patches are refused field by field (unknown keys too) where they enter, before the core sees them.
    expect(await dispatchConsoleCall(first, 'updateSettings', [{ voiceReviewMs: -1 }])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(await dispatchConsoleCall(first, 'updateSettings', [{ nonsense: 1 }])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    await first.close();

    const file = join(dataDir, 'settings.json');
    expect(JSON.parse(await readFile(file, 'utf8')).secret).toBe(secret);
    expect((await stat(file)).mode & 0o077).toBe(0);

    const second = await ConsoleCore.create({ dataDir, logger });
    cleanups.push(() => second.close());
    const restored = await second.getState();
    expect(restored.ok).toBe(true);
    if (!restored.ok) return;
    expect(restored.value.settings).toMatchObject({ channel: 'ru', label: 'Russian booth A', hubMode: 'join', voiceReviewMs: 2000, hasSecret: true });
    expect(JSON.stringify(restored.value)).not.toContain(secret);
    expect(logger.lines.length).toBeGreaterThan(3);
    expect(hubLogger.lines.some((l) => l.includes('handshake refused'))).toBe(true);
    for (const line of [...logger.lines, ...hubLogger.lines]) expect(line).not.toContain(secret);
  });
});

describe('settings checked on save', () => {
  it('writes a hub address typed without http:// as a URL, refuses one that is not an address, and refuses a missing model', async () => {
    const h = await hub();
    const models = await tempDir();
    const c = await core({ resolveModel: modelResolver([models]), modelDirs: [models] });
    const saved = await c.updateSettings({ hubMode: 'join', hubUrl: `localhost:${h.port}`, role: 'operator', room: 'main', secret: TEST_SECRET });
    expect(saved.ok && saved.value.hubUrl).toBe(`http://localhost:${h.port}`);
    expect((await c.connectHub()).ok).toBe(true);
    const bad = await c.updateSettings({ hubUrl: `http://localhost:${h.port}/display?room=main` });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS', message: expect.stringMatching(/give it as host:port or http:\/\/host:port/) } });
    const missing = await c.updateSettings({ model: 'ggml-not-here.bin' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND', message: expect.stringContaining('ggml-not-here.bin') } });
    const state = await c.getState();
    expect(state.ok && state.value.settings).toMatchObject({ hubUrl: `http://localhost:${h.port}`, model: '' });
  });

  it('a hub that failed to start is tried again when its settings are corrected, without pressing Connect', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const busy = (blocker.address() as AddressInfo).port;
    const c = await core();
    await c.updateSettings({ hubMode: 'host', hostPort: busy, hostAddress: '127.0.0.1', role: 'operator' });
    const failed = await c.connectHub();
    expect(!failed.ok && failed.error.code).toBe('HOST_FAILED');
    const connected = nextEvent(c, 'hub:status', (s) => s.state === 'connected');
    expect((await c.updateSettings({ hostPort: 0 })).ok).toBe(true);
    expect((await connected).mode).toBe('host');
  });
});

describe('ConsoleCore hub', () => {
  it('keys errors by their condition: HOST_FAILED, AUTH_BAD_SECRET and STT_FAILED leave the snapshot when it ends', async () => {
    const h = await hub();
    let starts = 0;
    const tone = toneStt();
    const c = await core({ ...tone, resolveModel: async (setting) => (++starts === 1 ? fail('MODEL_MISSING', 'No model file here.') : tone.resolveModel!(setting)) });
    const alerts = async (): Promise<string[]> => {
      const s = await c.getState();
      return s.ok ? s.value.alerts.map((a) => `${a.key}:${a.code}`) : ['state failed'];
    };
    // Hosting on a port that is taken fails; hosting on a free one clears it.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    await c.updateSettings({ hubMode: 'host', hostAddress: '127.0.0.1', hostPort: (taken.address() as AddressInfo).port, role: 'operator' });
    expect((await c.connectHub()).ok).toBe(false);
    expect(await alerts()).toEqual(['hub:HOST_FAILED']);
    await c.updateSettings({ hostPort: 0 });
    expect((await c.connectHub()).ok).toBe(true);
    expect(await alerts()).toEqual([]);

    // A wrong secret for a hub elsewhere, then the right one.
    await c.updateSettings({ hubMode: 'join', hubUrl: h.url, room: 'main', secret: 'not-the-secret' });
    await until(async () => (await alerts()).includes('hub:AUTH_BAD_SECRET'), 10_000, 'AUTH_BAD_SECRET');
    await c.updateSettings({ secret: TEST_SECRET });
    await untilConnected(c, 10_000, 'connected');
    expect(await alerts()).toEqual([]);

    // Speech-to-text that failed to start, then started well.
    expect((await c.startSource('floor', {})).ok).toBe(false);
    expect(await alerts()).toEqual(['stt:floor:STT_FAILED']);
    expect((await c.startSource('floor', {})).ok).toBe(true);
    expect(await alerts()).toEqual([]);
  });

  it('hosts a room others can join: the join details carry the room secret, which never leaks into join mode', async () => {
    const host = await core();
    await host.updateSettings({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', role: 'booth', channel: 'ar' });
    expect((await host.connectHub()).ok).toBe(true);
    const state = await host.getState();
    expect(state.ok && state.value.settings).toMatchObject({ hasHostSecret: true, hasSecret: false });
    // A booth with no label goes by a name a person reads.
    expect(state.ok && state.value.label).toMatch(/^Arabic booth [A-Z]$/);
    const details = await host.getJoinDetails();
    expect(details.ok).toBe(true);
    if (!details.ok) return;
    expect(details.value.secret.length).toBeGreaterThanOrEqual(8);
    expect(details.value.link).toBe(`${details.value.hubUrl}/?room=main#secret=${encodeURIComponent(details.value.secret)}`);
    expect(details.value.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(JSON.stringify(state)).not.toContain(details.value.secret);

    // Another console joins with the link: hub, room and secret from it.
    const parsed = parseJoinLink(details.value.link);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const other = await core();
    await other.updateSettings({ hubMode: 'join', hubUrl: parsed.value.hubUrl, room: parsed.value.room, secret: parsed.value.secret, role: 'booth', channel: 'ar' });
    const joined = await other.connectHub();
    expect(joined.ok, JSON.stringify(joined)).toBe(true);
    await until(async () => {
      const s = await host.getState();
      return s.ok && s.value.handover.partners.some((p) => p.online && /^Arabic booth [A-Z]$/.test(p.label));
    }, 10_000, 'the joined console shows as a partner with a readable name');

    // The host switches to joining a hub elsewhere: its own room's secret is not presented there.
    const elsewhere = await hub();
    await host.updateSettings({ hubMode: 'join', hubUrl: elsewhere.url, room: 'main' });
    const refused = await host.connectHub();
    expect(!refused.ok && refused.error.code).toBe('AUTH_MISSING_SECRET');
    expect((await host.getJoinDetails()).ok).toBe(false);
    await host.updateSettings({ secret: TEST_SECRET });
    await untilConnected(host, 10_000, 'joined elsewhere');
  });

  it('moves a room secret that an earlier version kept in the join secret to the hosted room, and out of join mode', async () => {
    const dataDir = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', secret: 'old-room-secret-1', role: 'operator' }));
    const c = await core({ dataDir });
    expect((await c.connectHub()).ok).toBe(true);
    const details = await c.getJoinDetails();
    expect(details.ok && details.value.secret).toBe('old-room-secret-1');
    const state = await c.getState();
    expect(state.ok && state.value.settings).toMatchObject({ hasHostSecret: true, hasSecret: false });
  });

  it('hosts the hub embedded and gives display URLs and a QR code', async () => {
    const c = await core();
    await c.updateSettings({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', role: 'operator' });
    const r = await c.connectHub();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.value.state).toBe('connected');
    const port = new URL(c.hostedHubUrl!).port;
    expect(r.value.displayUrls).toEqual([`http://127.0.0.1:${port}/`]);
    expect(r.value.displayLinks['ar']).toBe(`http://127.0.0.1:${port}/display?room=main&channels=ar`);
    expect(r.value.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(r.value.qrDataUrl!.split(',')[1]!, 'base64').toString('utf8');
    expect(svg).toContain('<svg');
    // It leads phones to the phone page of the room, with its channels to pick from.
    expect(r.value.qrDataUrl).toBe(await qrSvgDataUrl(`http://127.0.0.1:${port}/display?room=main&channels=ar,en,ru,floor&view=phone`));
    // The hub answers on those URLs, and a secret was generated for the room (but is not shown).
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const state = await c.getState();
    expect(state.ok && state.value.settings.hasHostSecret).toBe(true);
    // Latency comes from a real ping round trip.
    await until(async () => {
      const s = await c.getState();
      return s.ok && s.value.hub.latencyMs !== null;
    }, 10_000, 'a latency figure');
    await publishAcked(c, { channel: 'floor', text: 'Hosted line', source: 'typed' });
    const d = await display(c.hostedHubUrl!, ['floor']);
    await d.until(() => d.lines.size === 1);
    expect([...d.lines.values()][0]!.text).toBe('Hosted line');
    await c.disconnectHub();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('joins a hub as operator: publish, revise, clear and notice reach a display', async () => {
    const h = await hub();
    const c = await core();
    await joinAs(c, h, 'operator');
    const d = await display(h.url, ['en', 'ru']);
    const partial = await c.publish({ channel: 'en', text: 'Ladies and', state: 'partial', source: 'typed' });
    expect(partial.ok).toBe(true);
    if (!partial.ok) return;
    const id = partial.value.id;
    await d.until(() => d.partials.some((p) => p.line.text === 'Ladies and'));
    await publishAcked(c, { channel: 'en', id, text: 'Ladies and gentlemen.', source: 'typed' });
    await d.until(() => d.lines.get(id)?.text === 'Ladies and gentlemen.');
    const rev = await c.revise({ channel: 'en', id, text: 'Ladies and gentlemen, welcome.' });
    expect(rev.ok).toBe(true);
    await d.until(() => d.lines.get(id)?.revision === 1);
    expect(d.lines.get(id)!.text).toBe('Ladies and gentlemen, welcome.');
    await c.publish({ channel: 'ru', text: 'Дамы и господа.', state: 'final', source: 'typed' });
    const hubChanged = nextEvent(c, 'hub:changed', (ch) => ch.kind === 'cleared');
    expect((await c.clearChannel('en')).ok).toBe(true);
    await d.until(() => d.changes.some((ch) => ch.kind === 'cleared' && ch.channel === 'en'));
    expect((await hubChanged).channel).toBe('en');
    const notice = nextEvent(c, 'hub:notice', (n) => n.text === 'Please take your seats');
    expect((await c.showNotice('Please take your seats', 60_000)).ok).toBe(true);
    await notice;
    // The room view shows what displays show.
    const view = await c.getRoomView();
    expect(view.ok).toBe(true);
    if (view.ok) {
      const ru = view.value.channels.find((s) => s.channel === 'ru')!;
      expect(ru.changes.map((ch) => ch.kind === 'committed' && ch.line.text)).toEqual(['Дамы и господа.']);
    }
    // The session record has what went out.
    const srt = await c.exportSession('en', 'txt');
    expect(srt.ok && srt.value).toBe('Ladies and gentlemen, welcome.\n');
  });

  it('sends a channel in order: the partial of the next line never overtakes a final waiting for the session record', async () => {
    const h = await hub();
    const c = await core();
    await joinAs(c, h, 'operator');
    const d = await display(h.url, ['floor']);
    // As speech-to-text publishes: a line's final, then at once the partial of the next line, ten times over.
    const sends: Promise<unknown>[] = [];
    for (let i = 1; i <= 10; i++) {
      sends.push(c.publish({ channel: 'floor', id: `l${i}`, text: `line ${i} complete`, state: 'final', source: 'floor-stt' }));
      sends.push(c.publish({ channel: 'floor', id: `l${i + 1}`, text: `line ${i + 1} growing`, state: 'partial', source: 'floor-stt' }));
    }
    await Promise.all(sends);
    await d.until(() => d.lines.size === 10 && d.partials.some((p) => p.line.id === 'l11'));
    // Each partial of line n+1 arrived after line n was committed.
    for (const p of d.partials.filter((u) => u.line.id !== 'l1')) {
      const n = Number(p.line.id.slice(1)) - 1;
      const committed = d.changes.find((ch) => ch.kind === 'committed' && ch.line.id === `l${n}`)!;
      expect(p.cursor, `the partial of l${n + 1} came after l${n} was committed`).toBeGreaterThanOrEqual(committed.cursor);
    }
  });

  it('resends what was not acknowledged after a hub restart: nothing missing or doubled at a display', async () => {
    const hubData = await tempDir();
    let h = await roomHub({ dataDir: hubData });
    const port = h.port;
    cleanups.push(() => h.close());
    const c = await core({ ackWaitMs: 1000, resendAfterMs: 1500 });
    await joinAs(c, h, 'booth', 'en');
    await until(async () => {
      const s = await c.getState();
      return s.ok && s.value.handover.onAir;
    }, 10_000, 'booth on air');
    const d = await display(h.url, ['en']);
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push(await publishAcked(c, { channel: 'en', text: `Line ${i}`, source: 'typed' }));
    await d.until(() => d.lines.size === 5);
    await h.close();
    // Offline: the interpreter keeps typing; lines queue in order.
    for (let i = 6; i <= 10; i++) {
      const r = await c.publish({ channel: 'en', text: `Line ${i}`, state: 'final', source: 'typed' });
      expect(r.ok && r.value.status).toBe('queued');
      if (r.ok) ids.push(r.value.id);
    }
    const pending = await c.getState();
    expect(pending.ok && pending.value.hub.outboxPending).toBe(5);
    h = await roomHub({ dataDir: hubData, port });
    await d.until(() => d.lines.size === 10, 30_000, 'all ten lines after the restart');
    expect(d.commits).toEqual(ids);
    expect([...d.lines.values()].map((l) => l.text)).toEqual(ids.map((_, i) => `Line ${i + 1}`));
    await until(async () => {
      const s = await c.getState();
      return s.ok && s.value.hub.outboxPending === 0 && s.value.hub.state === 'connected';
    }, 15_000, 'an empty outbox');
    // The hub's own history agrees: ten lines, once each.
    const exported = await fetch(`${h.url}/export/main/en.txt`).then((r) => r.text());
    expect(exported.trim().split('\n')).toEqual(ids.map((_, i) => `Line ${i + 1}`));
  });

  it('refuses an unusable hub address or a missing model at Save, and tries fixed settings at once after a failed connect', async () => {
    const c = await core({ resolveModel: async (s) => (s === 'base' ? ok('/models/ggml-base.bin') : fail('STT_FAILED', `No model "${s}" in /models.`)) });
    const bare = await c.updateSettings({ hubUrl: '192.168.1.20:7300' });
    expect(bare.ok && bare.value.hubUrl).toBe('http://192.168.1.20:7300');
    const ftp = await c.updateSettings({ hubUrl: 'ftp://192.168.1.20' });
    expect(!ftp.ok && ftp.error).toMatchObject({ code: 'INVALID_ARGUMENTS', message: expect.stringContaining('http://') });
    const missing = await c.updateSettings({ model: 'large' });
    expect(!missing.ok && missing.error).toMatchObject({ code: 'MODEL_NOT_FOUND', message: 'No model "large" in /models.' });
    expect((await c.updateSettings({ model: 'base' })).ok).toBe(true);
    const s = await c.getState();
    expect(s.ok && [s.value.settings.hubUrl, s.value.settings.model]).toEqual(['http://192.168.1.20:7300', 'base']);

    // Hosting fails on a taken port; the fixed port is hosted on Save, without another Connect.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    await c.updateSettings({ hubMode: 'host', hostAddress: '127.0.0.1', hostPort: (taken.address() as AddressInfo).port, role: 'operator' });
    expect((await c.connectHub()).ok).toBe(false);
    const up = nextEvent(c, 'hub:status', (st) => st.state === 'connected');
    expect((await c.updateSettings({ hostPort: 0 })).ok).toBe(true);
    await up;
  });

  it('reconnects by itself when the hub settings change while connected', async () => {
    const a = await hub();
    const b = await hub();
    const c = await core();
    await joinAs(c, a, 'operator');
    const onB = await display(b.url, ['en']);
    const moved = nextEvent(c, 'hub:status', (s) => s.state === 'connected' && s.url === b.url);
    expect((await c.updateSettings({ hubUrl: b.url })).ok).toBe(true);
    await moved;
    await publishAcked(c, { channel: 'en', text: 'Now on hub B', source: 'typed' });
    await onB.until(() => onB.lines.size === 1);
    await until(() => a.health().connections === 0, 10_000, 'nobody left on hub A');
  });

  it('mutes a channel room-wide: lines are held, visible, kept across a restart, and leave only when released or discarded', async () => {
    const h = await hub();
    const opDir = await tempDir();
    let c = await core({ dataDir: opDir });
    const booth = await core();
    await joinAs(c, h, 'operator');
    await joinAs(booth, h, 'booth', 'ru');
    await until(async () => {
      const s = await booth.getState();
      return s.ok && s.value.handover.onAir;
    }, 10_000, 'ru booth on air');
    const d = await display(h.url, ['ru', 'en']);
    const boothHears = new Promise<void>((resolve) =>
      booth.on('state:changed', (s) => {
        if (s.hubMutedChannels?.includes('ru')) resolve();
      }),
    );
    expect((await c.setChannelMuted('ru', true)).ok).toBe(true);
    await boothHears;
    const held1 = await c.publish({ channel: 'ru', text: 'Первая', state: 'final', source: 'typed' });
    const heldPartial = await booth.publish({ channel: 'ru', text: 'Втор', state: 'partial', source: 'typed' });
    const held2 = await booth.publish({ channel: 'ru', id: 'booth-ru-2', text: 'Вторая', state: 'final', source: 'typed' });
    expect([held1, heldPartial, held2].map((r) => r.ok && r.value.status)).toEqual(['held', 'held', 'held']);
    // Held lines are in the record (on disk) and visible with their text.
    expect(held2.ok && held2.value.saved).toBe(true);
    const state = await c.getState();
    expect(state.ok && state.value.heldByMute).toEqual({ ru: 1 });
    expect(state.ok && state.value.held.map((l) => l.text)).toEqual(['Первая']);
    expect(state.ok && state.value.settings.mutedChannels).toEqual(['ru']);
    const boothState = await booth.getState();
    expect(boothState.ok && boothState.value.held.map((l) => [l.id, l.text, l.channel])).toEqual([['booth-ru-2', 'Вторая', 'ru']]);
    // A booth can neither mute nor release while the channel is muted; other channels are not affected.
    expect((await booth.setChannelMuted('ru', false)).ok).toBe(false);
    const early = await booth.releaseHeld({ channel: 'ru' });
    expect(!early.ok && early.error.code).toBe('CHANNEL_MUTED');
    await c.publish({ channel: 'en', text: 'English goes out', state: 'final', source: 'typed' });
    await d.until(() => d.lines.size === 1);
    expect(d.partials.filter((p) => p.channel === 'ru')).toHaveLength(0);

    // The operator console restarts: its held line is still held.
    await c.close();
    c = await core({ dataDir: opDir });
    await untilConnected(c, 15_000, 'operator back');
    const restored = await c.getState();
    expect(restored.ok && restored.value.held.map((l) => l.text)).toEqual(['Первая']);

    // Unmuting releases nothing by itself.
    const boothUnmuted = new Promise<void>((resolve) =>
      booth.on('state:changed', (s) => {
        if (!s.hubMutedChannels?.includes('ru')) resolve();
      }),
    );
    expect((await c.setChannelMuted('ru', false)).ok).toBe(true);
    await boothUnmuted;
    await new Promise((r) => setTimeout(r, 1000));
    expect(d.lines.size).toBe(1);

    // The booth releases its line (it goes out); the operator discards its own (it never goes out).
    const delivered = nextEvent(booth, 'line:delivery', (e) => e.id === 'booth-ru-2' && e.status === 'sent');
    expect(await booth.releaseHeld({ channel: 'ru' })).toEqual({ ok: true, value: { lines: 1 } });
    await delivered;
    expect(await c.discardHeld({ channel: 'ru' })).toEqual({ ok: true, value: { lines: 1 } });
    await d.until(() => d.lines.size === 2);
    await new Promise((r) => setTimeout(r, 500));
    expect([...d.lines.values()].map((l) => l.text)).toEqual(['English goes out', 'Вторая']);
    const after = await c.getState();
    expect(after.ok && after.value.held).toEqual([]);
    expect(await booth.exportSession('ru', 'txt')).toEqual({ ok: true, value: 'Вторая\n' });
    expect(await c.exportSession('ru', 'txt')).toEqual({ ok: true, value: '' });
  });

  it('holds a line the hub refuses because the channel is muted (a mute the console had not heard of): shown held, not an error, not exported until released', async () => {
    // The hub knows a mute the consoles were not told of (as when the mute reaches the hub just before the
    // line): only the hub's refusal can hold the line.
    let mutedAtHub = true;
    const h = await startCaptionHub({
      port: 0,
      host: '127.0.0.1',
      rooms: [{ id: 'main', secret: TEST_SECRET }],
      logger: silentHubLogger,
      features: [boothRelay(), { name: 'mute the consoles did not hear of', muted: (_room, channel) => mutedAtHub && channel === 'ru' }],
    });
    cleanups.push(() => h.close());
    const booth = await core();
    await joinAs(booth, h, 'booth', 'ru');
    await until(async () => {
      const s = await booth.getState();
      return s.ok && s.value.handover.onAir;
    }, 10_000, 'ru booth on air');
    const d = await display(h.url, ['ru']);
    const errors: string[] = [];
    booth.on('console:error', (e) => errors.push(e.code));

    const held = nextEvent(booth, 'line:delivery', (e) => e.id === 'ru-1' && e.status !== 'recorded');
    const r = await booth.publish({ channel: 'ru', id: 'ru-1', text: 'Первая', state: 'final', source: 'typed' });
    expect(r.ok && r.value.status).toBe('queued');
    expect((await held).status).toBe('held');
    await booth.publish({ channel: 'ru', text: 'Втор', state: 'partial', source: 'typed' });
    const held2 = nextEvent(booth, 'line:delivery', (e) => e.id === 'ru-2' && e.status !== 'recorded');
    await booth.publish({ channel: 'ru', id: 'ru-2', text: 'Вторая', state: 'final', source: 'typed' });
    expect((await held2).status).toBe('held');
    const state = await booth.getState();
    expect(state.ok && state.value.held.map((l) => [l.id, l.text])).toEqual([['ru-1', 'Первая'], ['ru-2', 'Вторая']]);
    expect(state.ok && state.value.hub.delivery.state).not.toBe('failing');
    expect(errors).toEqual([]);
    expect(await booth.exportSession('ru', 'txt')).toEqual({ ok: true, value: '' });
    await new Promise((r) => setTimeout(r, 300));
    expect(d.lines.size).toBe(0);
    expect(d.partials).toHaveLength(0);

    // A held line waits for a person, across the unmute; released, it goes out in order and is exported.
    mutedAtHub = false;
    const sent = nextEvent(booth, 'line:delivery', (e) => e.id === 'ru-2' && e.status === 'sent');
    expect(await booth.releaseHeld({ channel: 'ru' })).toEqual({ ok: true, value: { lines: 2 } });
    await sent;
    await d.until(() => d.lines.size === 2);
    expect([...d.lines.values()].map((l) => l.text)).toEqual(['Первая', 'Вторая']);
    expect(await booth.exportSession('ru', 'txt')).toEqual({ ok: true, value: 'Первая\nВторая\n' });
  });

  it('hands a booth channel over between the two consoles of a booth, with confirmation on both sides', async () => {
    const h = await hub();
    const a = await core();
    const b = await core();
    await joinAs(a, h, 'booth', 'ar');
    await until(async () => {
      const s = await a.getState();
      return s.ok && s.value.handover.onAir;
    }, 10_000, 'A on air');
    await joinAs(b, h, 'booth', 'ar');
    const d = await display(h.url, ['ar']);
    // B is not on air: its lines are refused locally, nothing reaches the display.
    await untilConnected(b);
    const refused = await b.publish({ channel: 'ar', text: 'ليس على الهواء', state: 'final', source: 'typed' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('NOT_ON_AIR');
    expect((await a.publish({ channel: 'ar', text: 'من المترجم الأول', state: 'final', source: 'typed' })).ok).toBe(true);

    const asked = nextEvent(a, 'handover:requested');
    const aDone = nextEvent(a, 'handover:completed');
    const bDone = nextEvent(b, 'handover:completed');
    expect((await b.requestHandover()).ok).toBe(true);
    const request = await asked;
    expect(request.fromLabel).toBe('booth ar');
    const aState = await a.getState();
    expect(aState.ok && aState.value.handover.incoming?.requestId).toBe(request.requestId);
    expect((await a.respondHandover(true)).ok).toBe(true);
    expect(await aDone).toMatchObject({ outcome: 'accepted', onAir: false, channel: 'ar' });
    expect(await bDone).toMatchObject({ outcome: 'accepted', onAir: true, channel: 'ar' });

    await publishAcked(b, { channel: 'ar', text: 'من المترجم الثاني', source: 'typed' });
    const fromA = await a.publish({ channel: 'ar', text: 'بعد التسليم', state: 'final', source: 'typed' });
    expect(!fromA.ok && fromA.error.code).toBe('NOT_ON_AIR');
    await d.until(() => d.lines.size === 2);
    expect([...d.lines.values()].map((l) => l.text)).toEqual(['من المترجم الأول', 'من المترجم الثاني']);

    // A declined request changes nothing.
    const bAsked = nextEvent(b, 'handover:requested');
    const aDeclined = nextEvent(a, 'handover:completed');
    expect((await a.requestHandover()).ok).toBe(true);
    await bAsked;
    expect((await b.respondHandover(false)).ok).toBe(true);
    expect(await aDeclined).toMatchObject({ outcome: 'declined', onAir: false });
    const bState = await b.getState();
    expect(bState.ok && bState.value.handover.onAir).toBe(true);
    // The room's operator follows the booth: B on air, A online; it has no partners of its own.
    const op = await core();
    await joinAs(op, h, 'operator', 'floor');
    await until(async () => {
      const s = await op.getState();
      const members = s.ok ? (s.value.handover.booths['ar'] ?? []) : [];
      return members.length === 2 && members.every((m) => m.online) && members.filter((m) => m.onAir).length === 1;
    }, 10_000, 'operator sees the booth');
    const opState = await op.getState();
    expect(opState.ok && opState.value.handover.partners).toEqual([]);
    const aAfter = await a.getState();
    expect(aAfter.ok && Object.keys(aAfter.value.handover.booths)).toEqual(['ar']);
  });

  it('lets the on-air console offer its channel, shows each the partner, and commits a half line at the handover', async () => {
    const h = await hub();
    const a = await core();
    const b = await core();
    await joinAs(a, h, 'booth', 'en');
    await until(async () => {
      const s = await a.getState();
      return s.ok && s.value.handover.onAir;
    }, 10_000, 'A on air');
    await joinAs(b, h, 'booth', 'en');
    const d = await display(h.url, ['en']);
    // Each console sees the other: B sees A on air, A sees B online.
    await until(async () => {
      const [sa, sb] = [await a.getState(), await b.getState()];
      return (
        sa.ok && sb.ok &&
        JSON.stringify(sa.value.handover.partners.map((p) => [p.label, p.online, p.onAir])) === JSON.stringify([['booth en', true, false]]) &&
        JSON.stringify(sb.value.handover.partners.map((p) => [p.label, p.online, p.onAir])) === JSON.stringify([['booth en', true, true]])
      );
    }, 10_000, 'partners');

    // A is mid-line when it offers the channel and B takes it: the half line is committed, not left as a partial.
    expect((await a.publish({ channel: 'en', id: 'half-1', text: 'and the next speaker', state: 'partial', source: 'typed' })).ok).toBe(true);
    await d.until(() => d.partials.some((p) => p.line.text === 'and the next speaker'));
    const offered = nextEvent(b, 'handover:requested');
    expect((await a.offerHandover()).ok).toBe(true);
    expect(await offered).toMatchObject({ kind: 'offer', channel: 'en' });
    const aOff = nextEvent(a, 'handover:completed');
    expect((await b.respondHandover(true)).ok).toBe(true);
    expect(await aOff).toMatchObject({ outcome: 'accepted', onAir: false });
    await d.until(() => d.lines.get('half-1')?.text === 'and the next speaker', 10_000, 'half line committed');
    const bState = await b.getState();
    expect(bState.ok && bState.value.handover.onAir).toBe(true);

    // A asks for it back and cancels before B answers: nothing changes, nothing waits on either side.
    const asked = nextEvent(b, 'handover:requested');
    expect((await a.requestHandover()).ok).toBe(true);
    expect(await asked).toMatchObject({ kind: 'request' });
    const cancelled = nextEvent(b, 'handover:completed');
    expect((await a.cancelHandover()).ok).toBe(true);
    expect(await cancelled).toMatchObject({ outcome: 'cancelled', onAir: true });
    await until(async () => {
      const [sa, sb] = [await a.getState(), await b.getState()];
      return sa.ok && sb.ok && sa.value.handover.outgoing === null && sb.value.handover.incoming === null;
    }, 5_000, 'nothing waiting');

    // B's console goes away: A sees its partner offline.
    await b.close();
    await until(async () => {
      const s = await a.getState();
      return s.ok && s.value.handover.partners.length === 1 && !s.value.handover.partners[0]!.online;
    }, 10_000, 'partner offline');
  });

  it('keeps publishing when the session record cannot be written, and says so', async () => {
    const h = await hub();
    const dataDir = await tempDir();
    const { mkdir, symlink, writeFile } = await import('node:fs/promises');
    // The console reopens session "s-full", whose journal is a full disk.
    await writeFile(join(dataDir, 'console-state.json'), JSON.stringify({ clientId: 'c-fulltest', sessionId: 's-full', hubWanted: false, onAir: false }));
    await mkdir(join(dataDir, 'sessions', 's-full'), { recursive: true });
    await symlink('/dev/full', join(dataDir, 'sessions', 's-full', 'journal.jsonl'));
    const c = await core({ dataDir });
    await joinAs(c, h, 'operator');
    const d = await display(h.url, ['en']);
    const r = await c.publish({ channel: 'en', text: 'Disk full, captions still flow', state: 'final', source: 'typed' });
    // Queued, but not saved: the page can say the line is not in the record.
    expect(r.ok && r.value).toMatchObject({ status: 'queued', saved: false });
    await d.until(() => d.lines.size === 1);
    const s = await c.getState();
    expect(s.ok && s.value.session.error?.code).toBe('SESSION_WRITE_FAILED');
    expect(s.ok && s.value.session.error?.message).toMatch(/disk is full/);
    expect(s.ok && s.value.session.lines).toEqual({ en: 1 });
  });

  it('notices a silently dead network by its pings, reconnects and resends: nothing missing or doubled', async () => {
    const h = await hub();
    // A TCP relay in front of the hub whose current flows can be frozen (a switch reboot: no FIN, no RST).
    const relay = await TcpProxy.start(h.port);
    cleanups.push(() => relay.close());
    const relayUrl = relay.url;
    const c = await core({ pingIntervalMs: 300, pingTimeoutMs: 700, ackWaitMs: 300, resendAfterMs: 1000 });
    // The console's own room view (through the same frozen relay) must catch up too: each change once, in order.
    const viewed: ChannelChange[] = [];
    c.on('hub:changed', (change) => change.channel === 'en' && viewed.push(change));
    await c.updateSettings({ hubMode: 'join', hubUrl: relayUrl, role: 'operator', channel: 'en', room: 'main', secret: TEST_SECRET });
    expect((await c.connectHub()).ok).toBe(true);
    await until(async () => {
      const s = await c.getState();
      return s.ok && s.value.hub.latencyMs !== null;
    }, 10_000, 'a first ping answer');
    const d = await display(h.url, ['en']);
    await publishAcked(c, { channel: 'en', text: 'Before the freeze', source: 'typed' });
    // Freeze the flows that exist now; new connections pass again.
    relay.silence();
    const reconnected = nextEvent(c, 'hub:status', (s) => s.state === 'connecting', 15_000);
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = await c.publish({ channel: 'en', text: `While frozen ${i}`, state: 'final', source: 'typed' });
      expect(r.ok && r.value.status).toBe('queued');
      if (r.ok) ids.push(r.value.id);
    }
    await reconnected;
    await d.until(() => d.lines.size === 4, 20_000, 'the lines typed while frozen');
    expect([...d.lines.values()].map((l) => l.text)).toEqual(['Before the freeze', 'While frozen 1', 'While frozen 2', 'While frozen 3']);
    expect(new Set(d.commits).size).toBe(4);
    await until(() => viewed.length === 4, 20_000, 'the room view caught up');
    expect(viewed.map((v) => v.kind === 'committed' && v.line.text)).toEqual(['Before the freeze', 'While frozen 1', 'While frozen 2', 'While frozen 3']);
    expect(viewed.map((v) => v.cursor - viewed[0]!.cursor)).toEqual([0, 1, 2, 3]);
  });

  it('after a console restart, sends the committed lines the hub never acknowledged, once', async () => {
    const hubData = await tempDir();
    let h = await roomHub({ dataDir: hubData });
    const port = h.port;
    cleanups.push(() => h.close());
    const dataDir = await tempDir();
    const first = await ConsoleCore.create({ dataDir, logger: recordingLogger(), ackWaitMs: 500 });
    await joinAs(first, h, 'operator');
    await publishAcked(first, { channel: 'en', text: 'Acknowledged before', source: 'typed' });
    await h.close();
    const queued = await first.publish({ channel: 'en', text: 'Typed while the hub was down', state: 'final', source: 'typed' });
    expect(queued.ok && queued.value.status).toBe('queued');
    // The console goes away with the line still in its outbox (in memory only).
    await first.close();
    h = await roomHub({ dataDir: hubData, port });
    const d = await display(h.url, ['en']);
    const second = await core({ dataDir });
    await d.until(() => d.lines.size === 2, 20_000, 'the unacknowledged line');
    expect([...d.lines.values()].map((l) => l.text)).toEqual(['Acknowledged before', 'Typed while the hub was down']);
    expect(new Set(d.commits).size).toBe(d.commits.length);
    // Now acknowledged: a third start sends nothing again.
    await until(async () => {
      const s = await second.getState();
      return s.ok && s.value.hub.outboxPending === 0 && s.value.hub.state === 'connected';
    });
    await second.close();
    const third = await core({ dataDir });
    await untilConnected(third);
    const exported = await fetch(`${h.url}/export/main/en.txt`).then((r) => r.text());
    expect(exported.trim().split('\n')).toEqual(['Acknowledged before', 'Typed while the hub was down']);
    expect(d.commits).toHaveLength(2);
  });

  it("never sends a room's unacknowledged lines to another room, live or after a restart", async () => {
    const hubData = await tempDir();
    let h = await roomHub({ dataDir: hubData, rooms: ['main', 'side'] });
    const port = h.port;
    cleanups.push(() => h.close());
    const dataDir = await tempDir();
    const first = await ConsoleCore.create({ dataDir, logger: recordingLogger(), ackWaitMs: 500 });
    await joinAs(first, h, 'operator');
    await publishAcked(first, { channel: 'en', text: 'Acknowledged in main', source: 'typed' });
    await h.close();
    const queued = await first.publish({ channel: 'en', text: 'Meant for main', state: 'final', source: 'typed' });
    expect(queued.ok && queued.value.status).toBe('queued');
    // The console is moved to the side room by hand while the hub is away, then restarts there.
    expect((await first.updateSettings({ room: 'side' })).ok).toBe(true);
    await first.close();
    h = await roomHub({ dataDir: hubData, port, rooms: ['main', 'side'] });
    const side = new TestDisplay(h.url, ['en'], 'side');
    cleanups.push(() => side.close());
    const second = await core({ dataDir });
    await untilConnected(second);
    await publishAcked(second, { channel: 'en', text: 'Said in side', source: 'typed' });
    // A reconnect to the side room resends what side never acknowledged: still not main's line.
    await h.close();
    h = await roomHub({ dataDir: hubData, port, rooms: ['main', 'side'] });
    await untilConnected(second, 20_000);
    await side.until(() => side.lines.size >= 1, 20_000, "side's line");
    await new Promise((r) => setTimeout(r, 1000));
    expect([...side.lines.values()].map((l) => l.text)).toEqual(['Said in side']);
    const mainExport = await fetch(`${h.url}/export/main/en.txt`).then((r) => r.text());
    expect(mainExport.trim().split('\n')).toEqual(['Acknowledged in main']);
    const sideExport = await fetch(`${h.url}/export/side/en.txt`).then((r) => r.text());
    expect(sideExport.trim().split('\n')).toEqual(['Said in side']);
  });

  it('reopens where it was: same session, the record restored, reconnected to the hub', async () => {
    const h = await hub();
    const dataDir = await tempDir();
    const first = await ConsoleCore.create({ dataDir, logger: recordingLogger() });
    await joinAs(first, h, 'operator');
    await first.publish({ channel: 'floor', text: 'Before the crash', state: 'final', source: 'typed' });
    const before = await first.getState();
    // No close() before the second start: as after a crash, nothing more is saved by the first console (whose
    // lock the second takes over: a crashed console's pid is gone, this one's is the test's own).
    cleanups.push(() => first.close());
    const second = await core({ dataDir, takeOverOwnLock: true });
    const after = await second.getState();
    expect(after.ok && before.ok && after.value.session.id).toBe(before.ok ? before.value.session.id : '');
    expect(after.ok && after.value.session.recovered).toBe(1);
    await untilConnected(second, 15_000, 'reconnected after restart');
    const txt = await second.exportSession('floor', 'txt');
    expect(txt.ok && txt.value).toBe('Before the crash\n');
  });
});

describe('models in the settings', () => {
  it('lists the model folders (first folder wins), imports a file into the first, refuses a corrupt one', async () => {
    const own = await tempDir('tarjuman-models-own-');
    const shipped = await tempDir('tarjuman-models-app-');
    const model = await ensureGeneratedModel('test');
    await copyFile(model, join(shipped, 'ggml-tiny.bin'));
    await copyFile(model, join(own, 'ggml-tiny.bin'));
    await writeFile(join(shipped, 'broken.bin'), 'not a model');
    const c = await core({ modelDirs: [own, shipped] });

    const listed = await c.listModels();
    expect(listed.ok).toBe(true);
    const models = listed.ok ? listed.value : [];
    expect(models.map((m) => [m.file, m.path, m.valid])).toEqual([
      ['ggml-tiny.bin', join(own, 'ggml-tiny.bin'), true],
      ['broken.bin', join(shipped, 'broken.bin'), false],
    ]);
    expect(models[0]!.description).toMatch(/multilingual, f16, 8 MiB/);
    // What the floor panel's offer of a smaller model compares (model-choice.ts): read from the file's header.
    expect(models[0]).toMatchObject({ multilingual: true, fileBytes: (await stat(join(own, 'ggml-tiny.bin'))).size });
    expect(models[0]!.work).toBeGreaterThan(0);
    expect(models[1]!.work).toBeUndefined();
    expect(models[1]!.description).toMatch(/ggml|model|truncated|small/i);

    const usb = await tempDir('tarjuman-usb-');
    await copyFile(model, join(usb, 'ggml-base-q8_0.bin'));
    const imported = await c.importModel(join(usb, 'ggml-base-q8_0.bin'));
    expect(imported).toMatchObject({ ok: true, value: { file: 'ggml-base-q8_0.bin', path: join(own, 'ggml-base-q8_0.bin'), valid: true } });
    await writeFile(join(usb, 'ggml-small.bin'), Buffer.alloc(4096, 7));
    const refused = await c.importModel(join(usb, 'ggml-small.bin'));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.code).toMatch(/^MODEL_/);
    expect((await readdir(own)).sort()).toEqual(['ggml-base-q8_0.bin', 'ggml-tiny.bin']);
    const after = await c.listModels();
    expect(after.ok && after.value.map((m) => m.file)).toContain('ggml-base-q8_0.bin');
    // The imported file name is what the Model setting takes: the model lookup finds it in the first folder.
    expect(await modelResolver([own, shipped])('ggml-base-q8_0.bin')).toEqual({ ok: true, value: join(own, 'ggml-base-q8_0.bin') });

    const none = await core();
    expect(await none.importModel(join(usb, 'ggml-base-q8_0.bin'))).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(await none.listModels()).toEqual({ ok: true, value: [] });
  });

  it('remembers whether this machine kept up with a model, and shows it in the model list and the snapshot after a restart', async () => {
    const own = await tempDir('tarjuman-models-own-');
    const model = await ensureGeneratedModel('test');
    await copyFile(model, join(own, 'ggml-small.bin'));
    await copyFile(model, join(own, 'ggml-base.bin'));
    const dataDir = await tempDir();
    // A source that reports as the stream does: measuring first, then the verdict of its first minute.
    const reports: ((realtime: SttRealtime) => void)[] = [];
    const sttFactory: SttSourceFactory = (_request, events) => {
      events.status({ type: 'status', state: 'ready' });
      reports.push((realtime) => events.status({ type: 'status', state: 'busy', realtime }));
      return { push: () => undefined, setGlossary: () => undefined, setLanguage: () => undefined, stop: async () => undefined };
    };
    const realtime = (verdict: SttRealtime['verdict'], rtf: number): SttRealtime => ({
      verdict, level: verdict === 'behind' ? 'shorter-buffer' : 'normal', stepSeconds: 2, bufferCapSeconds: 4, rtf, measuredSeconds: 60,
      lagSeconds: 2, maxLagSeconds: 4, droppedSeconds: 0, glossaryTerms: 15,
    });
    const options = { dataDir, modelDirs: [own], resolveModel: modelResolver([own]), sttFactory };
    const first = await ConsoleCore.create({ ...options, logger: recordingLogger() });
    cleanups.push(() => first.close());
    expect((await first.updateSettings({ model: 'ggml-small.bin' })).ok).toBe(true);
    expect((await first.startSource('floor', {})).ok).toBe(true);
    reports.at(-1)!(realtime('measuring', 0.5));
    let state = await first.getState();
    expect(state.ok && state.value.modelRun).toBeUndefined();
    reports.at(-1)!(realtime('behind', 0.61));
    state = await first.getState();
    expect(state.ok && state.value.modelRun).toMatchObject({ model: 'ggml-small.bin', verdict: 'behind', rtf: 0.61, glossaryTerms: 15 });
    await first.close();

    const second = await core({ ...options });
    const listed = await second.listModels();
    expect(listed.ok && listed.value.map((m) => [m.file, m.lastRun?.verdict])).toEqual([['ggml-base.bin', undefined], ['ggml-small.bin', 'behind']]);
    state = await second.getState();
    expect(state.ok && state.value.modelRun).toMatchObject({ model: 'ggml-small.bin', verdict: 'behind' });
    // Another model chosen: the snapshot speaks of that one (none run here yet), then of its own run.
    expect((await second.updateSettings({ model: 'ggml-base.bin' })).ok).toBe(true);
    state = await second.getState();
    expect(state.ok && state.value.modelRun).toBeUndefined();
    expect((await second.startSource('floor', {})).ok).toBe(true);
    reports.at(-1)!(realtime('keeps-up', 0.27));
    state = await second.getState();
    expect(state.ok && state.value.modelRun).toMatchObject({ model: 'ggml-base.bin', verdict: 'keeps-up', rtf: 0.27 });
    // A report of a source stopped since is not taken.
    const stale = reports.at(-1)!;
    expect((await second.stopSource('floor')).ok).toBe(true);
    stale(realtime('behind', 0.9));
    state = await second.getState();
    expect(state.ok && state.value.modelRun).toMatchObject({ model: 'ggml-base.bin', verdict: 'keeps-up' });
  });
});
