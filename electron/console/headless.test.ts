/**
 * `npm run console` as a person starts it: a real process (tsx electron/console/headless.ts), its output, its
 * exit code and what it leaves in the data folder.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lanAddresses } from '../node/lan-addresses';
import { DATA_DIR_LOCK_FILE } from './data-dir-lock';
import { cleanupTempDirs, tempDir } from './test-support';
import { until } from '../hub/test-support';

const ROOT = resolve(import.meta.dirname, '..', '..');
const children: ChildProcessWithoutNullStreams[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  await cleanupTempDirs();
});

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runConsole(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/console/headless.ts'), '--stt-test-engine', ...args], { cwd: ROOT });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function busyPort(): Promise<number> {
  const s = createServer();
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

describe('npm run console', () => {
  it('on a busy port says so in one line and exits, without claiming it started or leaving a session folder', async () => {
    const dataDir = await tempDir();
    const port = await busyPort();
    const run = runConsole(['--port', String(port), '--data-dir', dataDir]);
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr().trim().split('\n')).toEqual([`The console did not start: port ${port} on 127.0.0.1 is in use (another console or hub?); pick another with --port.`]);
    expect(existsSync(join(dataDir, 'sessions'))).toBe(false);
  });

  it('refuses a second console on the same data folder, and takes over the lock of a console that was killed', async () => {
    const dataDir = await tempDir();
    const first = runConsole(['--port', '0', '--data-dir', dataDir]);
    await until(() => first.stdout().includes('(data: '), 60_000, 'the first console');
    const second = runConsole(['--port', '0', '--data-dir', dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.stdout()).toBe('');
    expect(second.stderr()).toContain(`The console did not start: Another console (process ${first.child.pid}) is using the data folder ${dataDir}.`);
    // Killed with no chance to clean up: its lock stays, and the next console takes it over.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dataDir, DATA_DIR_LOCK_FILE))).toBe(true);
    const third = runConsole(['--port', '0', '--data-dir', dataDir]);
    await until(() => third.stdout().includes('(data: '), 60_000, 'the console after the kill');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(existsSync(join(dataDir, DATA_DIR_LOCK_FILE))).toBe(false);
  });

  it('listening on every address, prints the link another machine can open (LAN address, with the token)', async () => {
    const dataDir = await tempDir();
    const run = runConsole(['--port', '0', '--host', '0.0.0.0', '--data-dir', dataDir]);
    await until(() => run.stdout().includes('(data: '), 60_000, 'the console links');
    const links = run.stdout().split('\n').filter((l) => l.startsWith('  http://'));
    // The loopback link first, then one per LAN address: each carries the token in the fragment.
    expect(links[0]).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+$/);
    for (const address of lanAddresses()) {
      expect(links.some((l) => l.startsWith(`  http://${address.includes(':') ? `[${address}]` : address}:`) && l.includes('/#token='))).toBe(true);
    }
  });
});
