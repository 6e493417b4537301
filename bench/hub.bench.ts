/**
 * `npm run bench:hub [-- --displays 1000 --seconds 20 --workers 2 --channels-per-display 1 --with-outputs]`
 *
 * N display clients (websocket transport) in separate child processes, so the hub process keeps a core; three
 * booths (ar, en, ru) in the hub's process publish at ~5 messages/s each (four partials then a final per line)
 * for a fixed time. Each message carries its send time in its text; displays measure delivery latency on
 * arrival, and at the end every display is checked for every committed line of its channel (lost = 0 expected).
 * Then the same load runs through a bare socket.io broadcast server (no validation, no history, no journal)
 * as the baseline. The last line is:
 *   bench:hub displays=<n> p50_ms=<x> p99_ms=<y> lost=<k> baseline_p99_ms=<z> ratio_p99=<y/z>
 */
import { ChannelFollower } from '../electron/common/channel-follower';
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { CAPTION_LANGUAGES } from '../electron/common/languages';
import type { CaptionLine } from '../electron/common/protocol';
import { boothRelay } from '../electron/hub/booth-relay';
import { startCaptionHub, silentLogger, type CaptionHub } from '../electron/hub/index';
import { connectHubClient, hubRequest, type HubClientSocket } from '../electron/hub/hub-client';
import { startFakeTargets } from '../electron/hub/outputs/fake-targets';
import { hubOutputs } from '../electron/hub/outputs/hub-outputs';

const CHANNELS = CAPTION_LANGUAGES;
const SECRET = 'bench-room-secret-0001';
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Mode = 'hub' | 'baseline';

/** Parent → child. */
type ToChild =
  | { type: 'connect'; mode: Mode; url: string; count: number; offset: number; channelsPerDisplay: number }
  | { type: 'finish'; expected: Record<string, string[]> }
  | { type: 'exit' };

/** Child → parent. */
type FromChild =
  | { type: 'ready' }
  | { type: 'connected'; ok: number; failed: number; firstError: string | null; ms: number }
  | { type: 'result'; partialMs: number[]; finalMs: number[]; lost: number; doubled: number; gaps: number; received: number };

/** A message in the bench's payload: `<line id> <index> @<send time>`. */
function stamp(id: string, i: number): string {
  return `${id} ${i} @${now().toFixed(3)}`;
}
function sentAt(text: string): number | null {
  const m = /@(\d+(?:\.\d+)?)$/.exec(text);
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------- child side

async function runChild(): Promise<void> {
  const partialMs: number[] = [];
  const finalMs: number[] = [];
  const hubDisplays: Array<{ follower: ChannelFollower; channels: string[]; socket: HubClientSocket }> = [];
  const baseDisplays: Array<{ socket: Socket; channels: string[]; finals: Set<string>; doubled: number }> = [];
  const send = (m: FromChild): void => {
    process.send?.(m);
  };

  async function connectOne(msg: ToChild & { type: 'connect' }, index: number): Promise<void> {
    const channels = Array.from({ length: msg.channelsPerDisplay }, (_, k) => CHANNELS[(index + k) % CHANNELS.length]!);
    if (msg.mode === 'hub') {
      const result = await connectHubClient(msg.url, { role: 'display', room: 'main' }, { transports: ['websocket'], timeoutMs: 60_000 });
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      const measure = (line: CaptionLine, into: number[]): void => {
        const t = sentAt(line.text);
        if (t !== null && !line.id.startsWith('warm')) into.push(now() - t);
      };
      const follower = new ChannelFollower(result.value, {
        channels,
        partial: (update) => measure(update.line, partialMs),
        changed: (change) => {
          if (change.kind === 'committed') measure(change.line, finalMs);
        },
      });
      const sub = await follower.start();
      if (!sub.ok) throw new Error(`${sub.error.code}: ${sub.error.message}`);
      hubDisplays.push({ follower, channels, socket: result.value });
    } else {
      const socket = ioClient(msg.url, { transports: ['websocket'], forceNew: true, timeout: 60_000 });
      const entry = { socket, channels, finals: new Set<string>(), doubled: 0 };
      socket.on('msg', (m: { id: string; text: string; final: boolean }) => {
        const t = sentAt(m.text);
        if (t === null || m.id.startsWith('warm')) return;
        if (m.final) {
          finalMs.push(now() - t);
          if (entry.finals.has(m.id)) entry.doubled++;
          entry.finals.add(m.id);
        } else partialMs.push(now() - t);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (e) => reject(e));
      });
      await socket.timeout(60_000).emitWithAck('sub', channels);
      baseDisplays.push(entry);
    }
  }

  process.on('message', (raw: ToChild) => {
    void (async () => {
      if (raw.type === 'connect') {
        const started = Date.now();
        let ok = 0;
        let failed = 0;
        let firstError: string | null = null;
        const batch = 50;
        for (let i = 0; i < raw.count; i += batch) {
          const results = await Promise.allSettled(
            Array.from({ length: Math.min(batch, raw.count - i) }, (_, k) => connectOne(raw, raw.offset + i + k)),
          );
          for (const r of results) {
            if (r.status === 'fulfilled') ok++;
            else {
              failed++;
              firstError ??= String(r.reason);
            }
          }
        }
        send({ type: 'connected', ok, failed, firstError, ms: Date.now() - started });
      } else if (raw.type === 'finish') {
        let lost = 0;
        let doubled = 0;
        let gaps = 0;
        let received = 0;
        for (const d of hubDisplays) {
          for (const c of d.channels) {
            const have = new Set(d.follower.lines(c).map((l) => l.id));
            received += have.size;
            for (const id of raw.expected[c] ?? []) if (!have.has(id)) lost++;
          }
          doubled += d.follower.stats.doubledCommits + d.follower.stats.droppedDuplicates;
          gaps += d.follower.stats.gaps;
        }
        for (const d of baseDisplays) {
          received += d.finals.size;
          for (const c of d.channels) for (const id of raw.expected[c] ?? []) if (!d.finals.has(id)) lost++;
          doubled += d.doubled;
        }
        send({ type: 'result', partialMs, finalMs, lost, doubled, gaps, received });
        for (const d of hubDisplays) d.socket.disconnect();
        for (const d of baseDisplays) d.socket.disconnect();
        hubDisplays.length = 0;
        baseDisplays.length = 0;
        partialMs.length = 0;
        finalMs.length = 0;
      } else if (raw.type === 'exit') {
        process.exit(0);
      }
    })().catch((err: unknown) => {
      console.error(`bench child: ${String(err)}`);
      process.exit(1);
    });
  });
  send({ type: 'ready' });
}

// --------------------------------------------------------------------------------------------- parent side

interface Publisher {
  publish(channel: string, id: string, text: string, final: boolean): Promise<boolean>;
  close(): void;
}

async function hubPublishers(hub: CaptionHub): Promise<Publisher> {
  const booths = new Map<string, HubClientSocket>();
  for (const channel of CHANNELS) {
    const r = await connectHubClient(hub.url, { role: 'booth', room: 'main', channel, secret: SECRET, label: `bench ${channel}` }, { transports: ['websocket'] });
    if (!r.ok) throw new Error(`booth ${channel}: ${r.error.code} ${r.error.message}`);
    booths.set(channel, r.value);
  }
  return {
    async publish(channel, id, text, final) {
      const r = await hubRequest(booths.get(channel)!, 'caption:publish', { id, channel, text, state: final ? 'final' : 'partial', source: 'typed' }, 30_000);
      return r.ok;
    },
    close: () => booths.forEach((b) => b.disconnect()),
  };
}

/** The baseline: socket.io rooms and broadcast, nothing else. */
async function startBaseline(): Promise<{ url: string; close(): Promise<void> }> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('sub', (channels: string[], ack: () => void) => {
      for (const c of channels) void socket.join(c);
      ack();
    });
    socket.on('pub', (m: { channel: string; id: string; text: string; final: boolean }, ack: (ok: boolean) => void) => {
      io.to(m.channel).emit('msg', m);
      ack(true);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      io.disconnectSockets(true);
      await io.close();
    },
  };
}

async function baselinePublishers(url: string): Promise<Publisher> {
  const socket = ioClient(url, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    async publish(channel, id, text, final) {
      return (await socket.timeout(30_000).emitWithAck('pub', { channel, id, text, final })) === true;
    },
    close: () => socket.disconnect(),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface PhaseResult {
  p50: number;
  p99: number;
  finalP50: number;
  finalP99: number;
  partialP99: number;
  lost: number;
  doubled: number;
  gaps: number;
  published: number;
  finals: number;
  publishFailures: number;
  deliveries: number;
  rssPeakMb: number;
  rssIdleMb: number;
  connectMs: number;
}

function waitFor<T extends FromChild['type']>(child: ChildProcess, type: T): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromChild): void => {
      if (m.type === type) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as Extract<FromChild, { type: T }>);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`a client process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function runPhase(
  mode: Mode,
  url: string,
  makePublishers: () => Promise<Publisher>,
  children: ChildProcess[],
  opts: { displays: number; seconds: number; channelsPerDisplay: number; ratePerBooth: number; warmupSeconds: number },
): Promise<PhaseResult> {
  const per = Math.ceil(opts.displays / children.length);
  const connectStart = Date.now();
  const connected = await Promise.all(
    children.map((child, i) => {
      const count = Math.max(0, Math.min(per, opts.displays - i * per));
      const reply = waitFor(child, 'connected');
      child.send({ type: 'connect', mode, url, count, offset: i * per, channelsPerDisplay: opts.channelsPerDisplay } satisfies ToChild);
      return reply;
    }),
  );
  const connectMs = Date.now() - connectStart;
  const failed = connected.reduce((s, c) => s + c.failed, 0);
  console.log(`[${mode}] ${opts.displays - failed}/${opts.displays} displays connected and subscribed in ${connectMs} ms`);
  if (failed > 0) console.log(`[${mode}] ${failed} displays failed to connect, first error: ${connected.find((c) => c.firstError)?.firstError}`);
  await sleep(500);
  const rssIdleMb = process.memoryUsage().rss / 2 ** 20;

  const publishers = await makePublishers();
  const expected: Record<string, string[]> = { ar: [], en: [], ru: [] };
  let published = 0;
  let publishFailures = 0;
  const interval = 1000 / opts.ratePerBooth;
  const pending: Array<Promise<void>> = [];
  /** Publishes at the booth rate for `seconds`; lines named `warm...` are not measured. */
  const publishFor = async (prefix: string, seconds: number): Promise<void> => {
    const start = now();
    const end = start + seconds * 1000;
    await Promise.all(
      CHANNELS.map(async (channel, b) => {
        let k = 0;
        // Booths start staggered, as real ones would.
        let next = start + (b * interval) / CHANNELS.length;
        while (next < end) {
          const wait = next - now();
          if (wait > 0) await sleep(wait);
          const id = `${prefix}-${channel}-${Math.floor(k / 5)}`;
          const final = k % 5 === 4;
          const text = stamp(id, k % 5);
          const measured = prefix !== 'warm';
          if (measured) published++;
          pending.push(
            publishers.publish(channel, id, text, final).then((ok) => {
              if (!measured) return;
              if (!ok) publishFailures++;
              else if (final) expected[channel]!.push(id);
            }),
          );
          k++;
          next += interval;
        }
      }),
    );
  };
  // Warm-up: JIT, buffers and the GC of the connection storm settle before measuring.
  await publishFor('warm', opts.warmupSeconds);
  await Promise.all(pending);
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 250);
  await publishFor(mode, opts.seconds);
  await Promise.all(pending);
  await sleep(2000);
  clearInterval(sampler);
  const results = await Promise.all(
    children.map((child) => {
      const reply = waitFor(child, 'result');
      child.send({ type: 'finish', expected } satisfies ToChild);
      return reply;
    }),
  );
  publishers.close();
  const all = results.flatMap((r) => [...r.partialMs, ...r.finalMs]).sort((a, b) => a - b);
  const finalsSorted = results.flatMap((r) => r.finalMs).sort((a, b) => a - b);
  const partialSorted = results.flatMap((r) => r.partialMs).sort((a, b) => a - b);
  const finals = CHANNELS.reduce((s, c) => s + expected[c]!.length, 0);
  return {
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    finalP50: percentile(finalsSorted, 50),
    finalP99: percentile(finalsSorted, 99),
    partialP99: percentile(partialSorted, 99),
    lost: results.reduce((s, r) => s + r.lost, 0) + failed * finals,
    doubled: results.reduce((s, r) => s + r.doubled, 0),
    gaps: results.reduce((s, r) => s + r.gaps, 0),
    published,
    finals,
    publishFailures,
    deliveries: all.length,
    rssPeakMb: rssPeak / 2 ** 20,
    rssIdleMb,
    connectMs,
  };
}

function report(mode: Mode, r: PhaseResult, displays: number, seconds: number): void {
  const f = (x: number): string => x.toFixed(1);
  console.log(
    `[${mode}] published ${r.published} messages (${r.finals} finals, ${r.publishFailures} refused) in ${seconds} s; ` +
      `${r.deliveries} deliveries (${f(r.deliveries / seconds)}/s) to ${displays} displays`,
  );
  console.log(
    `[${mode}] latency all p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms; finals p50 ${f(r.finalP50)} ms, p99 ${f(r.finalP99)} ms; partials p99 ${f(r.partialP99)} ms`,
  );
  console.log(`[${mode}] lost finals ${r.lost}, duplicates ${r.doubled}, gaps ${r.gaps}; process RSS idle ${f(r.rssIdleMb)} MB, peak ${f(r.rssPeakMb)} MB`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      displays: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      workers: { type: 'string', default: '2' },
      rate: { type: 'string', default: '5' },
      'channels-per-display': { type: 'string', default: '1' },
      'no-journal': { type: 'boolean', default: false },
      'journal-sync': { type: 'string', default: 'write' },
      'baseline-first': { type: 'boolean', default: false },
      warmup: { type: 'string', default: '5' },
      'with-outputs': { type: 'boolean', default: false },
    },
  });
  const displays = Number(values.displays);
  const seconds = Number(values.seconds);
  const workers = Number(values.workers);
  const ratePerBooth = Number(values.rate);
  const channelsPerDisplay = Number(values['channels-per-display']);
  const warmupSeconds = Number(values.warmup);
  if (![displays, seconds, workers, ratePerBooth, channelsPerDisplay].every((x) => Number.isFinite(x) && x > 0) || channelsPerDisplay > 3) {
    console.error('bench:hub: --displays, --seconds, --workers, --rate want positive numbers; --channels-per-display 1..3');
    process.exit(2);
  }
  let fdLimit = NaN;
  try {
    fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  } catch {
    // Not a POSIX shell: skip the check.
  }
  console.log(
    `bench:hub: ${displays} displays in ${workers} client processes, ${channelsPerDisplay} channel(s) each; 3 booths at ${ratePerBooth} msg/s for ${seconds} s after a ${warmupSeconds} s warm-up; ` +
      `node ${process.version}, open-file limit ${Number.isNaN(fdLimit) ? 'unknown' : fdLimit}`,
  );
  if (fdLimit < displays + 200) {
    console.log(`bench:hub: WARNING the open-file limit (${fdLimit}) is below displays + 200: the hub may refuse connections (raise it with ulimit -n)`);
  }

  const children = Array.from({ length: workers }, () => fork(import.meta.filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(children.map((child) => waitFor(child, 'ready')));
  const dataDir = await mkdtemp(join(tmpdir(), 'tarjuman-bench-'));
  try {
    const runHub = async (): Promise<PhaseResult> => {
      // --with-outputs: the hub also feeds 13 platform outputs (fakes on loopback), to compare the displays' figures.
      const targets = values['with-outputs'] ? await startFakeTargets('main', CHANNELS, dataDir) : null;
      const outputs = targets ? hubOutputs({ outputs: targets.outputs, dataDir }) : null;
      const hub = await startCaptionHub({
        host: '127.0.0.1',
        port: 0,
        rooms: [{ id: 'main', secret: SECRET }],
        logger: silentLogger,
        ...(outputs ? { features: [boothRelay(), outputs] } : {}),
        ...(values['no-journal'] ? {} : { dataDir, journalSync: values['journal-sync'] === 'fsync' ? 'fsync' : 'write' }),
      });
      console.log(`[hub] caption hub at ${hub.url} (history store: ${hub.health().store.kind}${values['no-journal'] ? '' : `, journal sync: ${values['journal-sync']}`})`);
      if (targets) console.log(`[hub] with ${targets.outputs.length} platform outputs`);
      const result = await runPhase('hub', hub.url, () => hubPublishers(hub), children, { displays, seconds, channelsPerDisplay, ratePerBooth, warmupSeconds });
      report('hub', result, displays, seconds);
      if (outputs) console.log(`[hub] outputs: ${outputs.list().reduce((n, o) => n + o.delivered, 0)} captions delivered`);
      await hub.close();
      await targets?.close();
      return result;
    };
    const runBaseline = async (): Promise<PhaseResult> => {
      const baseline = await startBaseline();
      console.log(`[baseline] bare socket.io broadcast server at ${baseline.url}`);
      const result = await runPhase('baseline', baseline.url, () => baselinePublishers(baseline.url), children, {
        displays,
        seconds,
        channelsPerDisplay,
        ratePerBooth,
        warmupSeconds,
      });
      report('baseline', result, displays, seconds);
      await baseline.close();
      return result;
    };
    let hubResult: PhaseResult;
    let baseResult: PhaseResult;
    if (values['baseline-first']) {
      baseResult = await runBaseline();
      await sleep(1000);
      hubResult = await runHub();
    } else {
      hubResult = await runHub();
      await sleep(1000);
      baseResult = await runBaseline();
    }

    const ratio = hubResult.p99 / baseResult.p99;
    console.log(
      `bench:hub displays=${displays} p50_ms=${hubResult.p50.toFixed(1)} p99_ms=${hubResult.p99.toFixed(1)} lost=${hubResult.lost} baseline_p99_ms=${baseResult.p99.toFixed(1)} ratio_p99=${ratio.toFixed(2)}`,
    );
  } finally {
    for (const child of children) child.send({ type: 'exit' } satisfies ToChild);
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) {
  void runChild();
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`bench:hub failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
