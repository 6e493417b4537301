/**
 * Faults the hub must survive: its process killed mid-session, a display's and a booth's network dropping
 * while the interpreter keeps typing, and a full disk under the journal.
 *
 * The network drop lasts `TARJUMAN_DROP_MS` (default 4000 ms, to keep the suite fast); run it with
 * `TARJUMAN_DROP_MS=30000 npx vitest run electron/hub/faults.test.ts` for the 30 s drop of the issue.
 */
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectHubClient, hubRequest, type HubClientSocket } from './hub-client';
import { journalFile } from './history-store';
import { startTestHub, TEST_ROOMS, until } from './test-support';
import { ResendingBooth, spawnHub, TcpProxy, watchDisplay as watchDisplayAt, type HubProcess, type WatchedDisplay } from './test-support';

const DROP_MS = Number(process.env['TARJUMAN_DROP_MS'] ?? 4000);
const SECRET = 'faults-secret-8812';
const sockets: HubClientSocket[] = [];
const hubs: HubProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function watchDisplay(url: string, room: string, channels: string[]): Promise<WatchedDisplay> {
  const display = await watchDisplayAt(url, room, channels);
  sockets.push(display.socket);
  return display;
}

function expectExactly(d: WatchedDisplay, channel: string, typed: string[], label: string): void {
  expect(d.follower.lines(channel).map((l) => l.id), label).toEqual(typed);
  expect(d.follower.stats.doubledCommits, label).toBe(0);
  for (const id of typed) expect(d.receipts.get(id), `${label}: ${id} received once`).toBe(1);
}

describe('hub process killed mid-session', () => {
  it('displays reconnect and catch up, the booth resends what was not acknowledged: nothing missing or doubled', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tarjuman-faults-'));
    dirs.push(dataDir);
    const first = await spawnHub({ rooms: [`main:${SECRET}`], channels: ['floor', 'ar'], dataDir });
    hubs.push(first);
    const displays = await Promise.all([1, 2, 3].map(() => watchDisplay(first.url, 'main', ['ar'])));
    const booth = await ResendingBooth.connect(first.url, 'main', 'ar', SECRET, 'booth-ar');
    sockets.push(booth.socket);
    const typed: string[] = [];
    let n = 0;
    const type = (): void => {
      const id = `ar-${n}`;
      typed.push(id);
      booth.type(id, `السطر ${n++} من المقصورة العربية.`);
    };
    // 25 lines/s: a fast typist, below the hub's per-socket rate limit.
    const typing = setInterval(type, 40);
    try {
      await until(() => booth.acked.size >= 40, 20_000, 'lines acknowledged before the crash');
      await first.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      const second = await spawnHub({ port: first.port, rooms: [`main:${SECRET}`], channels: ['floor', 'ar'], dataDir });
      hubs.push(second);
      const typedAtRestart = typed.length;
      await until(() => typed.length >= typedAtRestart + 20 && booth.pending <= 2, 30_000, 'typing after the restart');
    } finally {
      clearInterval(typing);
    }
    await until(() => booth.pending === 0, 30_000, 'booth outbox drained');
    expect(booth.refusals).toEqual([]);
    for (const [i, d] of displays.entries()) {
      await until(() => d.follower.lines('ar').length >= typed.length, 30_000, `display ${i} caught up`);
      expectExactly(d, 'ar', typed, `display ${i}`);
      // The journal kept the cursor: the reconnect caught up from it (no reset, nothing re-sent).
      expect(d.follower.stats.resets, `display ${i}`).toBe(1);
      expect(d.follower.stats.subscribes, `display ${i}`).toBe(2);
    }
  }, 120_000);
});

describe(`network drop of ${DROP_MS} ms`, () => {
  it('a display and a booth each cut off while the interpreter keeps typing: both converge', async () => {
    const { hub } = await startTestHub();
    const secret = TEST_ROOMS[0]!.secret;
    try {
      const displayProxy = await TcpProxy.start(hub.port);
      const boothProxy = await TcpProxy.start(hub.port);
      const direct = await watchDisplay(hub.url, 'main', ['en']);
      const viaProxy = await watchDisplay(displayProxy.url, 'main', ['en']);
      const booth = await ResendingBooth.connect(boothProxy.url, 'main', 'en', secret, 'booth-en');
      sockets.push(booth.socket);
      const typed: string[] = [];
      let n = 0;
      const type = (): void => {
        const id = `en-${n}`;
        typed.push(id);
        booth.type(id, `Line ${n++}, typed during the drop test.`);
      };
      const typing = setInterval(type, Math.max(20, DROP_MS / 100));
      try {
        await until(() => booth.acked.size >= 10, 20_000, 'first lines');
        // The display's link drops; the booth keeps publishing.
        displayProxy.cut();
        const cutAt = typed.length;
        await new Promise((r) => setTimeout(r, DROP_MS));
        expect(viaProxy.follower.lines('en').length).toBeLessThan(typed.length);
        displayProxy.restore();
        await until(() => viaProxy.follower.lines('en').length >= typed.length - 2, 30_000, 'display converged after its drop');
        expect(typed.length - cutAt).toBeGreaterThan(5);

        // The booth's link drops; the interpreter keeps typing into the outbox.
        boothProxy.cut();
        // Acks the hub sent just before the cut may still be in the booth's receive buffer: count from a moment later.
        await new Promise((r) => setTimeout(r, 300));
        const ackedAtCut = booth.acked.size;
        await new Promise((r) => setTimeout(r, DROP_MS - 300));
        expect(booth.acked.size).toBe(ackedAtCut);
        expect(booth.pending).toBeGreaterThan(5);
        boothProxy.restore();
        await until(() => booth.pending <= 2, 30_000, 'booth resent its outbox');
      } finally {
        clearInterval(typing);
      }
      await until(() => booth.pending === 0, 30_000, 'booth outbox drained');
      expect(booth.refusals).toEqual([]);
      for (const [label, d] of [['direct display', direct], ['display behind the cut link', viaProxy]] as const) {
        await until(() => d.follower.lines('en').length >= typed.length, 30_000, `${label} complete`);
        expectExactly(d, 'en', typed, label);
      }
      await displayProxy.close();
      await boothProxy.close();
    } finally {
      await hub.close();
    }
  }, 60_000 + 4 * DROP_MS);
});

describe('disk full under the journal', () => {
  it('live captions keep flowing, the error shows in /healthz and the log, and the journal is rewritten once the disk is back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tarjuman-diskfull-'));
    dirs.push(dataDir);
    const { hub, log } = await startTestHub({ dataDir });
    try {
      const secret = TEST_ROOMS[0]!.secret;
      const display = await watchDisplay(hub.url, 'main', ['ru']);
      const opResult = await connectHubClient(hub.url, { role: 'operator', room: 'main', secret }, { transports: ['websocket'] });
      if (!opResult.ok) throw new Error(opResult.error.message);
      sockets.push(opResult.value);
      const publish = async (i: number): Promise<void> => {
        const answer = await hubRequest(opResult.value, 'caption:publish', { id: `ru-${i}`, channel: 'ru', text: `Строка ${i}.`, state: 'final', source: 'typed' });
        expect(answer.ok, JSON.stringify(answer)).toBe(true);
      };
      await publish(0);
      // The disk fills up: appends hit /dev/full (ENOSPC), and the compaction's temporary file cannot be created.
      const file = journalFile(dataDir, 'main');
      await rm(file);
      await symlink('/dev/full', file);
      await mkdir(`${file}.tmp`);
      const started = Date.now();
      for (let i = 1; i <= 20; i++) await publish(i);
      expect(Date.now() - started, 'publishing is not held up by the failing disk').toBeLessThan(5000);
      await until(() => display.follower.lines('ru').length === 21, 10_000, 'live lines during the disk failure');
      const health = (await (await fetch(`${hub.url}/healthz`)).json()) as { store: { error: { code: string; message: string } | null } };
      expect(health.store.error?.message).toMatch(/ENOSPC|EISDIR/);
      expect(log.text()).toMatch(/history not persisted.*(ENOSPC|EISDIR)/);

      // Space comes back: the journal is rewritten with everything, and the error clears.
      await rm(`${file}.tmp`, { recursive: true });
      await rm(file);
      await until(() => hub.health().store.error === null, 15_000, 'journal recovered');
      await publish(21);
      await hub.store.flush();
      const text = await readFile(file, 'utf8');
      for (let i = 0; i <= 21; i++) expect(text).toContain(`Строка ${i}.`);
      expect(log.text()).toContain('history persisted again');
    } finally {
      await hub.close();
    }
  }, 60_000);
});
