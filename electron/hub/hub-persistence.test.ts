import { ChannelFollower } from '../common/channel-follower';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublishLine } from '../common/protocol';
import type { ErrorInfo } from '../common/result';
import type { CaptionHub } from './caption-hub';
import { journalFile } from './history-store';
import { hubRequest } from './hub-client';
import { ClientPool, startTestHub, TEST_ROOMS, until } from './test-support';

const SECRET = TEST_ROOMS[0]!.secret;
const pool = new ClientPool();
const hubs: CaptionHub[] = [];
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tarjuman-hub-'));
  dirs.push(dir);
  return dir;
}

async function start(overrides: Parameters<typeof startTestHub>[0]): Promise<Awaited<ReturnType<typeof startTestHub>>> {
  const started = await startTestHub(overrides);
  hubs.push(started.hub);
  return started;
}

afterEach(async () => {
  pool.closeAll();
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

let n = 0;
function final(channel: string, text: string): PublishLine {
  return { id: `p-${Date.now()}-${n++}`, channel, text, state: 'final', source: 'typed' };
}

describe('history survives a restart', () => {
  it('a new hub on the same data directory keeps lines, revisions, cursors, sequence numbers and the notice', async () => {
    const dataDir = await tempDir();
    const { hub: first } = await start({ dataDir });
    const operator = await pool.connect(first.url, { role: 'operator', room: 'main', secret: SECRET });
    const sent: PublishLine[] = [];
    for (const text of ['Before the clear.', 'Also before.']) {
      const l = final('ar', text);
      sent.push(l);
      expect((await hubRequest(operator, 'caption:publish', l)).ok).toBe(true);
    }
    await hubRequest(operator, 'channel:clear', { channel: 'ar' });
    for (const text of ['صباح الخير', 'UNOCT تعقد اجتماعها', 'السطر الثالث']) {
      const l = final('ar', text);
      sent.push(l);
      expect((await hubRequest(operator, 'caption:publish', l)).ok).toBe(true);
    }
    await hubRequest(operator, 'caption:revise', { channel: 'ar', id: sent[3]!.id, text: 'UNOCT يعقد اجتماعه' });
    await hubRequest(operator, 'caption:publish', { ...final('ar', 'half-spoken'), state: 'partial' });
    await hubRequest(operator, 'notice:show', { text: 'Please take your seats' });
    const display = await pool.connect(first.url, { role: 'display', room: 'main' });
    const seen = new ChannelFollower(display, { channels: ['ar'] });
    await seen.start();
    const midCursor = seen.cursor('ar') - 2;
    pool.closeAll();
    await first.close();

    const { hub: second } = await start({ dataDir });
    expect(second.port).not.toBe(0);
    const again = await pool.connect(second.url, { role: 'display', room: 'main' });
    const fresh = await hubRequest(again, 'display:subscribe', { channels: ['ar'] });
    expect(fresh.ok).toBe(true);
    if (!fresh.ok) return;
    const snap = fresh.value.channels[0]!;
    expect(snap.reset).toBe(true);
    expect(snap.cursor).toBe(7);
    expect(snap.changes.map((c) => (c.kind === 'cleared' ? '' : c.line.text))).toEqual(['صباح الخير', 'UNOCT يعقد اجتماعه', 'السطر الثالث']);
    expect(fresh.value.notice?.text).toBe('Please take your seats');
    const catchUp = await hubRequest(again, 'display:subscribe', { channels: ['ar'], since: { ar: midCursor } });
    expect(catchUp.ok && catchUp.value.channels[0]).toMatchObject({ reset: false, cursor: 7 });
    expect(catchUp.ok && catchUp.value.channels[0]!.changes.map((c) => [c.kind, c.cursor])).toEqual([
      ['committed', 6],
      ['revised', 7],
    ]);
    const op2 = await pool.connect(second.url, { role: 'operator', room: 'main', secret: SECRET });
    expect(await hubRequest(op2, 'caption:publish', sent[4]!)).toMatchObject({ ok: true, value: { duplicate: true } });
    const next = await hubRequest(op2, 'caption:publish', final('ar', 'after restart'));
    // seq 6 went to the partial published before the restart: sequence numbers are never reused.
    expect(next).toMatchObject({ ok: true, value: { seq: 7, cursor: 8, duplicate: false } });
    const txt = await (await fetch(`${second.url}/export/main/ar.txt`)).text();
    expect(txt).toBe('Before the clear.\nAlso before.\nصباح الخير\nUNOCT يعقد اجتماعه\nالسطر الثالث\nafter restart\n');
  });

  it('cuts a torn last journal line, keeps the rest, and appends cleanly afterwards', async () => {
    const dataDir = await tempDir();
    const { hub: first } = await start({ dataDir });
    const booth = await pool.connect(first.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    for (const text of ['one', 'two', 'three']) await hubRequest(booth, 'caption:publish', final('en', text));
    pool.closeAll();
    await first.close();
    await appendFile(journalFile(dataDir, 'main'), '{"t":"change","change":{"kind":"committed","room":"main","chan');

    const { hub: second, log } = await start({ dataDir });
    expect(second.health().store).toMatchObject({ skippedAtStart: 1, damagedAtStart: 0 });
    expect(log.text()).toContain('journal: torn last record cut');
    const booth2 = await pool.connect(second.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    expect(await hubRequest(booth2, 'caption:publish', final('en', 'four'))).toMatchObject({ ok: true, value: { cursor: 4 } });
    pool.closeAll();
    await second.close();

    const { hub: third } = await start({ dataDir });
    expect(third.health().store.skippedAtStart).toBe(0);
    expect(await (await fetch(`${third.url}/export/main/en.txt`)).text()).toBe('one\ntwo\nthree\nfour\n');
  });

  it('a damaged line in the middle of a journal: the changes after it are kept, the damage is logged and the file copied', async () => {
    const dataDir = await tempDir();
    const { hub: first } = await start({ dataDir });
    const booth = await pool.connect(first.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    await hubRequest(booth, 'caption:publish', final('en', 'one'));
    pool.closeAll();
    await first.close();
    // Appends after the compaction at start: a bad line between two committed changes.
    const file = journalFile(dataDir, 'main');
    const journal = await readFile(file, 'utf8');
    const later = (n: number, text: string): string =>
      JSON.stringify({
        t: 'change',
        change: { kind: 'committed', room: 'main', channel: 'en', cursor: n, line: { id: `x${n}`, room: 'main', channel: 'en', seq: n, text, state: 'final', revision: 0, source: 'typed', startedAt: 1, updatedAt: 1, committedAt: 1 } },
      });
    await writeFile(file, `${journal}{"t":"change","chan\n${later(2, 'two')}\n${later(3, 'three')}\n`);

    const { hub: second, log } = await start({ dataDir });
    expect(second.health().store).toMatchObject({ skippedAtStart: 1, damagedAtStart: 1 });
    expect(log.text()).toMatch(/error journal damaged.*"copy":".*main\.journal\.jsonl\.damaged-/);
    expect(await (await fetch(`${second.url}/export/main/en.txt`)).text()).toBe('one\ntwo\nthree\n');
  });

  it('keeps the journal bounded by compacting it', async () => {
    const dataDir = await tempDir();
    const { hub: first } = await start({ dataDir, historyLimit: 10, rateLimit: { burst: 5000, perSecond: 5000 } });
    const booth = await pool.connect(first.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    for (let i = 0; i < 450; i++) await hubRequest(booth, 'caption:publish', final('en', `line ${i}`));
    await first.store.flush();
    const lines = (await readFile(journalFile(dataDir, 'main'), 'utf8')).split('\n').filter((l) => l !== '');
    // Compacted after 200 entries: a snapshot line per channel and what came after it, not 450 lines.
    expect(lines.length).toBeLessThan(260);
    pool.closeAll();
    await first.close();
    const { hub: second } = await start({ dataDir, historyLimit: 10 });
    const text = await (await fetch(`${second.url}/export/main/en.txt`)).text();
    // The journal keeps 10 lines for catch-up; the export holds the whole session.
    expect(text.trim().split('\n')).toEqual(Array.from({ length: 450 }, (_, i) => `line ${i}`));
    const display = await pool.connect(second.url, { role: 'display', room: 'main' });
    const snap = await hubRequest(display, 'display:subscribe', { channels: ['en'], since: { en: 445 } });
    expect(snap.ok && snap.value.channels[0]).toMatchObject({ reset: false, cursor: 450 });
    expect(snap.ok && snap.value.channels[0]!.changes).toHaveLength(5);
  });
});

describe('a failing journal never stops live captions', () => {
  it('starts and publishes when the data directory cannot be created', async () => {
    const parent = await tempDir();
    const blocker = join(parent, 'not-a-dir');
    await writeFile(blocker, 'a file where the data directory should be');
    const statuses: Array<ErrorInfo | null> = [];
    const { hub, log } = await start({ dataDir: join(blocker, 'data'), onStoreStatus: (_room, e) => statuses.push(e) });
    expect(hub.health().store.error?.message).toMatch(/ENOTDIR|EEXIST/);
    expect(statuses.some((s) => s !== null)).toBe(true);
    expect(log.text()).toContain('history not persisted');
    const health = (await (await fetch(`${hub.url}/healthz`)).json()) as { store: { error: ErrorInfo | null } };
    expect(health.store.error).not.toBeNull();
    const booth = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const follower = new ChannelFollower(display, { channels: ['en'] });
    await follower.start();
    expect(await hubRequest(booth, 'caption:publish', final('en', 'still live'))).toMatchObject({ ok: true });
    await until(() => follower.lines('en').length === 1, 5000, 'live line');
  });

  it('reports a failure mid-session, keeps publishing, and rewrites the journal once the disk is back', async () => {
    const dataDir = await tempDir();
    const statuses: Array<ErrorInfo | null> = [];
    const { hub } = await start({ dataDir, onStoreStatus: (_room, e) => statuses.push(e) });
    const booth = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    await hubRequest(booth, 'caption:publish', final('en', 'written'));
    await hub.store.flush();
    await rm(dataDir, { recursive: true });
    await writeFile(dataDir, 'the disk is gone');
    expect(await hubRequest(booth, 'caption:publish', final('en', 'during the outage'))).toMatchObject({ ok: true });
    await until(() => statuses.some((s) => s !== null), 5000, 'failure status');
    expect(hub.health().store.error).not.toBeNull();
    expect(await hubRequest(booth, 'caption:publish', final('en', 'still during'))).toMatchObject({ ok: true });
    await rm(dataDir);
    await until(() => statuses.at(-1) === null, 10_000, 'recovered status');
    expect(hub.health().store.error).toBeNull();
    pool.closeAll();
    await hub.close();
    const { hub: next } = await start({ dataDir });
    expect(await (await fetch(`${next.url}/export/main/en.txt`)).text()).toBe('written\nduring the outage\nstill during\n');
  });
});
