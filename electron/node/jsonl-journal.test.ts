import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlJournal, replayJournal, type JournalWriteError } from './jsonl-journal';

interface Rec {
  n: number;
}
const parseRec = (v: unknown): Rec | null =>
  typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number' ? { n: (v as Rec).n } : null;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tarjuman-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const lines = (...ns: number[]): string => ns.map((n) => `{"n":${n}}\n`).join('');

describe('replayJournal: one torn-tail policy', () => {
  it('a missing file is an empty journal', async () => {
    const dir = await tempDir();
    expect(await replayJournal(join(dir, 'none.jsonl'), parseRec)).toEqual({ entries: [], tornBytes: 0, damagedLines: [], damagedCopy: null });
  });

  it('cuts a torn last record (half a line, no newline) off the file', async () => {
    const file = join(await tempDir(), 'j.jsonl');
    await writeFile(file, `${lines(1, 2)}{"n":3`);
    const replay = await replayJournal(file, parseRec);
    expect(replay.entries).toEqual([{ n: 1 }, { n: 2 }]);
    expect(replay.tornBytes).toBe(6);
    expect(replay.damagedLines).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(lines(1, 2));
  });

  it('cuts an unterminated last record even when it parses: the next append must not glue onto it', async () => {
    const file = join(await tempDir(), 'j.jsonl');
    await writeFile(file, `${lines(1)}{"n":2}`);
    const replay = await replayJournal(file, parseRec);
    expect(replay.entries).toEqual([{ n: 1 }]);
    expect(await readFile(file, 'utf8')).toBe(lines(1));
  });

  it('treats several bad lines after the last good record (a zero-filled or cut batch) as the torn tail', async () => {
    const file = join(await tempDir(), 'j.jsonl');
    await writeFile(file, `${lines(1)}{"n":\n\0\0\0\0\n{"n`);
    const replay = await replayJournal(file, parseRec);
    expect(replay.entries).toEqual([{ n: 1 }]);
    expect(replay.damagedLines).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(lines(1));
  });

  it('a bad line in the middle is damage: every committed record after it is kept, it is reported and the file is copied', async () => {
    const dir = await tempDir();
    const file = join(dir, 'j.jsonl');
    const damaged = `${lines(1)}{"n":2 garbage\n${lines(3)}{"x":1}\n${lines(4, 5)}`;
    await writeFile(file, damaged);
    const replay = await replayJournal(file, parseRec);
    expect(replay.entries).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }, { n: 5 }]);
    expect(replay.damagedLines).toEqual([2, 4]);
    expect(replay.tornBytes).toBe(0);
    expect(replay.damagedCopy).not.toBeNull();
    expect(await readFile(replay.damagedCopy!, 'utf8')).toBe(damaged);
    // The journal itself is left as found (nothing after the damage is cut).
    expect(await readFile(file, 'utf8')).toBe(damaged);
  });

  it('damage and a torn tail together: the middle is kept, the tail is cut', async () => {
    const file = join(await tempDir(), 'j.jsonl');
    await writeFile(file, `${lines(1)}oops\n${lines(2)}{"n":`);
    const replay = await replayJournal(file, parseRec);
    expect(replay.entries).toEqual([{ n: 1 }, { n: 2 }]);
    expect(replay.damagedLines).toEqual([2]);
    expect(replay.tornBytes).toBe(5);
    expect(await readFile(file, 'utf8')).toBe(`${lines(1)}oops\n${lines(2)}`);
  });

  it('refuses to replay a device (it would never end)', async () => {
    const dir = await tempDir();
    await symlink('/dev/zero', join(dir, 'j.jsonl'));
    await expect(replayJournal(join(dir, 'j.jsonl'), parseRec)).rejects.toMatchObject({ code: 'ENOTFILE' });
  });
});

describe('JsonlJournal', () => {
  it('appends in order and replays what it wrote', async () => {
    const file = join(await tempDir(), 'sub', 'j.jsonl');
    const journal = new JsonlJournal<Rec>({ file });
    await Promise.all([journal.append({ n: 1 }), journal.append({ n: 2 }, 'fsync'), journal.append({ n: 3 })]);
    await journal.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await replayJournal(file, parseRec)).entries).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('without a snapshot, keeps what a failing disk refused and writes it first once the disk is back', async () => {
    const dir = await tempDir();
    const file = join(dir, 'j.jsonl');
    const statuses: Array<JournalWriteError | null> = [];
    const journal = new JsonlJournal<Rec>({ file, retryMs: 0, onStatus: (e) => statuses.push(e) });
    await journal.append({ n: 1 }, 'fsync');
    await unlink(file);
    await symlink('/dev/full', file);
    await journal.append({ n: 2 }, 'fsync');
    await journal.append({ n: 3 }, 'fsync');
    expect(journal.error?.code).toBe('ENOSPC');
    expect(statuses).toHaveLength(1);
    await unlink(file);
    await journal.append({ n: 4 }, 'fsync');
    expect(journal.error).toBeNull();
    expect(statuses.at(-1)).toBeNull();
    await journal.close();
    expect((await replayJournal(file, parseRec)).entries).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it('with a snapshot, fails fast during the retry window and then rewrites the whole state', async () => {
    const dir = await tempDir();
    const file = join(dir, 'j.jsonl');
    const state: Rec[] = [];
    const statuses: Array<JournalWriteError | null> = [];
    const journal = new JsonlJournal<Rec>({ file, snapshot: () => state, retryMs: 1500, onStatus: (e) => statuses.push(e) });
    const add = (n: number): Promise<void> => {
      state.push({ n });
      return journal.append({ n });
    };
    await add(1);
    await mkdir(`${file}.tmp`);
    await unlink(file);
    await symlink('/dev/full', file);
    await add(2);
    expect(journal.error?.code).toBe('ENOSPC');
    const started = Date.now();
    await add(3);
    // Wide margin: the machine is shared; without the retry window this append would wait for the dead disk.
    expect(Date.now() - started).toBeLessThan(1000);
    await rm(`${file}.tmp`, { recursive: true });
    await unlink(file);
    const deadline = Date.now() + 5000;
    while (journal.error !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(journal.error).toBeNull();
    expect(statuses).toEqual([expect.objectContaining({ code: expect.stringMatching(/ENOSPC|EISDIR/) }), null]);
    await journal.close();
    expect((await replayJournal(file, parseRec)).entries).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('compacts past its bound: the file holds the state, not every append', async () => {
    const dir = await tempDir();
    const file = join(dir, 'j.jsonl');
    let total = 0;
    const journal = new JsonlJournal<Rec>({ file, snapshot: () => [{ n: total }], compactAfter: 10 });
    for (let i = 1; i <= 25; i++) {
      total = i;
      await journal.append({ n: i });
    }
    await journal.close();
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').filter((l) => l !== '').length).toBeLessThan(12);
    expect((await replayJournal(file, parseRec)).entries.at(-1)).toEqual({ n: 25 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('after a crash mid-append, a reopened journal continues on a clean line', async () => {
    const file = join(await tempDir(), 'j.jsonl');
    const first = new JsonlJournal<Rec>({ file });
    await first.append({ n: 1 }, 'fsync');
    await first.close();
    await appendFile(file, '{"n":2');
    expect((await replayJournal(file, parseRec)).entries).toEqual([{ n: 1 }]);
    const second = new JsonlJournal<Rec>({ file });
    await second.append({ n: 3 }, 'fsync');
    await second.close();
    expect(await readFile(file, 'utf8')).toBe(lines(1, 3));
  });
});
