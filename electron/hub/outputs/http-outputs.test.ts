import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLogger, until } from '../test-support';
import { FakeCaptionPlatform, type FakePlatformKind } from './fake-platforms';
import { TeamsDriver, YoutubeDriver, ZoomDriver } from './http-drivers';
import type { OutgoingCaption, OutputDriver } from './output-driver';
import { MemoryProgressStore } from './output-progress';
import { OutputRunner } from './output-runner';

const fakes: FakeCaptionPlatform[] = [];
const runners: OutputRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});


async function fake(kind: FakePlatformKind, options: { clockSkewMs?: number } = {}): Promise<FakeCaptionPlatform> {
  const f = await FakeCaptionPlatform.start({ kind, ...options });
  fakes.push(f);
  return f;
}

function driverFor(f: FakeCaptionPlatform, lang = 'en-US', url = f.url): OutputDriver {
  if (f.kind === 'youtube') return new YoutubeDriver({ url, requestTimeoutMs: 500 });
  if (f.kind === 'zoom') return new ZoomDriver({ url, lang, requestTimeoutMs: 500 });
  return new TeamsDriver({ url, lang, requestTimeoutMs: 500 });
}

async function runner(
  driver: OutputDriver,
  options: { progress?: MemoryProgressStore; maxAgeMs?: number; minIntervalMs?: number; backlog?: number; log?: RecordingLogger } = {},
): Promise<OutputRunner> {
  const r = new OutputRunner({
    id: 'out-1',
    driver,
    progress: options.progress ?? new MemoryProgressStore(),
    minIntervalMs: options.minIntervalMs ?? 150,
    maxAgeMs: options.maxAgeMs ?? 60_000,
    retryBaseMs: 100,
    logger: options.log ?? new RecordingLogger(),
    ...(options.backlog !== undefined ? { backlog: options.backlog } : {}),
  });
  runners.push(r);
  await r.start();
  return r;
}

let cursor = 0;
function final(text: string, lang = 'en', at = Date.now()): OutgoingCaption {
  cursor++;
  return { kind: 'final', lineId: `line-${cursor}`, revision: 0, text, lang, at, cursor };
}

const ARABIC = 'السيدات والسادة، أهلاً بكم في الجلسة الافتتاحية للمؤتمر.';
const RUSSIAN = 'Дамы и господа, добро пожаловать на открытие конференции.';

describe.each(['youtube', 'zoom', 'teams'] as const)('%s output against the strict fake', (kind) => {
  it('delivers Arabic, Russian and English finals in order with seq 1, 2, 3... and no breach of the rules', async () => {
    const f = await fake(kind);
    const r = await runner(driverFor(f));
    r.offer(final('Good morning, ladies and gentlemen.'));
    r.offer(final(ARABIC, 'ar'));
    r.offer(final(RUSSIAN, 'ru'));
    await until(() => r.status().counters.delivered === 3, 10_000, 'three delivered');
    expect(f.violations).toEqual([]);
    const all = f.texts().join(' ').replace(/<br>|\n/g, ' ');
    expect(all.indexOf('Good morning')).toBeLessThan(all.indexOf('السيدات'));
    expect(all.indexOf('السيدات')).toBeLessThan(all.indexOf('Дамы'));
    expect(f.accepted.map((a) => a.seq)).toEqual(f.accepted.map((_, i) => i + 1));
    expect(r.status()).toMatchObject({ state: 'sending', backlog: 0, seq: f.seq });
  });

  it('repeats a refused request under the same seq and recovers from 5xx, 408 and 429 without doubling', async () => {
    const f = await fake(kind);
    const log = new RecordingLogger();
    const r = await runner(driverFor(f), { log });
    f.failNext(1, 503);
    f.failNext(1, 408);
    f.failNext(1, 429, 1);
    f.failNext(1, 500);
    r.offer(final('First line after the faults.'));
    // The failing state lasts four paced retries: read from the log, which a loaded machine cannot miss.
    await until(() => log.text().includes('output request failed'), 5000, 'failure reported');
    expect(log.text()).toMatch(/output request failed .*"code":"503","failures":1/);
    r.offer(final('Second line.'));
    await until(() => r.status().counters.delivered === 2, 15_000, 'both delivered');
    expect(f.violations).toEqual([]);
    expect(f.accepted.map((a) => a.seq)).toEqual(f.accepted.map((_, i) => i + 1));
    const joined = f.texts().join('|');
    expect(joined.match(/First line/g)).toHaveLength(1);
    expect(r.status().counters.retries).toBe(4);
    expect(r.status().state).toBe('sending');
  }, 30_000);

  it('a request whose answer is lost is sent again unchanged: the platform sees a retry, not a new caption', async () => {
    const f = await fake(kind);
    const r = await runner(driverFor(f));
    f.hangNext(1, true);
    r.offer(final('A line whose answer never comes back.'));
    await until(() => r.status().counters.delivered === 1, 10_000, 'delivered');
    r.offer(final('The next line.'));
    await until(() => r.status().counters.delivered === 2, 10_000, 'next delivered');
    expect(f.violations).toEqual([]);
    expect(f.texts().join('|').match(/never comes back/g)).toHaveLength(1);
    expect(kind === 'zoom' ? f.stats.retries : f.stats.retries).toBeGreaterThanOrEqual(kind === 'zoom' ? 0 : 1);
  }, 20_000);

  it('drops captions that went stale during an outage, counts them, and sends the fresh ones after it', async () => {
    const f = await fake(kind);
    const r = await runner(driverFor(f), { maxAgeMs: 1000 });
    await f.down();
    r.offer(final('Said during the outage, one.'));
    r.offer(final('Said during the outage, two.'));
    await until(() => r.status().state === 'failing', 5000, 'failing');
    expect(r.status().code).toBe('NETWORK');
    await new Promise((res) => setTimeout(res, 1500));
    await f.up();
    r.offer(final('Said after the outage.'));
    await until(() => r.status().counters.delivered === 1, 15_000, 'fresh delivered');
    expect(r.status().counters.stale).toBe(2);
    expect(f.texts().join('|')).not.toMatch(/outage, (one|two)/);
    expect(f.violations).toEqual([]);
  }, 30_000);

  it('never puts more than one request a second on the wire and coalesces what arrives faster', async () => {
    const f = await fake(kind);
    const r = await runner(driverFor(f), { minIntervalMs: 1000 });
    for (let i = 0; i < 6; i++) r.offer(final(`Short line ${i}.`));
    await until(() => r.status().counters.delivered === 6, 15_000, 'all delivered');
    const times = f.accepted.map((a) => a.receivedAt);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
    expect(f.accepted.length).toBeLessThan(6);
    expect(f.texts().join(' ')).toMatch(/Short line 0\.[\s\S]*Short line 5\./);
  }, 30_000);

  it('resumes after a restart from the saved state: nothing repeated, nothing skipped', async () => {
    const f = await fake(kind);
    const progress = new MemoryProgressStore();
    const first = await runner(driverFor(f), { progress });
    const a = final('Before the restart.');
    first.offer(a);
    await until(() => first.status().counters.delivered === 1, 10_000, 'first delivered');
    // The next request is in flight when the hub dies: the target takes it, the answer is lost.
    f.hangNext(1, true);
    const b = final('In flight at the crash.');
    first.offer(b);
    await until(() => f.accepted.length === 2, 10_000, 'taken by the target');
    await first.stop();
    runners.splice(runners.indexOf(first), 1);

    const second = await runner(driverFor(f), { progress });
    expect(second.cursor).toBe(a.cursor);
    // The feed offers again everything after the saved position.
    second.offer(b);
    second.offer(final('After the restart.'));
    await until(() => f.texts().join('|').includes('After the restart'), 10_000, 'after restart delivered');
    expect(f.violations).toEqual([]);
    expect(f.texts().join('|').match(/In flight at the crash/g)).toHaveLength(1);
    expect(f.accepted.map((x) => x.seq)).toEqual([1, 2, 3]);
  }, 30_000);
});

describe('platform specifics', () => {
  it('YouTube: timestamps in its format, in step with the server clock even when it is far off ours', async () => {
    const f = await fake('youtube', { clockSkewMs: -20_000 });
    const driver = new YoutubeDriver({ url: f.url, requestTimeoutMs: 500 });
    const r = await runner(driver);
    r.offer(final('Line one.\nwith a break'));
    await until(() => r.status().counters.delivered === 1, 10_000, 'delivered');
    expect(f.violations).toEqual([]);
    expect(f.stats.heartbeats).toBe(1);
    expect(driver.clockOffsetMs).toBeGreaterThan(-21_000);
    expect(driver.clockOffsetMs).toBeLessThan(-19_000);
    const [accepted] = f.accepted;
    expect(Math.abs(accepted!.timestamps[0]! - (Date.now() - 20_000))).toBeLessThan(3000);
  });

  it('YouTube: a long final becomes several two-line cues with <br>, in one POST', async () => {
    const f = await fake('youtube');
    const r = await runner(driverFor(f));
    const long = 'The delegations of the member states have agreed, after long consultations in the working group, to adopt the draft resolution without a vote, and the chair thanks everyone for their patience.';
    r.offer(final(long));
    await until(() => r.status().counters.delivered === 1, 10_000, 'delivered');
    expect(f.accepted).toHaveLength(1);
    expect(f.accepted[0]!.texts.length).toBeGreaterThan(1);
    for (const t of f.accepted[0]!.texts) {
      const lines = t.split('<br>');
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(42);
    }
    expect(f.texts().join(' ').replace(/<br>/g, ' ')).toBe(long);
  });

  it('Zoom: resumes from GET seq when it has no state of its own (another process sent before)', async () => {
    const f = await fake('zoom');
    const earlier = await runner(driverFor(f), { progress: new MemoryProgressStore() });
    earlier.offer(final('From an earlier process.'));
    await until(() => f.seq === 1, 10_000, 'seq 1');
    await earlier.stop();
    runners.splice(runners.indexOf(earlier), 1);
    const r = await runner(driverFor(f), { progress: new MemoryProgressStore() });
    r.offer(final('From this process.'));
    // The runner's own count of the answer (the fake counts the request before the runner reads the answer).
    await until(() => r.status().counters.delivered === 1, 10_000, 'delivered by the second process');
    expect(f.seq).toBe(2);
    expect(f.violations).toEqual([]);
    expect(r.status().seq).toBe(2);
  });

  it('Zoom: a request left in flight by a crash that Zoom did not take is re-packed with its text after a refusal', async () => {
    const f = await fake('zoom');
    const progress = new MemoryProgressStore();
    const first = await runner(driverFor(f), { progress });
    f.hangNext(1, false);
    const a = final('Lost with the crash.');
    first.offer(a);
    await until(() => f.stats.requests >= 2, 5000, 'request hanging');
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    f.failNext(1, 503);
    const second = await runner(driverFor(f), { progress });
    second.offer(a);
    await until(() => f.seq === 1, 10_000, 'delivered after the restart');
    expect(f.violations).toEqual([]);
    expect(f.texts()).toEqual(['Lost with the crash.']);
  }, 20_000);

  it('Zoom: 400 (meeting not started) and 403 (bad token) are shown, not silent', async () => {
    const f = await fake('zoom');
    f.meetingStarted = false;
    const r = await runner(driverFor(f));
    r.offer(final('Before the meeting starts.'));
    await until(() => r.status().code === '400', 5000, '400 shown');
    expect(r.status().state).toBe('failing');
    expect(r.status().message).toMatch(/meeting has not started/);
    f.meetingStarted = true;
    await until(() => r.status().counters.delivered === 1, 10_000, 'delivered once started');

    const bad = await runner(driverFor(f, 'en-US', f.url.replace(f.token, 'wrong-token')));
    bad.offer(final('With a bad token.'));
    await until(() => bad.status().code === '403', 5000, '403 shown');
    expect(bad.status().message).toMatch(/token is not valid/);
    expect(JSON.stringify(bad.status())).not.toContain('wrong-token');
  }, 30_000);

  it('Teams: complete lines of at most 120 characters; 401 and 404 shown', async () => {
    const f = await fake('teams');
    const r = await runner(driverFor(f, 'ru-RU'));
    const long = `${RUSSIAN} Сегодня мы обсудим повестку дня, утверждённую бюро, и заслушаем доклады рабочих групп по всем пунктам.`;
    r.offer(final(long, 'ru'));
    await until(() => r.status().counters.delivered === 1 && r.status().backlog === 0, 10_000, 'delivered');
    expect(f.violations).toEqual([]);
    expect(f.accepted.length).toBeGreaterThan(1);
    for (const t of f.texts()) {
      expect([...t].length).toBeLessThanOrEqual(120);
      expect([...t].length).toBeGreaterThanOrEqual(60);
    }
    expect(f.texts().join(' ')).toBe(long);

    f.tokenExpired = true;
    r.offer(final('После истечения ссылки.', 'ru'));
    await until(() => r.status().code === '401', 5000, '401 shown');
    expect(r.status().message).toMatch(/CART link has expired/);
    f.tokenExpired = false;
    f.meetingStarted = false;
    await until(() => r.status().code === '404', 10_000, '404 shown');
    expect(r.status().message).toMatch(/not started or CART captions are off/);
  }, 30_000);

  it('the backlog is bounded: the oldest are dropped and counted while the target is down', async () => {
    const f = await fake('zoom');
    await f.down();
    const r = await runner(driverFor(f), { backlog: 3 });
    for (let i = 0; i < 8; i++) r.offer(final(`Queued line ${i}.`));
    await until(() => r.status().counters.overflow >= 4, 5000, 'overflow counted');
    expect(r.status().backlog).toBeLessThanOrEqual(4);
    await f.up();
    await until(() => r.status().backlog === 0, 15_000, 'backlog drained');
    expect(f.texts().join('|')).toMatch(/Queued line 7/);
    expect(f.texts().join('|')).not.toMatch(/Queued line 0/);
    expect(r.status().counters.overflow + r.status().counters.delivered).toBe(8);
  }, 30_000);
});
