/**
 * The console core with real speech-to-text workers (the supervisor forks electron/stt/stt-worker.ts; its
 * tone engine turns sine-tone "words" into the text w<k>, so the transcript is known) and a real hub.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../stt/engine';
import { makeToneAudio } from '../stt/fake-engines';
import { settingsPatchSchema, type ConsoleEvents, type PendingVoiceLine, type SttCaption } from '../common/console-api';
import type { CaptionHub } from '../hub/index';
import { ConsoleCore } from './console-core';
import { cleanupTempDirs, roomHub, tempDir, TestDisplay, TEST_SECRET, toneStt } from './test-support';
import type { SttSourceRequest } from './stt-source';
import { recordingLogger } from '../hub/test-support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupTempDirs();
});

async function setup(role: 'booth' | 'operator', channel: string, channels: string[]): Promise<{ core: ConsoleCore; hub: CaptionHub; display: TestDisplay }> {
  const hub = await roomHub();
  cleanups.push(() => hub.close());
  const core = await ConsoleCore.create({
    dataDir: await tempDir(),
    logger: recordingLogger(),
    ...toneStt(),
  });
  cleanups.push(() => core.close());
  await core.updateSettings({ hubMode: 'join', hubUrl: hub.url, role, channel, secret: TEST_SECRET, room: 'main' });
  const connected = await core.connectHub();
  expect(connected.ok).toBe(true);
  const display = new TestDisplay(hub.url, channels);
  cleanups.push(() => display.close());
  await display.ready();
  return { core, hub, display };
}

/** Pushes audio as the page would: 100 ms frames. */
function pushAudio(core: ConsoleCore, source: 'floor' | 'voice', pcm: Float32Array): void {
  const frame = SAMPLE_RATE / 10;
  for (let at = 0; at < pcm.length; at += frame) core.pushAudio(source, pcm.slice(at, Math.min(pcm.length, at + frame)));
}

function waitReady(core: ConsoleCore, source: 'floor' | 'voice'): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${source} never ready`)), 30_000);
    const off = core.on('stt:status', ((s) => {
      if (s.source === source && s.status === 'ready') {
        clearTimeout(timer);
        off();
        resolve();
      }
      if (s.source === source && s.status === 'failed') reject(new Error(s.reason));
    }) as ConsoleEvents['stt:status']);
  });
}

describe('ConsoleCore speech-to-text', () => {
  it('starts a source with the Final words setting (the commit rule), which the worker takes', async () => {
    const tone = toneStt();
    const requests: SttSourceRequest[] = [];
    const core = await ConsoleCore.create({
      dataDir: await tempDir(),
      logger: recordingLogger(),
      resolveModel: tone.resolveModel!,
      sttFactory: (request, events) => {
        requests.push(request);
        return tone.sttFactory!(request, events);
      },
    });
    cleanups.push(() => core.close());
    const ready = waitReady(core, 'floor');
    expect((await core.startSource('floor', {})).ok).toBe(true);
    await ready;
    expect(requests.map((r) => r.commit)).toEqual(['agreement']);
    expect((await core.updateSettings({ sttCommit: 'one-pass' })).ok).toBe(true);
    // The worker checks its init message: a rule it does not know would fail the start instead of reaching ready.
    const again = waitReady(core, 'floor');
    expect((await core.startSource('floor', {})).ok).toBe(true);
    await again;
    expect(requests.map((r) => r.commit)).toEqual(['agreement', 'one-pass']);
    // The API refuses a rule it does not know (the page's patch is checked against this schema).
    expect(settingsPatchSchema.safeParse({ sttCommit: 'whenever' }).success).toBe(false);
    const state = await core.getState();
    expect(state.ok && state.value.settings.sttCommit).toBe('one-pass');
  });

  it('sends floor finals to the floor channel and, with auto-routing, to the detected language channel', async () => {
    const { core, display } = await setup('operator', 'en', ['floor', 'ru', 'en']);
    const captions: SttCaption[] = [];
    core.on('stt:caption', (c) => captions.push(c));
    expect((await core.setAutoRouting(true)).ok).toBe(true);
    const ready = waitReady(core, 'floor');
    const statuses: Parameters<ConsoleEvents['stt:status']>[0][] = [];
    core.on('stt:status', ((st) => statuses.push(st)) as ConsoleEvents['stt:status']);
    expect((await core.startSource('floor', { language: 'ru' })).ok).toBe(true);
    await ready;
    pushAudio(core, 'floor', makeToneAudio([1, 2, 3, null, null, 4, 5, null, null, null]));
    const committedText = (channel: string): string =>
      display.changes
        .filter((c) => c.channel === channel && c.kind === 'committed')
        .map((c) => (c.kind === 'committed' ? c.line.text.trim() : ''))
        .join(' ');
    await display.until(() => committedText('floor') === 'w1 w2 w3 w4 w5' && committedText('ru') === 'w1 w2 w3 w4 w5', 30_000, 'floor and routed lines');
    // The status carries whether the machine keeps up (still measuring: far less than a minute of speech).
    expect(statuses.find((st) => st.source === 'floor' && st.realtime)?.realtime).toMatchObject({ verdict: 'measuring', level: 'normal' });
    const floor = display.changes.filter((c) => c.channel === 'floor' && c.kind === 'committed');
    const ru = display.changes.filter((c) => c.channel === 'ru' && c.kind === 'committed');
    expect(floor.map((c) => c.kind === 'committed' && c.line.text.trim()).join(' ')).toBe('w1 w2 w3 w4 w5');
    expect(ru.map((c) => c.kind === 'committed' && c.line.text)).toEqual(floor.map((c) => c.kind === 'committed' && c.line.text));
    for (const c of ru) {
      if (c.kind !== 'committed') continue;
      expect(c.line.source).toBe('floor-stt');
      expect(c.line.lang).toBe('ru');
      expect(c.line.audioEnd).toBeGreaterThan(0);
    }
    // The floor also showed live partials, and the page saw the transcript.
    expect(display.partials.some((p) => p.channel === 'floor')).toBe(true);
    // Words speech-to-text had committed while their line was still open reached the displays as the partial's
    // settled start, and are the start of that line's final.
    const settled = display.partials.filter((p) => p.channel === 'floor' && p.line.stableChars);
    expect(settled.length, JSON.stringify(display.partials.map((p) => p.line))).toBeGreaterThan(0);
    for (const p of settled) {
      const final = floor.find((c) => c.kind === 'committed' && c.line.id === p.line.id);
      expect(final?.kind === 'committed' && final.line.text.startsWith(p.line.text.slice(0, p.line.stableChars).trim())).toBe(true);
    }
    expect(captions.filter((c) => c.state === 'final').map((c) => c.text.trim()).join(' ')).toBe('w1 w2 w3 w4 w5');
    expect(display.partials.some((p) => p.channel === 'ru')).toBe(false);

    // Auto-routing off: the floor keeps going, the language channel gets nothing more.
    expect((await core.setAutoRouting(false)).ok).toBe(true);
    const floorBefore = floor.length;
    pushAudio(core, 'floor', makeToneAudio([6, 7, null, null, null]));
    await display.until(() => display.changes.filter((c) => c.channel === 'floor' && c.kind === 'committed').length > floorBefore, 30_000, 'a floor line');
    expect(display.changes.filter((c) => c.channel === 'ru')).toHaveLength(ru.length);
    // The floor lines are in the session record.
    const txt = await core.exportSession('floor', 'txt');
    expect(txt.ok && txt.value.replace(/\s+/g, ' ').trim()).toBe('w1 w2 w3 w4 w5 w6 w7');
    expect((await core.stopSource('floor')).ok).toBe(true);
  });

  it('sends floor times in the session timeline: a Stop/Start of the floor never takes cue times back; reports the lag', async () => {
    const { core, hub, display } = await setup('operator', 'en', ['floor']);
    const lags: number[] = [];
    core.on('stt:status', (s) => {
      if (s.source === 'floor' && s.lagSeconds !== undefined) lags.push(s.lagSeconds);
    });
    const committed = (): { text: string; start: number; end: number }[] =>
      display.changes.flatMap((c) => (c.channel === 'floor' && c.kind === 'committed' ? [{ text: c.line.text.trim(), start: c.line.audioStart ?? -1, end: c.line.audioEnd ?? -1 }] : []));
    for (const [round, words] of [[1, [1, 2, null, null, null]], [2, [3, 4, null, null, null]]] as const) {
      const ready = waitReady(core, 'floor');
      expect((await core.startSource('floor', { language: 'en' })).ok).toBe(true);
      // The first round's audio arrives while the worker still loads: it waits, and the lag shows it.
      if (round === 1) {
        pushAudio(core, 'floor', makeToneAudio([...words]));
        await ready;
      } else {
        await ready;
        pushAudio(core, 'floor', makeToneAudio([...words]));
      }
      await display.until(() => committed().map((l) => l.text).join(' ').split(' ').length >= round * 2, 30_000, `floor lines of start ${round}`);
      expect((await core.stopSource('floor')).ok).toBe(true);
    }
    const lines = committed();
    expect(lines.map((l) => l.text).join(' ')).toBe('w1 w2 w3 w4');
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.start).toBeGreaterThanOrEqual(lines[i - 1]!.end);
    // The hub's export uses those times: cue starts never go back.
    const vtt = await fetch(`${hub.url}/export/main/floor.vtt`).then((r) => r.text());
    const starts = [...vtt.matchAll(/^(\d\d):(\d\d):(\d\d)\.(\d{3}) -->/gm)].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000);
    // Every word once (short floor lines close together are joined into one cue), in cues that never go back.
    const cueText = vtt.split('\n\n').slice(1).map((cue) => cue.split('\n').slice(1).join(' ')).join(' ');
    expect(cueText.trim()).toBe('w1 w2 w3 w4');
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(lines.length);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]!);
    // How far behind the speaker the captions run was reported while the floor ran.
    expect(lags.length).toBeGreaterThan(0);
    expect(Math.max(...lags)).toBeGreaterThan(0);
  });

  it('Stop while the speaker is mid-sentence: the words heard so far go out as a final line, not dropped', async () => {
    const { core, display } = await setup('operator', 'en', ['floor']);
    const ready = waitReady(core, 'floor');
    expect((await core.startSource('floor', { language: 'en' })).ok).toBe(true);
    await ready;
    // Speech with no pause after it: the utterance is still open when the operator stops the floor.
    pushAudio(core, 'floor', makeToneAudio([1, 2, 3, 4]));
    const live = (): string => display.partials.filter((p) => p.channel === 'floor').map((p) => p.line.text).at(-1) ?? '';
    await display.until(() => live().includes('w3'), 30_000, 'the floor partial');
    const states: string[] = [];
    core.on('stt:status', ((st) => {
      if (st.source === 'floor') states.push(st.status);
    }) as ConsoleEvents['stt:status']);
    expect((await core.stopSource('floor')).ok).toBe(true);
    // The page saw it stopping while it finished, then stopped: not busy/ready as if Stop had not been heard.
    expect(states[0]).toBe('stopping');
    expect(states.at(-1)).toBe('stopped');
    expect(states.slice(1, -1).every((s) => s === 'stopping')).toBe(true);
    const finals = (): string =>
      display.changes.flatMap((c) => (c.channel === 'floor' && c.kind === 'committed' ? [c.line.text.trim()] : [])).join(' ');
    await display.until(() => finals().includes('w3'), 10_000, 'the last words as a final');
    expect(finals()).toMatch(/^w1 w2 w3( w4)?$/);
    const txt = await core.exportSession('floor', 'txt');
    expect(txt.ok && txt.value.replace(/\s+/g, ' ').trim()).toBe(finals());
  });

  it('a Floor language changed in the settings applies to the running floor at once, not at its next start', async () => {
    const { core, display } = await setup('operator', 'en', ['floor']);
    expect((await core.updateSettings({ floorLanguage: 'ru' })).ok).toBe(true);
    const ready = waitReady(core, 'floor');
    expect((await core.startSource('floor', {})).ok).toBe(true);
    await ready;
    const finals = (): { text: string; lang: string | undefined }[] =>
      display.changes.flatMap((c) => (c.channel === 'floor' && c.kind === 'committed' ? [{ text: c.line.text.trim(), lang: c.line.lang }] : []));
    pushAudio(core, 'floor', makeToneAudio([1, 2, null, null, null]));
    await display.until(() => finals().map((f) => f.text).join(' ') === 'w1 w2', 30_000, 'the Russian lines');
    // The speaker goes on in Arabic: the operator changes the setting and the floor runs on, in Arabic.
    expect((await core.updateSettings({ floorLanguage: 'ar' })).ok).toBe(true);
    pushAudio(core, 'floor', makeToneAudio([3, 4, null, null, null]));
    await display.until(() => finals().map((f) => f.text).join(' ') === 'w1 w2 w3 w4', 30_000, 'the Arabic lines');
    expect(finals().map((f) => [f.text, f.lang])).toEqual([
      ...finals().filter((f) => /w[12]/.test(f.text)).map((f) => [f.text, 'ru']),
      ...finals().filter((f) => /w[34]/.test(f.text)).map((f) => [f.text, 'ar']),
    ]);
    // No restart: the same source ran on.
    const status = await core.getState();
    expect(status.ok && status.value.stt.floor.status).toMatch(/^(ready|busy)$/);
  });

  it('holds voice lines for the review window: send now, cancel, or let them go', async () => {
    const { core, display } = await setup('booth', 'en', ['en']);
    await core.updateSettings({ voiceReviewMs: 2500 });
    const pending: PendingVoiceLine[][] = [];
    const seen = new Set<string>();
    const decisions: string[] = [];
    core.on('voice:pending', (lines) => {
      pending.push(lines);
      for (const line of lines) {
        if (seen.has(line.id)) continue;
        seen.add(line.id);
        // First line: send at once; second: cancel; third: left to the timer.
        const n = seen.size;
        if (n === 1) void core.sendVoiceNow(line.id).then((r) => decisions.push(`${r.ok ? 'sent' : 'send failed'} ${line.id}`));
        if (n === 2) void core.cancelVoice(line.id).then((r) => decisions.push(`${r.ok ? 'cancelled' : 'cancel failed'} ${line.id}`));
      }
    });
    const ready = waitReady(core, 'voice');
    expect((await core.startSource('voice', {})).ok).toBe(true);
    await ready;
    const started = Date.now();
    pushAudio(core, 'voice', makeToneAudio([1, 2, null, null, null, 3, 4, null, null, null, 5, 6, null, null, null]));
    const texts = (): string => [...display.lines.values()].map((l) => l.text.trim()).join(' ');
    await display.until(() => / w6$/.test(` ${texts()}`), 40_000, 'the last voice line');
    const ids = [...seen];
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(decisions.sort()).toEqual([`cancelled ${ids[1]}`, `sent ${ids[0]}`]);
    // The display got every line but the cancelled one, in order: the first at once, the rest after their window.
    expect(display.commits).toEqual(ids.filter((_, i) => i !== 1));
    const allPending = new Map(pending.flat().map((l) => [l.id, l]));
    const cancelledText = allPending.get(ids[1]!)!.text.trim();
    const spoken = 'w1 w2 w3 w4 w5 w6';
    expect(ids.map((id) => allPending.get(id)!.text.trim()).join(' ')).toBe(spoken);
    expect(texts()).toBe(ids.filter((_, i) => i !== 1).map((id) => allPending.get(id)!.text.trim()).join(' '));
    expect(texts()).not.toContain(cancelledText);
    const last = display.changes.find((c) => c.kind === 'committed' && c.line.id === ids.at(-1));
    expect(last && last.kind === 'committed' && last.line.committedAt).toBeGreaterThanOrEqual(allPending.get(ids.at(-1)!)!.sendAt - 50);
    expect(Date.now() - started).toBeGreaterThan(2500);
    expect((await core.cancelVoice(ids[1]!)).ok).toBe(false);
    const state = await core.getState();
    expect(state.ok && state.value.pendingVoice).toEqual([]);
  });
});
