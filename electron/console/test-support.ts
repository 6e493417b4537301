/**
 * Test support for the console core tests: a real hub on a loopback port, a real display socket that keeps
 * what a room display would show, temporary data dirs, and a logger that records every line. Used only by
 * *.test.ts files beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startCaptionHub, silentHubLogger, type CaptionHub, type HubLogger } from '../hub/index';
import { attachBoothRelay } from '../hub/booth-relay';
import type { ChannelChange, HubClientEvents, HubServerEvents, PartialUpdate } from '../common/protocol';
import { ok } from '../common/result';
import { nodeWorkerSpawner } from '../stt/node-worker';
import type { ConsoleCoreOptions, CoreLogger } from './console-core';
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
  for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true });
}

/** A logger that keeps every line (to check that no secret is ever logged). */
export function recordingLogger(): CoreLogger & HubLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (m: string, f?: Record<string, unknown>) => {
    lines.push(`${level} ${m} ${f ? JSON.stringify(f) : ''}`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

/** Starts a hub with one room `main` (floor, ar, en, ru) and the booth relay, on loopback. */
export async function startTestHub(opts: { port?: number; dataDir?: string; logger?: HubLogger } = {}): Promise<CaptionHub> {
  const hub = await startCaptionHub({
    port: opts.port ?? 0,
    host: '127.0.0.1',
    rooms: [{ id: 'main', secret: TEST_SECRET }],
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    logger: opts.logger ?? silentHubLogger,
    rateLimit: { burst: 500, perSecond: 500 },
  });
  attachBoothRelay(hub.io);
  return hub;
}

/** What one display shows, built from real socket events with catch-up by cursor (like the display page). */
export class TestDisplay {
  readonly socket: Socket<HubServerEvents, HubClientEvents>;
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

  constructor(url: string, readonly channels: string[]) {
    this.socket = io(url, { auth: { role: 'display', room: 'main' }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500, forceNew: true });
    this.socket.on('connect', () => this.subscribe());
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') setTimeout(() => this.socket.connect(), 200);
    });
    this.socket.on('caption:changed', (c) => this.apply(c));
    this.socket.on('caption:partial', (p) => {
      this.partials.push(p);
      this.wake();
    });
  }

  private subscribe(): void {
    const since: Record<string, number> = {};
    for (const [ch, cur] of this.cursors) since[ch] = cur;
    this.socket.emit('display:subscribe', { channels: this.channels, ...(this.cursors.size ? { since } : {}) }, (r) => {
      if (!r.ok) return;
      for (const snap of r.value.channels) {
        for (const c of snap.changes) this.apply(c);
        if (snap.partial) this.partials.push({ room: 'main', channel: snap.channel, cursor: snap.cursor, line: snap.partial });
      }
      this.subscribed = true;
      this.wake();
    });
  }

  private apply(c: ChannelChange): void {
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
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}

/** Polls `predicate` until it holds (for state that has no event of its own), failing after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
