/**
 * Test support for the console core tests: a real hub on a loopback port, a real display socket that keeps
 * what a room display would show, temporary data dirs (the recording logger and the wait helper are the hub's,
 * electron/hub/test-support). Used only by
 * *.test.ts files beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { silentHubLogger, type CaptionHub, type HubLogger } from '../hub/index';
import { startTestHub } from '../hub/test-support';
import type { ChannelChange, HubClientEvents, HubServerEvents, PartialUpdate } from '../common/protocol';
import { ChannelFollower } from '../common/channel-follower';
import { ok } from '../common/result';
import { nodeWorkerSpawner } from '../stt/node-worker';
import type { ConsoleCoreOptions } from './console-core';
import { supervisorSttFactory } from './stt-supervisor-source';

/**
 * Speech-to-text for console tests without a model: the real worker as a Node child process, with the scripted
 * tone engine (each tone is a word) and the energy VAD.
 */
export function toneStt(): Pick<ConsoleCoreOptions, 'sttFactory' | 'resolveModel'> {
  return {
    sttFactory: supervisorSttFactory({
      spawnWorker: nodeWorkerSpawner({ fakeEngine: 'tone', stderr: 'ignore' }),
      vad: 'energy',
    }),
    resolveModel: async () => ok('tone-engine-needs-no-model'),
  };
}

/** Room secret of the test hubs. */
export const TEST_SECRET = 'room-secret-7f3a9c';

/** Temporary directories removed by {@link cleanupTempDirs}. */
const temps: string[] = [];
export async function tempDir(prefix = 'tarjuman-core-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
export async function cleanupTempDirs(): Promise<void> {
  // A full run once failed here with ENOTEMPTY (room-monitors.test.ts: a file landed in the folder while it was
  // removed; which write, not found yet): fs.rm retries that code when asked to.
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/**
 * The hub the console tests connect to: the one test hub (electron/hub/test-support) with a room `main` (floor,
 * ar, en, ru) of secret {@link TEST_SECRET}, a silent log unless one is given, and a rate limit no test reaches.
 */
export async function roomHub(opts: { port?: number; dataDir?: string; logger?: HubLogger; rooms?: string[] } = {}): Promise<CaptionHub> {
  const { hub } = await startTestHub({
    port: opts.port ?? 0,
    rooms: (opts.rooms ?? ['main']).map((id) => ({ id, secret: TEST_SECRET })),
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    logger: opts.logger ?? silentHubLogger,
    rateLimit: { burst: 500, perSecond: 500 },
  });
  return hub;
}

/**
 * What one display shows, kept by the product's ChannelFollower over a real socket (catch-up by cursor,
 * resubscribe on a gap, reconnect after a hub restart), recorded for assertions.
 */
export class TestDisplay {
  readonly socket: Socket<HubServerEvents, HubClientEvents>;
  readonly follower: ChannelFollower;
  /** Committed lines by id, in commit order, with revisions applied. */
  readonly lines = new Map<string, { text: string; revision: number }>();
  /** Every commit seen (to detect doubles). */
  readonly commits: string[] = [];
  readonly partials: PartialUpdate[] = [];
  readonly changes: ChannelChange[] = [];
  private readonly cursors = new Map<string, number>();
  /** Set once the first subscription was answered. */
  subscribed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    url: string,
    readonly channels: string[],
    readonly room = 'main',
  ) {
    this.socket = io(url, { auth: { role: 'display', room }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500, forceNew: true });
    this.follower = new ChannelFollower(this.socket, {
      channels,
      reconnect: { minMs: 100, spreadMs: 100 },
      changed: (change) => this.record(change),
      partial: (update) => {
        this.partials.push(update);
        this.wake();
      },
      synced: (result) => {
        for (const snap of result.channels) {
          if (snap.partial) this.partials.push({ room, channel: snap.channel, cursor: snap.cursor, line: snap.partial });
        }
        this.subscribed = true;
        this.wake();
      },
    });
    void this.follower.start();
  }

  /** Records a change once by cursor (a reset answer after a hub restart repeats lines already seen). */
  private record(c: ChannelChange): void {
    const last = this.cursors.get(c.channel) ?? 0;
    if (c.cursor <= last) return;
    this.cursors.set(c.channel, c.cursor);
    this.changes.push(c);
    if (c.kind === 'committed') {
      this.commits.push(c.line.id);
      this.lines.set(c.line.id, { text: c.line.text, revision: c.line.revision });
    } else if (c.kind === 'revised') {
      this.lines.set(c.line.id, { text: c.line.text, revision: c.line.revision });
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `predicate` holds (checked on every event), failing after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 20_000, what = 'display condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the display is subscribed (it then sees every later change live). */
  ready(): Promise<void> {
    return this.until(() => this.subscribed, 10_000, 'display subscribed');
  }

  close(): void {
    this.follower.stop();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
