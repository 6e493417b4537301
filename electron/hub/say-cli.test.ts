import { ChannelFollower } from '../common/channel-follower';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionHub } from './caption-hub';
import { ClientPool, startTestHub, TEST_ROOMS, until } from './test-support';

const SECRET = TEST_ROOMS[0]!.secret;
const SAY = join(import.meta.dirname, 'say-cli.ts');
const pool = new ClientPool();
let hub: CaptionHub;

/** Runs `npm run say` (the same tsx entry) with arguments and optional standard input. */
function say(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SAY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

beforeAll(async () => {
  ({ hub } = await startTestHub());
});
afterAll(async () => {
  pool.closeAll();
  await hub.close();
});

describe('npm run say', () => {
  it('publishes an argument and standard-input lines, and exits non-zero with the code when refused', async () => {
    const follower = new ChannelFollower(await pool.connect(hub.url, { role: 'display', room: 'main' }), { channels: ['ru'] });
    await follower.start();
    const [one, many, refused] = await Promise.all([
      say(['--hub', hub.url, '--room', 'main', '--channel', 'ru', '--secret', SECRET, '--partial-first', '--partial-delay-ms', '5', 'Добрый день, коллеги.']),
      say(['--hub', hub.url, '--room', 'main', '--channel', 'ru', '--secret', SECRET], 'Первая строка.\n\nВторая строка.\n'),
      say(['--hub', hub.url, '--room', 'main', '--channel', 'ru', '--secret', 'not-the-secret', 'x']),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^ok final say-\S+ \{"seq":\d+,"cursor":\d+,"duplicate":false\}/);
    expect(many.code, many.stderr).toBe(0);
    expect(many.stdout.trim().split('\n')).toHaveLength(2);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('AUTH_BAD_SECRET');
    expect(refused.stderr).not.toContain('not-the-secret');
    // An address typed without http:// works; one where no hub runs says what to check.
    const bare = await say(['--hub', hub.url.replace(/^http:\/\//, ''), '--room', 'main', '--channel', 'ru', '--secret', SECRET, 'Без схемы.']);
    expect(bare.code, bare.stderr).toBe(0);
    const nobody = await say(['--hub', 'localhost:9', '--room', 'main', '--channel', 'ru', '--secret', SECRET, 'x']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toMatch(/^say: no hub answers at http:\/\/localhost:9 \(.+\): is `npm run hub` running there\? Check the address and port \(--hub\)\.$/);
    await until(() => follower.lines('ru').length === 4, 10_000, 'four lines');
    expect(follower.lines('ru').map((l) => l.text).sort()).toEqual(['Без схемы.', 'Вторая строка.', 'Добрый день, коллеги.', 'Первая строка.'].sort());
    const usage = await say(['--room', 'main', '--secret', SECRET, 'no channel']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split('\n')[0]).toBe('say: --channel is required, e.g. --channel en');
  }, 60_000);

  it('is refused with CHANNEL_MUTED on a channel an operator muted, and nothing reaches its displays', async () => {
    const follower = new ChannelFollower(await pool.connect(hub.url, { role: 'display', room: 'main' }), { channels: ['en'] });
    await follower.start();
    const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET, clientId: 'say-test-op' });
    const mute = (muted: boolean): Promise<unknown> =>
      new Promise((resolve) => (operator.emit as (e: string, p: unknown, ack: (r: unknown) => void) => void)('channel:mute', { channel: 'en', muted }, resolve));
    expect(await mute(true)).toMatchObject({ ok: true, value: { muted: ['en'] } });
    const muted = await say(['--hub', hub.url, '--room', 'main', '--channel', 'en', '--secret', SECRET, '--partial-first', 'Not while muted.']);
    expect(muted.code).toBe(1);
    expect(muted.stderr).toMatch(/^refused partial say-\S+: CHANNEL_MUTED: /);
    expect(muted.stdout).toBe('');
    expect(await mute(false)).toMatchObject({ ok: true, value: { muted: [] } });
    const after = await say(['--hub', hub.url, '--room', 'main', '--channel', 'en', '--secret', SECRET, 'After the unmute.']);
    expect(after.code, after.stderr).toBe(0);
    await until(() => follower.lines('en').length === 1, 10_000, 'the line after the unmute');
    expect(follower.lines('en').map((l) => l.text)).toEqual(['After the unmute.']);
  }, 60_000);
});
