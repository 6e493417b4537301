/**
 * Fixtures of the scale-out, fault and soak checks: a throwaway `redis-server` on a free loopback port, the hub
 * CLI as a child process (so it can be SIGKILLed and restarted), a TCP proxy whose link can be cut and
 * restored, and a booth that keeps an outbox and resends what was not acknowledged after a reconnect.
 */
import { ChannelFollower } from '../../common/channel-follower';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PublishLine } from '../../common/protocol';
import { connectHubClient, hubRequest, type HubClientSocket } from '../hub-client';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** A free TCP port on 127.0.0.1 (closed again; a tiny race with other programs is accepted in tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Resolves once `text` appears in the output collected by `lines`, or rejects when the process exits first. */
function waitForOutput(proc: ChildProcess, lines: string[], pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolveWait, rejectWait) => {
    const check = (): RegExpMatchArray | null => {
      for (const l of lines) {
        const m = l.match(pattern);
        if (m) return m;
      }
      return null;
    };
    const found = check();
    if (found) return resolveWait(found);
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
    const onData = (): void => {
      const m = check();
      if (m) finish(null, m);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`${what}: process exited (${code ?? signal}) first:\n${lines.slice(-20).join('\n')}`));
    const finish = (err: Error | null, m?: RegExpMatchArray): void => {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.stderr?.off('data', onData);
      proc.off('exit', onExit);
      if (err) rejectWait(err);
      else resolveWait(m!);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', onExit);
  });
}

function collect(proc: ChildProcess, lines: string[]): void {
  const add = (chunk: Buffer): void => {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(l);
    if (lines.length > 5000) lines.splice(0, lines.length - 5000);
  };
  proc.stdout?.on('data', add);
  proc.stderr?.on('data', add);
}

/** A running `redis-server`. */
export interface RedisServerProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts `redis-server` on `port` (default a free one) of loopback with no persistence; resolves when it accepts connections. */
export async function startRedisServer(port?: number): Promise<RedisServerProcess> {
  port ??= await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  collect(proc, lines);
  await waitForOutput(proc, lines, /Ready to accept connections/, 'redis-server', 15_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopProcess(proc),
  };
}

async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Options of {@link spawnHub}. */
export interface HubProcessOptions {
  /** Port; 0 (default) lets the hub pick one (read back from {@link HubProcess.port}). */
  port?: number;
  /** `--room` values, e.g. `main:secret`. */
  rooms: string[];
  channels?: string[];
  dataDir?: string;
  redis?: string;
  /** More flags. */
  extra?: string[];
  /** How long to wait for the hub to listen. Default 120 s. */
  startTimeoutMs?: number;
}

/** The hub CLI (`npm run hub`) running as a child process. */
export interface HubProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Its standard output and error, line by line. */
  lines: string[];
  /** SIGKILL (a crash) or SIGTERM (a clean stop); resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `electron/hub/cli.ts` with tsx on 127.0.0.1; resolves once it listens. */
export async function spawnHub(options: HubProcessOptions): Promise<HubProcess> {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'electron/hub/cli.ts'), '--host', '127.0.0.1', '--port', String(options.port ?? 0)];
  for (const r of options.rooms) args.push('--room', r);
  if (options.channels) args.push('--channels', options.channels.join(','));
  if (options.dataDir) args.push('--data-dir', options.dataDir);
  else args.push('--no-journal');
  if (options.redis) args.push('--redis', options.redis);
  // An empty static directory: the hub serves no display page, and does not try to build one.
  args.push('--static-dir', mkdtempSync(join(tmpdir(), 'tarjuman-static-')));
  args.push(...(options.extra ?? []));
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  const lines: string[] = [];
  collect(proc, lines);
  // Generous: a cold tsx start on a busy 2-core machine can take tens of seconds.
  const m = await waitForOutput(proc, lines, /Tarjuman caption hub on (https?):\/\/[^\s:]+:(\d+)/, 'hub start', options.startTimeoutMs ?? 120_000);
  const port = Number(m[2]);
  return {
    url: `${m[1]}://127.0.0.1:${port}`,
    port,
    proc,
    lines,
    stop: (signal = 'SIGKILL') => stopProcess(proc, signal),
  };
}

/**
 * A TCP proxy on loopback: clients connect to it instead of the hub. `cut()` resets every connection through it
 * and refuses new ones (a network drop as the endpoints see it once TCP gives up), `restore()` lets them
 * through again; `silence()` stops the open connections without closing them.
 */
export class TcpProxy {
  readonly port: number;
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private isCut = false;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = createServer((client) => {
      if (!proxy || proxy.isCut) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      proxy.pairs.add(pair);
      const drop = (): void => {
        proxy?.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.isCut = true;
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  restore(): void {
    this.isCut = false;
  }

  /**
   * The connections open now stop passing data, for good, without a FIN or a RST (a switch that reboots: the
   * endpoints notice only by their timeouts): both ways, or only the target's answers (`to-client`: what the client
   * sends still arrives). New connections pass as before; `cut()` or `close()` ends the silent ones.
   */
  silence(direction: 'both' | 'to-client' = 'both'): void {
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      if (direction === 'both') client.unpipe(upstream);
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * A booth the way the console publishes: every final goes into an outbox and stays there until the hub
 * acknowledges it; after a reconnect the outbox is resent in order (publishing is idempotent by line id).
 * Lines are only emitted while connected, so a resend never overtakes an older line.
 */
/** A display that counts every committed line it receives per id (live, in catch-up, or from a reset). */
export interface WatchedDisplay {
  socket: HubClientSocket;
  follower: ChannelFollower;
  receipts: Map<string, number>;
}

/** Connects a display (websocket), subscribes it to `channels` and counts the committed lines it receives. */
export async function watchDisplay(url: string, room: string, channels: string[]): Promise<WatchedDisplay> {
  const result = await connectHubClient(url, { role: 'display', room }, { transports: ['websocket'] });
  if (!result.ok) throw new Error(result.error.message);
  const receipts = new Map<string, number>();
  const follower = new ChannelFollower(result.value, {
    channels,
    changed: (change) => {
      if (change.kind === 'committed') receipts.set(change.line.id, (receipts.get(change.line.id) ?? 0) + 1);
    },
  });
  const sub = await follower.start();
  if (!sub.ok) {
    result.value.disconnect();
    throw new Error(sub.error.message);
  }
  return { socket: result.value, follower, receipts };
}

export class ResendingBooth {
  readonly socket: HubClientSocket;
  readonly channel: string;
  /** Ids acknowledged by the hub, in the order typed. */
  readonly acked = new Set<string>();
  /** When each line's final was first acknowledged (epoch ms). */
  readonly ackedAt = new Map<string, number>();
  /** Refusals other than transport trouble (must stay empty). */
  readonly refusals: string[] = [];
  private readonly outbox: PublishLine[] = [];
  private sending = false;

  private constructor(socket: HubClientSocket, channel: string) {
    this.socket = socket;
    this.channel = channel;
    socket.on('connect', () => void this.pump());
  }

  static async connect(url: string, room: string, channel: string, secret: string, clientId: string): Promise<ResendingBooth> {
    const result = await connectHubClient(url, { role: 'booth', room, channel, secret, clientId }, { transports: ['websocket'] });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    return new ResendingBooth(result.value, channel);
  }

  /** Types a committed line (id is the caller's). */
  type(id: string, text: string): void {
    this.typeLine({ id, channel: this.channel, text, state: 'final', source: 'typed' });
  }

  /** Queues a whole final line (e.g. with `startedAt`). */
  typeLine(line: PublishLine): void {
    this.outbox.push(line);
    void this.pump();
  }

  /** Lines typed but not yet acknowledged. */
  get pending(): number {
    return this.outbox.length;
  }

  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.outbox.length > 0 && this.socket.connected) {
        const line = this.outbox[0]!;
        // A slow ack is waited for (a resend while connected would only queue a duplicate behind it).
        const answer = await hubRequest(this.socket, 'caption:publish', line, 10_000);
        if (answer.ok) {
          this.acked.add(line.id);
          if (line.state === 'final' && !this.ackedAt.has(line.id)) this.ackedAt.set(line.id, Date.now());
          this.outbox.shift();
        } else if (answer.error.code === 'TIMEOUT' || answer.error.code === 'RATE_LIMITED' || answer.error.code === 'INTERNAL') {
          if (answer.error.code !== 'TIMEOUT') await new Promise((r) => setTimeout(r, 200));
        } else {
          this.refusals.push(`${line.id}: ${answer.error.code} ${answer.error.message}`);
          this.outbox.shift();
        }
      }
    } finally {
      this.sending = false;
    }
    if (this.outbox.length > 0 && this.socket.connected) void this.pump();
  }

  close(): void {
    this.socket.disconnect();
  }
}
