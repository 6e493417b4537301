/**
 * `npm run bench:soak [-- --displays 1000 --minutes 5 --booths 3 --processes 2 --seed 7 --redis]`
 *
 * A soak of the caption hub as a venue runs it: the hub CLI as a child process with a journal, `displays` room
 * displays spread over `processes` child processes (each following one language channel), `booths` booths
 * typing partials and finals (5 messages/s each, finals through an outbox that resends after a reconnect), one
 * operator revising lines and showing notices. Halfway through the hub is killed (SIGKILL) and restarted on its
 * journal; meanwhile 5% of the displays drop at random and come back (half like a network drop, which
 * socket.io's connection-state recovery may repair, half like a closed page that resubscribes from its cursor).
 *
 * With `--redis`, a throwaway redis-server and two hub nodes on it (`npm run hub -- --redis`): displays are
 * split over both nodes, booths publish through node A, the operator through node B, and node A is the one
 * killed and restarted.
 *
 * Prints what was published, delivered, missing and doubled, the p99 latency of committed lines outside the
 * restart window, and the hub's memory growth. Last line:
 * `bench:soak displays=<n> published=<p> missing=<m> doubled=<d> p99_ms=<x> rss_growth_mb=<g>`
 */
import { ChannelFollower } from '../electron/common/channel-follower';
import { CAPTION_LANGUAGES } from '../electron/common/languages';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { connectHubClient, hubRequest, type HubClientSocket } from '../electron/hub/hub-client';
import { ResendingBooth, spawnHub, startRedisServer, type HubProcess, type RedisServerProcess } from '../electron/hub/test-support';
import { mulberry32 } from '../electron/common/seeded-random';

const SECRET = 'soak-secret-60217';
const LANGUAGES: readonly string[] = CAPTION_LANGUAGES;
const HISTOGRAM_MS = 20_000;
/** Child processes to kill if the orchestrator fails. */
const spawned: ChildProcess[] = [];

type ToChild =
  | { type: 'start'; url: string; count: number; offset: number; seed: number; dropFraction: number; durationMs: number }
  | { type: 'finish'; expected: Record<string, string[]>; texts: Record<string, string>; exclude: [number, number] };

interface ChildResult {
  type: 'result';
  displays: number;
  delivered: number;
  missing: number;
  doubled: number;
  stale: number;
  gaps: number;
  drops: number;
  incomplete: number;
  histogram: number[];
}

type FromChild = { type: 'ready' } | ChildResult | { type: 'log'; text: string };


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Display child process.

interface SoakDisplay {
  socket: HubClientSocket;
  follower: ChannelFollower;
  channel: string;
  /** Latency samples count only while the display is live (not catching up after its own drop). */
  liveSince: number;
  samples: Array<[number, number]>;
  dropped: boolean;
}

async function runDisplayChild(): Promise<void> {
  // Never outlive the orchestrator.
  process.on('disconnect', () => process.exit(0));
  const send = (m: FromChild): void => void process.send?.(m);
  const start = await new Promise<ToChild & { type: 'start' }>((r) => process.once('message', (m: ToChild) => r(m as ToChild & { type: 'start' })));
  const random = mulberry32(start.seed);
  const displays: SoakDisplay[] = [];
  for (let i = 0; i < start.count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, start.count - i) }, async (_, j) => {
        const channel = LANGUAGES[(start.offset + i + j) % LANGUAGES.length]!;
        const result = await connectHubClient(start.url, { role: 'display', room: 'main', clientId: `soak-${start.offset + i + j}` }, { transports: ['websocket'], timeoutMs: 30_000 });
        if (!result.ok) throw new Error(`display ${start.offset + i + j}: ${result.error.message}`);
        const d: SoakDisplay = { socket: result.value, follower: null as unknown as ChannelFollower, channel, liveSince: 0, samples: [], dropped: false };
        d.follower = new ChannelFollower(result.value, {
          channels: [channel],
          changed: (change) => {
            if (change.kind !== 'committed') return;
            const now = Date.now();
            if (now >= d.liveSince) d.samples.push([change.line.startedAt, now - change.line.startedAt]);
          },
        });
        const follower = d.follower;
        const sub = await follower.start();
        if (!sub.ok) throw new Error(sub.error.message);
        return d;
      }),
    );
    displays.push(...batch);
  }
  send({ type: 'ready' });
  let reported = 0;
  const progress = setInterval(() => {
    const now = Date.now();
    const recent: number[] = [];
    for (const d of displays) for (let i = d.samples.length - 1; i >= 0 && d.samples[i]![0] + d.samples[i]![1] > reported; i--) recent.push(d.samples[i]![1]);
    reported = now;
    recent.sort((a, b) => a - b);
    const q = (p: number): number => recent[Math.min(recent.length - 1, Math.floor(p * recent.length))] ?? 0;
    send({ type: 'log', text: `soak:   displays ${start.offset}+${displays.length}: ${recent.length} lines in the last 15 s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms` });
  }, 15_000);

  // 5% of the displays drop once, at a random time, for 1-10 s.
  let drops = 0;
  const dropTimers: NodeJS.Timeout[] = [];
  for (const d of displays) {
    if (random() >= start.dropFraction) continue;
    drops++;
    const at = random() * start.durationMs * 0.9;
    const downMs = 1000 + random() * 9000;
    const networkLike = random() < 0.5;
    dropTimers.push(
      setTimeout(() => {
        d.dropped = true;
        d.liveSince = Number.POSITIVE_INFINITY;
        if (networkLike) {
          // The transport dies; the client reconnects by itself (socket.io may recover the session).
          d.socket.io.engine.close();
          d.socket.io.reconnectionDelay(downMs);
        } else {
          d.socket.disconnect();
          setTimeout(() => d.socket.connect(), downMs);
        }
        d.socket.once('connect', () => {
          d.liveSince = Date.now() + 2000;
          d.socket.io.reconnectionDelay(200);
        });
      }, at),
    );
  }

  const finish = await new Promise<ToChild & { type: 'finish' }>((r) => process.once('message', (m: ToChild) => r(m as ToChild & { type: 'finish' })));
  for (const t of dropTimers) clearTimeout(t);
  clearInterval(progress);
  const complete = (d: SoakDisplay): boolean => {
    const have = d.follower.lines(d.channel);
    const want = finish.expected[d.channel] ?? [];
    if (have.length < want.length) return false;
    return have.every((l) => l.text === (finish.texts[l.id] ?? l.text));
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !displays.every(complete)) await sleep(200);

  let delivered = 0;
  let missing = 0;
  let doubled = 0;
  let stale = 0;
  let gaps = 0;
  let incomplete = 0;
  const histogram = new Array<number>(HISTOGRAM_MS + 1).fill(0);
  for (const d of displays) {
    const have = new Map(d.follower.lines(d.channel).map((l) => [l.id, l] as const));
    const want = finish.expected[d.channel] ?? [];
    let displayMissing = 0;
    for (const id of want) {
      const line = have.get(id);
      if (!line) displayMissing++;
      else if (line.text !== finish.texts[id]) stale++;
    }
    const order = [...have.keys()].filter((id) => finish.texts[id] !== undefined);
    if (order.join('\n') !== want.filter((id) => have.has(id)).join('\n')) stale++;
    if (displayMissing > 0) incomplete++;
    missing += displayMissing;
    delivered += have.size;
    doubled += d.follower.stats.doubledCommits + Math.max(0, have.size - want.length);
    gaps += d.follower.stats.gaps;
    for (const [startedAt, latency] of d.samples) {
      if (startedAt >= finish.exclude[0] && startedAt <= finish.exclude[1]) continue;
      histogram[Math.min(HISTOGRAM_MS, Math.max(0, Math.round(latency)))]!++;
    }
    d.socket.disconnect();
  }
  send({ type: 'result', displays: displays.length, delivered, missing, doubled, stale, gaps, drops, incomplete, histogram });
  setTimeout(() => process.exit(0), 200);
}

// Orchestrator.

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Connected clients as the hub's /healthz reports them (0 when it does not answer). */
async function connections(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { connections?: unknown };
    return typeof body.connections === 'number' ? body.connections : 0;
  } catch {
    return 0;
  }
}

function percentile(histogram: number[], p: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let ms = 0; ms < histogram.length; ms++) {
    seen += histogram[ms]!;
    if (seen >= total * p) return ms;
  }
  return histogram.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      displays: { type: 'string', default: '1000' },
      minutes: { type: 'string', default: '5' },
      booths: { type: 'string', default: '3' },
      processes: { type: 'string', default: '2' },
      seed: { type: 'string', default: '7' },
      redis: { type: 'boolean', default: false },
    },
  });
  const displayCount = Number(values.displays);
  const durationMs = Number(values.minutes) * 60_000;
  const boothCount = Math.min(LANGUAGES.length, Number(values.booths));
  const processCount = Math.max(1, Number(values.processes));
  const seed = Number(values.seed);
  const random = mulberry32(seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'tarjuman-soak-'));
  const redis: RedisServerProcess | null = values.redis ? await startRedisServer() : null;
  const hubArgs = {
    rooms: [`main:${SECRET}`],
    channels: ['floor', ...LANGUAGES],
    ...(redis ? { redis: redis.url } : { dataDir }),
    extra: ['--history-limit', '20000'],
  };

  let hub: HubProcess = await spawnHub(hubArgs);
  spawned.push(hub.proc);
  const otherNode: HubProcess | null = redis ? await spawnHub(hubArgs) : null;
  if (otherNode) spawned.push(otherNode.proc);
  const nodeUrl = (i: number): string => (otherNode && i % 2 === 1 ? otherNode.url : hub.url);
  console.log(
    `soak: hub ${hub.url} (pid ${hub.proc.pid})${otherNode ? ` and ${otherNode.url} on Redis ${redis?.url}` : ''}, ${displayCount} displays in ${processCount} processes, ${boothCount} booths, 1 operator, ${values.minutes} min`,
  );

  const children: ChildProcess[] = [];
  const results: ChildResult[] = [];
  const self = fileURLToPath(import.meta.url);
  const perChild = Math.ceil(displayCount / processCount);
  const ready: Array<Promise<void>> = [];
  for (let c = 0; c < processCount; c++) {
    const count = Math.min(perChild, displayCount - c * perChild);
    if (count <= 0) break;
    const child = fork(self, ['--display-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    spawned.push(child);
    ready.push(
      new Promise((resolveReady, rejectReady) => {
        child.on('message', (m: FromChild) => {
          if (m.type === 'ready') resolveReady();
          else if (m.type === 'result') results.push(m);
          else if (m.type === 'log') console.log(m.text);
        });
        child.once('exit', (code) => rejectReady(new Error(`display process exited (${code}) before it was ready`)));
      }),
    );
    child.send({ type: 'start', url: nodeUrl(c), count, offset: c * perChild, seed: seed * 100 + c, dropFraction: 0.05, durationMs } satisfies ToChild);
  }
  const connectStarted = Date.now();
  await Promise.all(ready);
  console.log(`soak: ${displayCount} displays connected and subscribed in ${((Date.now() - connectStarted) / 1000).toFixed(1)} s`);

  const booths = await Promise.all(LANGUAGES.slice(0, boothCount).map((ch) => ResendingBooth.connect(hub.url, 'main', ch, SECRET, `soak-booth-${ch}`)));
  const opResult = await connectHubClient(nodeUrl(1), { role: 'operator', room: 'main', secret: SECRET, clientId: 'soak-operator' }, { transports: ['websocket'] });
  if (!opResult.ok) throw new Error(opResult.error.message);
  const operator = opResult.value;

  const expected: Record<string, string[]> = Object.fromEntries(LANGUAGES.map((l) => [l, [] as string[]]));
  const texts: Record<string, string> = {};
  let published = 0;
  let partials = 0;
  let revisions = 0;
  let notices = 0;
  const started = Date.now();
  const stopAt = started + durationMs;
  const rssSamples: Array<[number, number]> = [];
  let killAt = 0;
  let backAt = 0;
  let settledAt = 0;
  const rssBefore = { warm: 0, preKill: 0, postRestart: 0 };

  // Each booth: a partial every 200 ms, a final every fifth message (5 messages/s).
  const boothLoops = booths.map(async (booth, b) => {
    let n = 0;
    while (Date.now() < stopAt) {
      const id = `${booth.channel}-${n++}`;
      const words: string[] = [];
      for (let k = 0; k < 4; k++) {
        words.push(`w${k}`);
        if (booth.socket.connected) {
          booth.socket.emit('caption:publish', { id, channel: booth.channel, text: `${id} ${words.join(' ')}`, state: 'partial', source: 'typed' }, () => {});
          partials++;
        }
        await sleep(200);
      }
      const text = `${id} ${words.join(' ')} final.`;
      expected[booth.channel]!.push(id);
      texts[id] = text;
      published++;
      booth.typeLine({ id, channel: booth.channel, text, state: 'final', source: 'typed', startedAt: Date.now() });
      await sleep(200 + b);
    }
  });

  // The operator: a revision of a recent line every 3 s, a notice every 20 s.
  const operatorLoop = (async () => {
    let tick = 0;
    while (Date.now() < stopAt) {
      await sleep(3000);
      tick++;
      if (!operator.connected) continue;
      const channel = LANGUAGES[Math.floor(random() * boothCount)]!;
      const acked = expected[channel]!.filter((id) => booths[LANGUAGES.indexOf(channel)]!.acked.has(id)).slice(-5);
      const id = acked[Math.floor(random() * acked.length)];
      if (id !== undefined) {
        const text = `${id} revised ${tick}.`;
        const answer = await hubRequest(operator, 'caption:revise', { channel, id, text }, 5000);
        if (answer.ok) {
          texts[id] = text;
          revisions++;
        }
      }
      if (tick % 7 === 0) {
        const answer = await hubRequest(operator, 'notice:show', { text: `Session resumes at ${10 + (tick % 8)}:00`, ttlMs: 10_000 }, 5000);
        if (answer.ok) notices++;
      }
    }
  })();

  // Memory, and the restart in the middle.
  const monitor = (async () => {
    await sleep(Math.min(30_000, durationMs / 6));
    rssBefore.warm = rssMb(hub.proc.pid);
    while (Date.now() < stopAt) {
      rssSamples.push([Date.now() - started, rssMb(hub.proc.pid)]);
      if (killAt === 0 && Date.now() >= started + durationMs / 2) {
        rssBefore.preKill = rssMb(hub.proc.pid);
        killAt = Date.now();
        await hub.stop('SIGKILL');
        console.log(`soak: hub killed at ${((killAt - started) / 1000).toFixed(0)} s (rss was ${rssBefore.preKill.toFixed(0)} MB)`);
        await sleep(500);
        hub = await spawnHub({ ...hubArgs, port: hub.port });
        spawned.push(hub.proc);
        backAt = Date.now();
        console.log(`soak: hub back after ${((backAt - killAt) / 1000).toFixed(1)} s (pid ${hub.proc.pid})`);
        // The restart window lasts until (nearly) every client is connected again, then 10 s of catching up.
        const want = Math.floor(displayCount * 0.97) + boothCount + 1;
        const reconnectDeadline = Date.now() + 120_000;
        const allConnections = async (): Promise<number> => (await connections(hub.url)) + (otherNode ? await connections(otherNode.url) : 0);
        while (Date.now() < reconnectDeadline && (await allConnections()) < want) await sleep(500);
        settledAt = Date.now() + 10_000;
        console.log(`soak: ${await allConnections()} clients connected again ${((Date.now() - backAt) / 1000).toFixed(1)} s after the restart`);
        setTimeout(() => {
          rssBefore.postRestart = rssMb(hub.proc.pid);
        }, Math.min(30_000, durationMs / 6)).unref();
      }
      await sleep(1000);
    }
  })();

  const progressTimer = setInterval(() => {
    const acked = booths.reduce((a, b) => a + b.acked.size, 0);
    const pending = booths.reduce((a, b) => a + b.pending, 0);
    console.log(`soak: ${((Date.now() - started) / 1000).toFixed(0)} s: ${published} finals typed, ${acked} acknowledged, ${pending} in outboxes; hub rss ${rssMb(hub.proc.pid).toFixed(0)} MB`);
  }, 15_000);
  await Promise.all([...boothLoops, operatorLoop, monitor]);
  clearInterval(progressTimer);
  const rssEnd = rssMb(hub.proc.pid);
  const drainDeadline = Date.now() + 60_000;
  while (booths.some((b) => b.pending > 0) && Date.now() < drainDeadline) await sleep(100);
  const unacked = booths.reduce((a, b) => a + b.pending, 0);
  const refused = booths.flatMap((b) => b.refusals);

  const exclude: [number, number] = [killAt - 2000, Math.max(settledAt, (backAt || killAt) + 15_000)];
  const done = new Promise<void>((resolveDone) => {
    const check = setInterval(() => {
      if (results.length === children.length) {
        clearInterval(check);
        resolveDone();
      }
    }, 100);
  });
  for (const child of children) child.send({ type: 'finish', expected, texts, exclude } satisfies ToChild);
  await done;

  const total = results.reduce(
    (a, r) => ({
      displays: a.displays + r.displays,
      delivered: a.delivered + r.delivered,
      missing: a.missing + r.missing,
      doubled: a.doubled + r.doubled,
      stale: a.stale + r.stale,
      gaps: a.gaps + r.gaps,
      drops: a.drops + r.drops,
      incomplete: a.incomplete + r.incomplete,
    }),
    { displays: 0, delivered: 0, missing: 0, doubled: 0, stale: 0, gaps: 0, drops: 0, incomplete: 0 },
  );
  const histogram = new Array<number>(HISTOGRAM_MS + 1).fill(0);
  for (const r of results) r.histogram.forEach((v, i) => (histogram[i]! += v));
  const p50 = percentile(histogram, 0.5);
  const p99 = percentile(histogram, 0.99);
  const growthFirst = rssBefore.preKill - rssBefore.warm;
  const growthSecond = rssEnd - (rssBefore.postRestart || rssEnd);
  const growth = Math.max(growthFirst, growthSecond);

  console.log(`soak: published ${published} finals (${partials} partials, ${revisions} revisions, ${notices} notices); unacknowledged at end ${unacked}; refused ${refused.length}`);
  console.log(`soak: delivered ${total.delivered} committed lines to ${total.displays} displays; missing ${total.missing} (on ${total.incomplete} displays), doubled ${total.doubled}, stale text/order ${total.stale}, gaps repaired ${total.gaps}`);
  console.log(`soak: ${total.drops} displays dropped and reconnected; restart window excluded from latency: ${((exclude[1] - exclude[0]) / 1000).toFixed(1)} s`);
  console.log(`soak: latency of committed lines outside the restart window p50 ${p50} ms, p99 ${p99} ms (${histogram.reduce((a, b) => a + b, 0)} samples)`);
  console.log(
    `soak: hub rss warm ${rssBefore.warm.toFixed(1)} MB, before kill ${rssBefore.preKill.toFixed(1)} MB, after restart ${rssBefore.postRestart.toFixed(1)} MB, end ${rssEnd.toFixed(1)} MB; growth first half ${growthFirst.toFixed(1)} MB, second half ${growthSecond.toFixed(1)} MB`,
  );
  for (const b of booths) b.close();
  operator.disconnect();
  await hub.stop('SIGTERM');
  await otherNode?.stop('SIGTERM');
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `bench:soak displays=${total.displays} published=${published} missing=${total.missing + unacked} doubled=${total.doubled} p99_ms=${p99} rss_growth_mb=${growth.toFixed(1)}`,
  );
  process.exit(0);
}

if (process.argv.includes('--display-child')) void runDisplayChild();
else
  main().catch((err: unknown) => {
    console.error(`bench:soak failed: ${String(err instanceof Error ? err.stack : err)}`);
    for (const child of spawned) child.kill('SIGKILL');
    process.exit(1);
  });
