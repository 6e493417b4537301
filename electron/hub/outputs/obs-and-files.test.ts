import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingLogger } from '../test-support';
import { cea608Cues, teamsLines, toCea608Text, twoLineCues, youtubeTimestamp, parseYoutubeTimestamp } from './caption-shaping';
import { FakeObsServer } from './fake-obs-server';
import { FileDriver } from './file-driver';
import { ObsDriver } from './obs-driver';
import type { OutgoingCaption, OutputDriver } from './output-driver';
import { MemoryProgressStore } from './output-progress';
import { OutputRunner } from './output-runner';

const runners: OutputRunner[] = [];
const servers: FakeObsServer[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runner(driver: OutputDriver, progress = new MemoryProgressStore()): Promise<OutputRunner> {
  const r = new OutputRunner({ id: 'o', driver, progress, minIntervalMs: 100, retryBaseMs: 100, logger: new RecordingLogger() });
  runners.push(r);
  await r.start();
  return r;
}

let cursor = 0;
function caption(text: string, kind: OutgoingCaption['kind'] = 'final', lineId = `l${cursor + 1}`, revision = 0): OutgoingCaption {
  cursor++;
  return { kind, lineId, revision, text, lang: 'en', at: Date.now(), cursor };
}

describe('text shaping', () => {
  it('two-line cues within the language line length, words whole, text unchanged', () => {
    const text = 'Уважаемые делегаты, прошу занять свои места: заседание начинается через пять минут.';
    const cues = twoLineCues(text, 'ru');
    for (const cue of cues) {
      expect(cue.split('\n').length).toBeLessThanOrEqual(2);
      for (const line of cue.split('\n')) expect([...line].length).toBeLessThanOrEqual(39);
    }
    expect(cues.join(' ').replace(/\n/g, ' ')).toBe(text);
  });

  it('Teams lines: at most 120 characters, even, none a stub', () => {
    const text = 'word '.repeat(52).trim();
    const lines = teamsLines(text);
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(l.length).toBeLessThanOrEqual(120);
      expect(l.length).toBeGreaterThanOrEqual(70);
    }
    expect(teamsLines('Thank you.')).toEqual(['Thank you.']);
  });

  it('CEA-608: Latin folded into the 608 set, other scripts refused, 32 columns', () => {
    expect(toCea608Text('Café “naïve” — Ташкент')).toBeNull();
    expect(toCea608Text('مرحبا')).toBeNull();
    expect(toCea608Text('Oʻzbekiston: “naïve” café – ş')).toBe(`O'zbekiston: "naïve" café - s`);
    const cues = cea608Cues('The session is suspended until three o’clock this afternoon, thank you all.')!;
    for (const cue of cues) for (const row of cue.split('\n')) expect(row.length).toBeLessThanOrEqual(32);
  });

  it('YouTube timestamps: UTC, milliseconds, no zone; anything else is refused by the parser', () => {
    const t = Date.UTC(2026, 10, 30, 9, 5, 7, 42);
    expect(youtubeTimestamp(t)).toBe('2026-11-30T09:05:07.042');
    expect(parseYoutubeTimestamp('2026-11-30T09:05:07.042')).toBe(t);
    expect(parseYoutubeTimestamp('2026-11-30T09:05:07.042Z')).toBeNull();
    expect(parseYoutubeTimestamp('2026-11-30T09:05.07.042')).toBeNull();
    expect(parseYoutubeTimestamp('2026-02-30T09:05:07.042')).toBeNull();
  });
});

describe('OBS through obs-websocket v5 (fake server, real obs-websocket-js client)', () => {
  it('authenticates, sends English captions as 608 rows, refuses Arabic and Russian with NOT_LATIN', async () => {
    const obs = await FakeObsServer.start('obs-pass-9931');
    servers.push(obs);
    const r = await runner(new ObsDriver({ url: obs.url, password: 'obs-pass-9931', requestTimeoutMs: 1000 }));
    r.offer(caption('Ladies and gentlemen, the session is resumed.'));
    await until(() => r.status().counters.delivered === 1 && r.status().backlog === 0, 10_000, 'delivered');
    r.offer(caption('السيدات والسادة'));
    r.offer(caption('Дамы и господа'));
    await until(() => r.status().counters.refused === 2, 5000, 'refused');
    expect(r.status()).toMatchObject({ state: 'failing', code: 'NOT_LATIN' });
    expect(r.status().message).toMatch(/Latin script only/);
    expect(obs.violations).toEqual([]);
    expect(obs.authFailures).toBe(0);
    expect(obs.captions.map((c) => c.text).join(' ').replace(/\n/g, ' ')).toBe('Ladies and gentlemen, the session is resumed.');
    r.offer(caption('Back to English.'));
    await until(() => r.status().state === 'sending', 5000, 'sending again');
  });

  it('a wrong password is shown as AUTH; a stream that is not running as 501; a hung request is repeated', async () => {
    const obs = await FakeObsServer.start('right-password');
    servers.push(obs);
    const bad = await runner(new ObsDriver({ url: obs.url, password: 'wrong', requestTimeoutMs: 1000 }));
    bad.offer(caption('Never sent.'));
    await until(() => bad.status().code === 'AUTH', 5000, 'AUTH shown');
    expect(obs.authFailures).toBeGreaterThan(0);
    expect(JSON.stringify(bad.status())).not.toContain('wrong');

    obs.streaming = false;
    const r = await runner(new ObsDriver({ url: obs.url, password: 'right-password', requestTimeoutMs: 500 }));
    r.offer(caption('While the stream is off.'));
    await until(() => r.status().code === '501', 5000, '501 shown');
    obs.streaming = true;
    obs.hangNext(1);
    await until(() => r.status().counters.delivered === 1, 10_000, 'delivered after');
    expect(obs.captions).toHaveLength(1);
  }, 30_000);
});

describe('live files', () => {
  it('current caption, growing SRT and WebVTT written atomically; a correction edits its cue; a clear empties the current file; a restart goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarjuman-files-'));
    const progress = new MemoryProgressStore();
    const driver = new FileDriver({ dir, room: 'main', channel: 'ar' });
    const r = await runner(driver, progress);
    r.offer(caption('صباح الخير أيها السيدات والسادة، مرحباً بكم في طشقند.', 'final', 'a1'));
    r.offer(caption('Second line.', 'final', 'a2'));
    await until(() => r.status().counters.delivered === 2, 5000, 'written');
    expect(readFileSync(driver.file('current.txt'), 'utf8')).toBe('Second line.\n');
    r.offer(caption('Second line, corrected.', 'revision', 'a2', 1));
    await until(() => readFileSync(driver.file('srt'), 'utf8').includes('corrected'), 5000, 'revision applied');
    const srt = readFileSync(driver.file('srt'), 'utf8');
    expect(srt.match(/-->/g)).toHaveLength(2);
    expect(srt).toContain('صباح الخير');
    expect(readFileSync(driver.file('vtt'), 'utf8')).toMatch(/^WEBVTT/);
    r.offer(caption('', 'clear', ''));
    await until(() => readFileSync(driver.file('current.txt'), 'utf8') === '', 5000, 'cleared');
    await r.stop();
    runners.splice(0);

    const again = await runner(new FileDriver({ dir, room: 'main', channel: 'ar' }), progress);
    again.offer(caption('Third line after a restart.', 'final', 'a3'));
    await until(() => readFileSync(driver.file('srt'), 'utf8').includes('Third line'), 5000, 'appended');
    expect(readFileSync(driver.file('srt'), 'utf8').match(/-->/g)).toHaveLength(3);
  });

  it("joins a speech-to-text source's short lines into cues of up to two rows, after a restart too", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarjuman-files-'));
    const progress = new MemoryProgressStore();
    const driver = new FileDriver({ dir, room: 'main', channel: 'en' });
    const r = await runner(driver, progress);
    // A line per pass, as a slow machine sends them: a cue each would flash by.
    const stt = (text: string, id: string, at: number): OutgoingCaption => ({ ...caption(text, 'final', id), at, startedAt: at - 1200, source: 'floor-stt' });
    const t0 = Date.now() - 5000;
    r.offer(stt('Good morning,', 's1', t0));
    r.offer(stt('distinguished delegates,', 's2', t0 + 1400));
    r.offer(stt('and welcome.', 's3', t0 + 2800));
    r.offer({ ...caption('A typed line.', 'final', 't1'), at: t0 + 3000, startedAt: t0 + 2900 });
    await until(() => r.status().counters.delivered === 4, 5000, 'written');
    const cues = () => readFileSync(driver.file('srt'), 'utf8').trim().split('\n\n').map((c) => c.split('\n').slice(2).join(' / '));
    expect(cues()).toEqual(['Good morning, distinguished / delegates, and welcome.', 'A typed line.']);
    await r.stop();
    runners.splice(0);
    // The source is in the cue journal: a restarted driver joins them the same way.
    const again = new FileDriver({ dir, room: 'main', channel: 'en' });
    const r2 = await runner(again, progress);
    r2.offer({ ...caption('One more.', 'final', 't2'), at: t0 + 4000 });
    await until(() => readFileSync(again.file('srt'), 'utf8').includes('One more.'), 5000, 'appended');
    expect(cues()).toEqual(['Good morning, distinguished / delegates, and welcome.', 'A typed line.', 'One more.']);
  });
});
