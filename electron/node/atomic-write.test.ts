import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the content, owner-only by default, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tarjuman-atomic-'));
    dirs.push(dir);
    const file = join(dir, 'settings.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('keeps the old content and removes its temporary file when the rename fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tarjuman-atomic-'));
    dirs.push(dir);
    // A directory where the file should go: the rename fails (EISDIR), even for root.
    const target = join(dir, 'taken');
    await import('node:fs/promises').then((fs) => fs.mkdir(target));
    await expect(writeFileAtomic(target, 'data')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
