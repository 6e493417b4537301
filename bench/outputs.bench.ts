/**
 * `npm run bench:outputs [-- --seconds 120 --seed 7]`
 *
 * The hub CLI as a child process (journal on, outputs from a config file) with three booths (ar, en, ru) typing
 * at interpreter pace (a final every 2.5-4.5 s per channel, two or three partials before it) into 13 fake
 * targets on loopback: YouTube, Zoom, Teams and live files for each channel, and OBS for English (CEA-608 is
 * Latin script only). Faults on the way: 5xx bursts on HTTP targets, one 20 s outage of one target (connections
 * refused), and the hub SIGKILLed and restarted on the same port and data directory halfway.
 *
 * Each final carries a tag (`[017]`); a final counts as delivered to a target when its tag reached it (the
 * fakes' accepted requests, OBS's captions, the growing SRT). Last line:
 *   bench:outputs targets=<n> finals=<f> delivered=<d> missing=<m> doubled=<u> misordered=<o> stale_dropped=<s> p95_ms=<x>
 * where missing counts (target, final) pairs neither delivered nor counted as dropped by the hub
 * (`GET /outputs`), and p95 is from the hub's acknowledgement of a final to the target accepting it, leaving
 * out finals whose delivery spans an outage: the target's 20 s outage, the hub's restart, or a 5xx burst on that
 * target (a line before the last one gives the p95 with the bursts counted).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OutputStatus } from '../electron/common/caption-outputs';
import { mulberry32 } from '../electron/common/seeded-random';
import { startFakeTargets } from '../electron/hub/outputs/fake-targets';
import { freePort, ResendingBooth, spawnHub, type HubProcess } from '../electron/hub/test-support';

const CHANNELS = ['ar', 'en', 'ru'] as const;
type Channel = (typeof CHANNELS)[number];
const SECRET = 'bench-outputs-secret-4471';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const WORDS: Record<Channel, string[]> = {
  ar: 'السيدات والسادة الوفود المؤتمر الدورة الجلسة القرار التنمية المستدامة المياه الطاقة التعاون الإقليمي آسيا الوسطى طشقند نشكر الرئيس المقترح التصويت البند جدول الأعمال'.split(' '),
  en: 'ladies and gentlemen the delegations conference session resolution sustainable development water energy regional cooperation central asia tashkent we thank the chair proposal vote item agenda'.split(' '),
  ru: 'дамы и господа делегации конференция сессия резолюция устойчивое развитие водные ресурсы энергетика региональное сотрудничество центральная азия ташкент благодарим председателя предложение голосование пункт повестки'.split(' '),
};

function sentence(channel: Channel, random: () => number, tag: string): string {
  const words = WORDS[channel];
  const target = 45 + Math.floor(random() * 60);
  let text = tag;
  while ([...text].length < target) text += ` ${words[Math.floor(random() * words.length)]}`;
  return `${text}.`;
}

interface Target {
  id: string;
  channel: Channel;
  /** Tag → times it was seen (accepted by the target), in order of arrival. */
  seen(): Array<{ tag: string; at: number }>;
}

const TAG = /\[(\d{3})\]/g;

function tagsIn(text: string, at: number): Array<{ tag: string; at: number }> {
  return [...text.matchAll(TAG)].map((m) => ({ tag: m[1]!, at }));
}

async function statuses(url: string): Promise<OutputStatus[]> {
  try {
    const res = await fetch(`${url}/outputs`, { headers: { Authorization: `Bearer ${SECRET}` } });
    return ((await res.json()) as { outputs: OutputStatus[] }).outputs;
  } catch {
    return [];
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, seed: { type: 'string' } } });
  const seconds = Number(values.seconds ?? 120);
  const random = mulberry32(Number(values.seed ?? 7));
  const dataDir = mkdtempSync(join(tmpdir(), 'tarjuman-bench-outputs-'));

  const fakes = await startFakeTargets('main', CHANNELS, dataDir);
  const { http, obs, filesDir, outputs } = fakes;

  const targets: Target[] = [];
  for (const [id, fake] of http) {
    targets.push({ id, channel: id.split('-')[1] as Channel, seen: () => fake.accepted.flatMap((a) => a.texts.flatMap((t) => tagsIn(t, a.receivedAt))) });
  }
  targets.push({ id: 'obs-en', channel: 'en', seen: () => obs.captions.flatMap((c) => tagsIn(c.text, c.receivedAt)) });
  const fileSeen = new Map<Channel, Map<string, number>>(CHANNELS.map((c) => [c, new Map()]));
  for (const channel of CHANNELS) {
    targets.push({
      id: `file-${channel}`,
      channel,
      seen: () => {
        const srt = existsSync(join(filesDir, `main-${channel}.srt`)) ? readFileSync(join(filesDir, `main-${channel}.srt`), 'utf8') : '';
        const first = fileSeen.get(channel)!;
        return tagsIn(srt, 0).map((t) => ({ tag: t.tag, at: first.get(t.tag) ?? Date.now() }));
      },
    });
  }
  const pollFiles = setInterval(() => {
    for (const channel of CHANNELS) {
      const file = join(filesDir, `main-${channel}.cues.jsonl`);
      if (!existsSync(file)) continue;
      const now = Date.now();
      for (const { tag } of tagsIn(readFileSync(file, 'utf8'), now)) if (!fileSeen.get(channel)!.has(tag)) fileSeen.get(channel)!.set(tag, now);
    }
  }, 50);

  const config = join(dataDir, 'hub.json');
  writeFileSync(config, JSON.stringify({ rooms: [{ id: 'main', secret: SECRET, channels: ['floor', ...CHANNELS] }], outputs }));
  const port = await freePort();
  const startHub = (): Promise<HubProcess> =>
    spawnHub({ port, rooms: [`main:${SECRET}`], channels: ['floor', ...CHANNELS], dataDir, extra: ['--config', config] });
  let hub = await startHub();
  console.log(`[outputs] hub on ${hub.url}, ${targets.length} targets, ${seconds} s of typing`);
  const booths = new Map<Channel, ResendingBooth>();
  for (const channel of CHANNELS) booths.set(channel, await ResendingBooth.connect(hub.url, 'main', channel, SECRET, `booth-${channel}`));

  const finals = new Map<Channel, string[]>(CHANNELS.map((c) => [c, []]));
  const idOfTag = (channel: Channel, tag: string): string => `${channel}-${tag}`;
  const t0 = Date.now();
  const windows: Array<{ target: string | null; from: number; to: number }> = [];
  let typing = true;

  const interpreter = async (channel: Channel): Promise<void> => {
    const booth = booths.get(channel)!;
    let n = 0;
    await sleep(random() * 2000);
    while (typing) {
      const tag = String(++n).padStart(3, '0');
      const id = idOfTag(channel, tag);
      const text = sentence(channel, random, `[${tag}]`);
      const words = text.split(' ');
      const partials = 2 + Math.floor(random() * 2);
      for (let p = 1; p <= partials; p++) {
        booth.typeLine({ id, channel, text: words.slice(0, Math.ceil((words.length * p) / (partials + 1))).join(' '), state: 'partial', source: 'voice-stt' });
        await sleep(400 + random() * 400);
      }
      booth.typeLine({ id, channel, text, state: 'final', source: 'voice-stt' });
      finals.get(channel)!.push(tag);
      await sleep(1000 + random() * 1500);
    }
  };

  const faults = (async () => {
    const httpIds = [...http.keys()];
    let burst = 0;
    const outageAt = t0 + seconds * 0.2 * 1000;
    const killAt = t0 + seconds * 0.5 * 1000;
    let outageDone = false;
    let killDone = false;
    while (typing) {
      await sleep(250);
      const now = Date.now();
      if (now - t0 > (burst + 1) * (seconds * 1000) / 6) {
        burst++;
        const picked = new Set<string>();
        while (picked.size < 3) picked.add(httpIds[Math.floor(random() * httpIds.length)]!);
        for (const [k, id] of [...picked].entries()) http.get(id)!.failNext(3, [500, 502, 503][k]!);
        console.log(`[outputs] t=${((now - t0) / 1000).toFixed(0)} s: 5xx burst on three targets`);
      }
      if (!outageDone && now >= outageAt) {
        outageDone = true;
        const target = 'zoom-ru';
        console.log(`[outputs] t=${((now - t0) / 1000).toFixed(0)} s: ${target} down for 20 s`);
        await http.get(target)!.down();
        const from = Date.now();
        setTimeout(() => {
          void http.get(target)!.up().then(() => {
            windows.push({ target, from, to: Date.now() });
            console.log(`[outputs] ${target} back up`);
          });
        }, 20_000);
      }
      if (!killDone && now >= killAt) {
        killDone = true;
        console.log(`[outputs] t=${((now - t0) / 1000).toFixed(0)} s: hub SIGKILL and restart`);
        const from = Date.now();
        await hub.stop('SIGKILL');
        hub = await startHub();
        windows.push({ target: null, from, to: Date.now() });
        console.log(`[outputs] hub restarted after ${((Date.now() - from) / 1000).toFixed(1)} s`);
      }
    }
  })();

  const typists = CHANNELS.map((c) => interpreter(c));
  await sleep(seconds * 1000);
  typing = false;
  await Promise.all(typists);
  await faults;
  // Let booths' outboxes and then every output drain.
  const drainDeadline = Date.now() + 90_000;
  while (Date.now() < drainDeadline && [...booths.values()].some((b) => b.pending > 0)) await sleep(200);
  let quietSince = Date.now();
  let lastCount = -1;
  while (Date.now() < drainDeadline) {
    const list = await statuses(hub.url);
    const count = targets.reduce((n, t) => n + t.seen().length, 0);
    if (count !== lastCount) {
      lastCount = count;
      quietSince = Date.now();
    }
    if (list.length > 0 && list.every((s) => s.backlog === 0) && Date.now() - quietSince > 3000) break;
    await sleep(500);
  }
  clearInterval(pollFiles);

  const final = await statuses(hub.url);
  const byId = new Map(final.map((s) => [s.id, s]));
  let delivered = 0;
  let missing = 0;
  let doubled = 0;
  let misordered = 0;
  let staleDropped = 0;
  const latencies: number[] = [];
  const withBursts: number[] = [];
  for (const target of targets) {
    const booth = booths.get(target.channel)!;
    const expected = finals.get(target.channel)!.filter((tag) => booth.acked.has(idOfTag(target.channel, tag)));
    const seen = target.seen();
    const counts = new Map<string, number>();
    for (const s of seen) counts.set(s.tag, (counts.get(s.tag) ?? 0) + 1);
    const firstAt = new Map<string, number>();
    for (const s of seen) if (!firstAt.has(s.tag)) firstAt.set(s.tag, s.at);
    const status = byId.get(target.id);
    const dropped = status ? status.dropped.stale + status.dropped.overflow : 0;
    const got = expected.filter((tag) => counts.has(tag));
    delivered += got.length;
    doubled += [...counts.values()].filter((c) => c > 1).length;
    staleDropped += dropped;
    missing += Math.max(0, expected.length - got.length - dropped);
    const order = [...firstAt.keys()];
    for (let i = 1; i < order.length; i++) if (Number(order[i]) < Number(order[i - 1])) misordered++;
    const mine: number[] = [];
    const deliveries = got.flatMap((tag) => {
      const acked = booth.ackedAt.get(idOfTag(target.channel, tag));
      const at = firstAt.get(tag);
      return acked === undefined || at === undefined ? [] : [{ acked, at }];
    });
    // An outage lasts until the target has caught up: the first delivery of a final acknowledged after it ended.
    const caughtUp = (from: number, to: number): { from: number; to: number } => ({
      from,
      to: Math.min(...deliveries.filter((d) => d.acked >= to).map((d) => d.at), Infinity),
    });
    const outages = windows.filter((w) => w.target === null || w.target === target.id).map((w) => caughtUp(w.from, w.to));
    // A 5xx burst is a short outage: from its first refused request to the first request accepted after its last.
    const bursts: Array<{ from: number; to: number }> = [];
    const fake = http.get(target.id);
    for (const f of fake?.faultsAnsweredAt ?? []) {
      const last = bursts.at(-1);
      if (last && f - last.to < 10_000) last.to = f;
      else bursts.push({ from: f, to: f });
    }
    const burstWindows = bursts.map((b) => caughtUp(b.from, b.to));
    for (const { acked, at } of deliveries) {
      const overlaps = (w: { from: number; to: number }): boolean => acked <= w.to && at >= w.from;
      const spansOutage = outages.some(overlaps);
      const spansBurst = burstWindows.some(overlaps);
      if (!spansOutage) withBursts.push(Math.max(0, at - acked));
      if (!spansOutage && !spansBurst) {
        latencies.push(Math.max(0, at - acked));
        mine.push(Math.max(0, at - acked));
      }
    }
    const violations = target.id.startsWith('obs') ? obs.violations : target.id.startsWith('file') ? [] : http.get(target.id)!.violations;
    console.log(
      `[outputs] ${target.id.padEnd(11)} finals ${String(expected.length).padStart(3)} delivered ${String(got.length).padStart(3)} dropped ${dropped}${status && status.dropped.overflow > 0 ? ` (overflow ${status.dropped.overflow})` : ""} ` +
        `p50 ${percentile(mine, 50).toFixed(0)} ms state ${status?.state ?? '?'}${status?.code ? ` (${status.code})` : ''} retries ${status?.retries ?? '?'} violations ${violations.length}${violations.length > 0 ? `: ${violations[0]}` : ''}${target.id.startsWith('obs') || target.id.startsWith('file') ? '' : ` ${JSON.stringify(http.get(target.id)!.stats)}`}`,
    );
  }
  const totalFinals = CHANNELS.reduce((n, c) => n + finals.get(c)!.filter((tag) => booths.get(c)!.acked.has(idOfTag(c, tag))).length, 0);
  for (const b of booths.values()) b.close();
  await hub.stop('SIGTERM');
  await fakes.close();
  const p95 = percentile(latencies, 95);
  console.log(`[outputs] latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms over ${latencies.length} deliveries outside outages and 5xx bursts`);
  console.log(`[outputs] counting deliveries delayed by a 5xx burst too: p95 ${percentile(withBursts, 95).toFixed(0)} ms, p99 ${percentile(withBursts, 99).toFixed(0)} ms over ${withBursts.length}`);
  console.log(
    `bench:outputs targets=${targets.length} finals=${totalFinals} delivered=${delivered} missing=${missing} doubled=${doubled} misordered=${misordered} stale_dropped=${staleDropped} p95_ms=${p95.toFixed(0)}`,
  );
  process.exit(0);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
