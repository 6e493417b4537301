import { appendFile, mkdir, mkdtemp, readFile, rm, stat, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../common/result';
import { JOURNAL_FILE, SessionRecord } from './session-record';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tarjuman-session-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A clock the test moves by hand. */
function clock(start: number): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('SessionRecord', () => {
  it('journals commits, revisions and clears, and reopens intact after a torn last line', async () => {
    const dir = await tempDir();
    const c = clock(1_000_000);
    const record = await SessionRecord.open({ dir, sessionId: 's1', now: c.now });
    c.advance(1000);
    await record.commit({ id: 'a', channel: 'en', text: 'Good morning.', source: 'typed', startedAt: c.now() - 500 });
    c.advance(1000);
    await record.commit({ id: 'b', channel: 'en', text: 'Welcome to the session.', source: 'typed' });
    await record.commit({ id: 'c', channel: 'ar', text: 'صباح الخير', source: 'voice-stt', lang: 'ar' });
    await record.revise('en', 'b', 'Welcome to the plenary.');
    await record.commit({ id: 'b', channel: 'en', text: 'a resend of the same id', source: 'typed' });
    await record.clear('en');
    c.advance(1000);
    await record.commit({ id: 'd', channel: 'en', text: 'Last committed line.', source: 'script' });
    // Simulate a crash while the next record was being written: half a JSON line at the end, no close().
    await appendFile(join(dir, JOURNAL_FILE), '{"t":"final","ch":"en","at":1,"id":"e","te');
    const sizeBefore = (await stat(join(dir, JOURNAL_FILE))).size;

    const reopened = await SessionRecord.open({ dir, sessionId: 's1', now: c.now });
    expect(reopened.recovered).toBe(4);
    expect(reopened.counts()).toEqual({ en: 3, ar: 1 });
    expect(reopened.linesOf('en').map((l) => [l.id, l.text, l.revisions])).toEqual([
      ['a', 'Good morning.', 0],
      ['b', 'Welcome to the plenary.', 1],
      ['d', 'Last committed line.', 0],
    ]);
    expect(reopened.startedAt).toBe(1_000_000);
    // The torn tail is cut, so the next append starts on a clean line.
    expect((await stat(join(dir, JOURNAL_FILE))).size).toBeLessThan(sizeBefore);
    await reopened.commit({ id: 'f', channel: 'en', text: 'After the crash.', source: 'typed' });
    await reopened.close();
    const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).trimEnd().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const third = await SessionRecord.open({ dir, sessionId: 's1' });
    expect(third.linesOf('en').map((l) => l.id)).toEqual(['a', 'b', 'd', 'f']);
    await third.close();
  });

  it('exports SRT, WebVTT and text with times relative to the session start', async () => {
    const dir = await tempDir();
    const c = clock(5_000_000);
    const record = await SessionRecord.open({ dir, sessionId: 's2', now: c.now });
    c.advance(61_500);
    await record.commit({ id: 'a', channel: 'en', text: 'One <b>two</b> & three', source: 'typed', startedAt: c.now() - 1500 });
    c.advance(2000);
    await record.commit({ id: 'b', channel: 'en', text: 'Second line', source: 'typed', startedAt: c.now() - 200 });
    await record.revise('en', 'b', 'Second line, corrected');
    await record.commit({ id: 'x', channel: 'ru', text: 'Другой канал', source: 'typed' });

    expect(record.export('en', 'srt')).toBe(
      '1\n00:01:00,000 --> 00:01:01,500\nOne <b>two</b> & three\n\n2\n00:01:03,300 --> 00:01:04,300\nSecond line, corrected\n',
    );
    expect(record.export('en', 'vtt')).toBe(
      'WEBVTT\n\n00:01:00.000 --> 00:01:01.500\nOne &lt;b&gt;two&lt;/b&gt; &amp; three\n\n00:01:03.300 --> 00:01:04.300\nSecond line, corrected\n',
    );
    // Caption text stays text: a blank line and a timing line inside a caption do not make a cue of their own.
    await record.commit({ id: 'y', channel: 'ar', text: 'شكرا.\n\n2\n00:00:00,000 --> 09:59:59,000\nFORGED', source: 'typed' });
    expect(record.export('ar', 'srt').match(/-->/g)).toHaveLength(1);
    expect(record.export('en', 'txt')).toBe('One <b>two</b> & three\nSecond line, corrected\n');
    expect(record.export('ru', 'txt')).toBe('Другой канал\n');
    expect(record.export('floor', 'srt')).toBe('');
    // A floor source's short lines (a line per pass on a slow machine) are joined into cues a viewer can read.
    for (const [id, text] of [['f1', 'Good morning,'], ['f2', 'distinguished delegates,'], ['f3', 'and welcome.']] as const) {
      c.advance(1400);
      await record.commit({ id, channel: 'floor', text, source: 'floor-stt', startedAt: c.now() - 1200 });
    }
    expect(record.export('floor', 'srt')).toBe('1\n00:01:03,700 --> 00:01:07,700\nGood morning, distinguished\ndelegates, and welcome.\n');
    await record.close();
  });

  it('writes every line committed while an earlier write is in flight, and says which commits reached the disk', async () => {
    const dir = await tempDir();
    const record = await SessionRecord.open({ dir, sessionId: 's-inflight' });
    const saved: Promise<boolean>[] = [];
    // Commits arrive at every turn of the event loop, so most land while the previous write or fsync is running.
    for (let i = 0; i < 120; i++) {
      saved.push(record.commit({ id: `l${i}`, channel: 'ar', text: `line ${i}`, source: 'typed' }));
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(saved)).toEqual(saved.map(() => true));
    // Read the file as it is now, before close() gets a chance to write anything late.
    const onDisk = (await readFile(join(dir, JOURNAL_FILE), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string; id?: string })
      .filter((e) => e.t === 'final')
      .map((e) => e.id);
    expect(onDisk).toEqual(saved.map((_, i) => `l${i}`));
    await record.close();
  });

  it('reports a full disk, keeps everything in memory, and writes the backlog once the disk is back', async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    // /dev/full accepts the open and fails every write with ENOSPC: a full disk, even for root.
    await symlink('/dev/full', join(dir, JOURNAL_FILE));
    const errors: (ErrorInfo | null)[] = [];
    const record = await SessionRecord.open({ dir, sessionId: 's3', onError: (e) => errors.push(e) });
    await record.commit({ id: 'a', channel: 'en', text: 'Still captioning.', source: 'typed' });
    expect(record.error?.code).toBe('SESSION_WRITE_FAILED');
    expect(record.error?.message).toMatch(/disk is full/);
    expect(errors.filter((e) => e !== null)).toHaveLength(1);
    await record.commit({ id: 'b', channel: 'en', text: 'And still.', source: 'typed' });
    expect(record.linesOf('en').map((l) => l.text)).toEqual(['Still captioning.', 'And still.']);
    expect(record.export('en', 'txt')).toBe('Still captioning.\nAnd still.\n');

    // Space again: the next commit writes everything that waited, in order.
    await unlink(join(dir, JOURNAL_FILE));
    await record.commit({ id: 'c', channel: 'en', text: 'Disk is back.', source: 'typed' });
    expect(record.error).toBeNull();
    expect(errors.at(-1)).toBeNull();
    await record.close();
    const reopened = await SessionRecord.open({ dir, sessionId: 's3' });
    expect(reopened.linesOf('en').map((l) => l.id)).toEqual(['a', 'b', 'c']);
    await reopened.close();
  });

  it('reports an unwritable folder without throwing', async () => {
    const parent = await tempDir();
    // A regular file where the session folder should be: mkdir and open fail (ENOTDIR/EEXIST), even for root.
    await writeFile(join(parent, 'blocked'), 'not a folder');
    const record = await SessionRecord.open({ dir: join(parent, 'blocked', 'session'), sessionId: 's4' });
    expect(record.error?.code).toBe('SESSION_WRITE_FAILED');
    await record.commit({ id: 'a', channel: 'en', text: 'Line', source: 'typed' });
    expect(record.counts()).toEqual({ en: 1 });
    await record.close();
    expect(existsSync(join(parent, 'blocked', 'session'))).toBe(false);
  });

  it('cuts a record torn in the middle of a character at the tail', async () => {
    const dir = await tempDir();
    const record = await SessionRecord.open({ dir, sessionId: 's5' });
    await record.commit({ id: 'a', channel: 'en', text: 'kept', source: 'typed' });
    await record.close();
    const file = join(dir, JOURNAL_FILE);
    const size = (await stat(file)).size;
    // Torn in the middle of the last line's bytes (a multi-byte character cut in half is fine too).
    await appendFile(file, '{"t":"final","ch":"en","at":2,"id":"b","text":"مرحبا","source":"typed","startedAt":2}\n');
    await truncate(file, size + 50);
    const reopened = await SessionRecord.open({ dir, sessionId: 's5' });
    expect(reopened.linesOf().map((l) => l.id)).toEqual(['a']);
    expect((await stat(file)).size).toBe(size);
    await reopened.close();
  });

  it('a damaged line in the middle loses nothing after it: later commits are replayed and the damage is reported', async () => {
    const dir = await tempDir();
    const record = await SessionRecord.open({ dir, sessionId: 's6' });
    await record.commit({ id: 'a', channel: 'en', text: 'before the damage', source: 'typed' });
    await record.commit({ id: 'b', channel: 'en', text: 'damaged on disk', source: 'typed' });
    await record.commit({ id: 'c', channel: 'en', text: 'committed after it', source: 'typed' });
    await record.revise('en', 'c', 'committed after it, corrected');
    await record.close();
    const file = join(dir, JOURNAL_FILE);
    const text = await readFile(file, 'utf8');
    // A bad sector in the middle of the file: line 3 (the commit of b) no longer parses.
    const damaged = text.replace('"damaged on disk"', '"damaged \u0000n disk');
    await writeFile(file, damaged);

    const reopened = await SessionRecord.open({ dir, sessionId: 's6' });
    expect(reopened.linesOf('en').map((l) => [l.id, l.text])).toEqual([
      ['a', 'before the damage'],
      ['c', 'committed after it, corrected'],
    ]);
    expect(reopened.damage?.damagedLines).toEqual([3]);
    expect(await readFile(reopened.damage!.damagedCopy!, 'utf8')).toBe(damaged);
    await reopened.commit({ id: 'd', channel: 'en', text: 'after reopening', source: 'typed' });
    await reopened.close();
    const third = await SessionRecord.open({ dir, sessionId: 's6' });
    expect(third.linesOf('en').map((l) => l.id)).toEqual(['a', 'c', 'd']);
    await third.close();
  });
});
