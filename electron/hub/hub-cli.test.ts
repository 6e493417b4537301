/** `npm run hub` as a person starts it: what its banner says. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHub, type HubProcess } from './test-support';

const hubs: HubProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop('SIGTERM')));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** The first output line starting with `prefix` (the banner follows the line spawnHub waits for). */
async function lineOf(hub: HubProcess, prefix: string): Promise<string | undefined> {
  for (let i = 0; i < 100 && !hub.lines.some((l) => l.startsWith(prefix)); i++) await new Promise((r) => setTimeout(r, 50));
  return hub.lines.find((l) => l.startsWith(prefix));
}

describe('npm run hub banner', () => {
  it('says when its journal folder cannot be written, instead of naming it as if it were in use', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tarjuman-hubcli-'));
    dirs.push(dir);
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, 'not a folder');
    const bad = await spawnHub({ rooms: ['main:S3cretForMain'], dataDir: join(blocked, 'journal') });
    hubs.push(bad);
    const journalLine = await lineOf(bad, 'journal: ');
    expect(journalLine).toMatch(/^journal: .*a-file\/journal CANNOT BE WRITTEN \(.+\): history is in memory only until it can$/);
    expect(bad.lines.some((l) => /^hub: the journal folder .* cannot be written/.test(l))).toBe(true);

    const good = await spawnHub({ rooms: ['main:S3cretForMain'], dataDir: join(dir, 'journal') });
    hubs.push(good);
    expect(await lineOf(good, 'journal: ')).toBe(`journal: ${join(dir, 'journal')}`);
  });
});
