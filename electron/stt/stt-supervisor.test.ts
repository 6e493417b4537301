import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerInitSchema, type CaptionEvent, type SttStatusEvent } from '../common/stt-protocol';
import { SAMPLE_RATE } from './engine';
import { makeToneAudio } from './fake-engines';
import type { FakeEngineKind } from './fake-stt-worker';
import { nodeWorkerSpawner } from './node-worker';
import { SttSupervisor, type SttSupervisorOptions } from './stt-supervisor';

type OnFinished = (fn: () => Promise<void>) => void;

interface Run {
  sup: SttSupervisor;
  captions: CaptionEvent[];
  statuses: SttStatusEvent[];
  /** Resolves at the first status event of `state` after the call (or already seen when `seen`). */
  waitFor(state: SttStatusEvent['state'], after?: number): Promise<SttStatusEvent>;
}

/** A supervisor of the test worker with `fakeEngine`, or of the product's whisper worker (`whisper`). */
function supervise(finished: OnFinished, options: Partial<SttSupervisorOptions>, fakeEngine: FakeEngineKind | 'whisper' = 'tone'): Run {
  const captions: CaptionEvent[] = [];
  const statuses: SttStatusEvent[] = [];
  const waiters: Array<{ state: string; after: number; resolve: (e: SttStatusEvent) => void }> = [];
  const sup = new SttSupervisor({
    spawnWorker: nodeWorkerSpawner({ ...(fakeEngine === 'whisper' ? {} : { fakeEngine }), stderr: 'ignore' }),
    modelPath: 'unused',
    language: 'en',
    idPrefix: 't:',
    vad: 'energy',
    backoff: { initialMs: 50, maxMs: 400 },
    ...options,
    onCaption: (e) => captions.push(e),
    onStatus: (e) => {
      statuses.push(e);
      for (const w of [...waiters]) {
        if (w.state === e.state && statuses.length > w.after) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    },
  });
  finished(() => sup.stop(500));
  return {
    sup,
    captions,
    statuses,
    waitFor(state, after = statuses.length) {
      const seen = statuses.slice(after).find((s) => s.state === state);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ state, after, resolve }));
    },
  };
}

/** Pushes audio in 100 ms frames. */
function pushAll(sup: SttSupervisor, pcm: Float32Array): void {
  const frame = SAMPLE_RATE / 10;
  for (let at = 0; at < pcm.length; at += frame) sup.push(pcm.slice(at, Math.min(pcm.length, at + frame)));
}

const finalsOf = (captions: CaptionEvent[]) => captions.filter((c) => c.state === 'final');

function expectContinuous(captions: CaptionEvent[], prefix = 't:'): void {
  const finals = finalsOf(captions);
  finals.forEach((f, i) => {
    expect(f.id).toBe(`${prefix}${i + 1}`);
    if (i > 0) expect(f.start).toBeGreaterThanOrEqual(finals[i - 1]!.end - 1e-6);
  });
}

// Tone words w1..w10 with a pause in the middle: about 6.5 s of audio.
const WORDS = [1, 2, 3, 4, 5, null, 6, 7, 8, 9, 10];
const EXPECTED = 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10';

/**
 * Starts `run`, feeds it `fraction` of the tone words w1..w13, lets `atKill` look once the worker has caught up,
 * SIGKILLs the worker, feeds the rest and flushes once the new worker is ready. Returns the killed worker's pid
 * and the `restarting` status the supervisor gave.
 */
async function killMidStream(run: Run, fraction: number, atKill: () => void): Promise<{ pid: number; restarting: SttStatusEvent }> {
  run.sup.start();
  const audio = makeToneAudio([...WORDS, 11, 12, 13]);
  const cut = Math.round(audio.length * fraction);
  await run.waitFor('ready', 0);
  pushAll(run.sup, audio.subarray(0, cut));
  await run.sup.whenCaughtUp();
  atKill();
  const pid = run.sup.workerPid!;
  const mark = run.statuses.length;
  process.kill(pid, 'SIGKILL');
  pushAll(run.sup, audio.subarray(cut));
  const restarting = await run.waitFor('restarting', mark);
  await run.waitFor('ready', mark);
  await run.sup.flush();
  return { pid, restarting };
}

describe('SttSupervisor with a worker process (fake tone engine)', () => {
  it('handshakes, streams, and delivers every word once, in order, with timeline times', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, {});
    run.sup.start();
    expect(run.statuses[0]?.state).toBe('loading');
    pushAll(run.sup, makeToneAudio(WORDS));
    await run.waitFor('ready', 0);
    await run.sup.flush();
    expect(finalsOf(run.captions).map((c) => c.text).join(' ')).toBe(EXPECTED);
    expectContinuous(run.captions);
    const w1 = finalsOf(run.captions)[0]!;
    expect(w1.start).toBeCloseTo(0, 1);
    expect(run.sup.counters).toMatchObject({ restarts: 0, crashes: 0, droppedSamples: 0 });
    expect(run.sup.counters.passes).toBeGreaterThan(2);
    // The status the console shows says how the source keeps up (measured from the first pass on).
    expect(run.sup.counters.realtime).toMatchObject({ verdict: 'measuring', level: 'normal', droppedSeconds: 0 });
    const withRealtime = run.statuses.filter((s) => s.realtime);
    expect(withRealtime.length).toBeGreaterThan(0);
    expect(withRealtime[0]!.realtime!.measuredSeconds).toBeGreaterThan(0);
  });

  // With one-pass commits the buffer is trimmed past the open caption line's words: the worker reports their audio
  // as still needed (retainFromSample), so the restarted worker decodes them again.
  it.for(['agreement', 'one-pass'] as const)('restarts a worker killed mid-stream; the stream continues without repeating or losing words (%s)', async (commit, { onTestFinished }) => {
    const run = supervise(onTestFinished, { tuning: { commit } });
    const { pid, restarting } = await killMidStream(run, 0.55, () => expect(finalsOf(run.captions).length).toBeGreaterThan(0));
    expect(restarting.reason).toContain('SIGKILL');
    expect(run.sup.workerPid).not.toBe(pid);
    expect(finalsOf(run.captions).map((c) => c.text).join(' ')).toBe(`${EXPECTED} w11 w12 w13`);
    expectContinuous(run.captions);
    expect(run.sup.counters).toMatchObject({ restarts: 1, crashes: 1, droppedSamples: 0 });
  });

  it('a language changed while the worker loads reaches it once it is ready', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { language: 'ru' });
    run.sup.start();
    // Still loading: the init message went out with Russian.
    run.sup.configure({ language: 'ar' });
    await run.waitFor('ready', 0);
    pushAll(run.sup, makeToneAudio([1, 2, null, null, null]));
    await run.sup.flush();
    expect(finalsOf(run.captions).map((c) => [c.text.trim(), c.lang])).toEqual([['w1 w2', 'ar']]);
  });

  it('one-pass: a worker killed while its caption line holds committed words it trimmed away; the new one says them', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { tuning: { commit: 'one-pass' } });
    await killMidStream(run, 0.7, () => {
      // Where this cut leaves the stream (deterministic with the tone engine): w6 w7 committed in the open line, no
      // final yet, the buffer trimmed after them.
      const open = run.captions[run.captions.length - 1]!;
      expect(open).toMatchObject({ state: 'partial', text: expect.stringMatching(/^w6 w7/) });
      expect(open.stableChars).toBeGreaterThan(0);
    });
    expect(finalsOf(run.captions).map((c) => c.text).join(' ')).toBe(`${EXPECTED} w11 w12 w13`);
    expectContinuous(run.captions);
  });

  it('withdraws the partial on screen when the source fails for good', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { backoff: { maxFailures: 1 } });
    run.sup.start();
    await run.waitFor('ready', 0);
    // Words without a pause, one second at a time: passes over 0-1.024 and 0-2.048 s see w1 w2 and w1-w3, so w1 w2
    // are committed (the line being built, not complete yet: its final would go out at the next pass, within 3 s of
    // w1) and w3 stays pending.
    const audio = makeToneAudio([1, 2, 3, 4, 5, 6]).subarray(0, Math.round(SAMPLE_RATE * 2.1));
    for (let at = 0; at < audio.length; at += SAMPLE_RATE) {
      pushAll(run.sup, audio.subarray(at, Math.min(audio.length, at + SAMPLE_RATE)));
      await run.sup.whenCaughtUp();
    }
    const partial = run.captions[run.captions.length - 1]!;
    expect(partial).toMatchObject({ state: 'partial', text: 'w1 w2 w3', stableChars: 'w1 w2'.length });
    expect(finalsOf(run.captions)).toEqual([]);
    process.kill(run.sup.workerPid!, 'SIGKILL');
    const failed = await run.waitFor('failed', 0);
    expect(failed.code).toBe('WORKER_CRASHED');
    // The committed words are not lost with the worker: they become the line's final; the pending ones go.
    expect(run.captions[run.captions.length - 1]).toMatchObject({ id: partial.id, state: 'final', text: 'w1 w2' });
    expect(run.sup.counters.finals).toBe(1);
  });

  it('kills and restarts a worker whose pass hangs, and gives up after repeated failures', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { passDeadline: { minMs: 800, perBufferSecondMs: 0 }, backoff: { initialMs: 50, maxFailures: 2 } }, 'hang');
    run.sup.start();
    pushAll(run.sup, makeToneAudio([1, 2, 3, 4, 5]));
    const restarting = await run.waitFor('restarting', 0);
    expect(restarting.reason).toMatch(/took longer than 0\.8 s/);
    const failed = await run.waitFor('failed', 0);
    expect(failed.code).toBe('WORKER_CRASHED');
    expect(run.statuses.map((s) => s.state)).toEqual(['loading', 'ready', 'busy', 'restarting', 'ready', 'busy', 'failed']);
    expect(run.sup.counters.passTimeouts).toBe(2);
    expect(run.sup.counters.restarts).toBe(1);
  });

  it('backs off between restarts of a worker that crashes while loading, then fails with the reason', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { backoff: { initialMs: 100, maxFailures: 3 } }, 'crash-on-load');
    const t0 = Date.now();
    run.sup.start();
    const failed = await run.waitFor('failed', 0);
    expect(failed.code).toBe('WORKER_CRASHED');
    expect(failed.reason).toMatch(/code 3.*3 times/);
    expect(run.statuses.map((s) => s.state)).toEqual(['loading', 'restarting', 'failed']);
    expect(run.sup.counters).toMatchObject({ crashes: 3, restarts: 2 });
    // Two waits: 100 ms then 200 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it('buffers audio while the worker is down up to the bound, drops the oldest and counts it', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { maxBufferedSeconds: 2 });
    run.sup.start();
    // Pushed before the worker can be ready: 6.5 s into a 2 s bound.
    const audio = makeToneAudio(WORDS);
    pushAll(run.sup, audio);
    const dropped = run.sup.counters.droppedSeconds;
    expect(dropped).toBeCloseTo(audio.length / SAMPLE_RATE - 2, 0);
    expect(run.sup.counters.bufferedSeconds).toBeLessThanOrEqual(2);
    await run.waitFor('ready', 0);
    await run.sup.flush();
    const finals = finalsOf(run.captions);
    expect(finals.length).toBeGreaterThan(0);
    for (const f of finals) expect(f.start).toBeGreaterThanOrEqual(dropped - 0.01);
    expect(finals.map((c) => c.text).join(' ')).toMatch(/w10$/);
  });

  it('holds audio while the worker is behind (a pass is running), up to the bound, then drops the oldest', async ({ onTestFinished }) => {
    const run = supervise(onTestFinished, { passDeadline: { minMs: 60_000 }, maxInFlightSeconds: 1, maxBufferedSeconds: 2 }, 'hang');
    run.sup.start();
    await run.waitFor('ready', 0);
    const audio = makeToneAudio([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]); // 8.8 s
    pushAll(run.sup, audio.subarray(0, 2 * SAMPLE_RATE));
    // The first pass starts after one step of speech and never ends: the worker falls behind.
    await run.waitFor('busy', 0);
    expect(run.sup.counters).toMatchObject({ droppedSamples: 0, bufferedSeconds: 0 });
    pushAll(run.sup, audio.subarray(2 * SAMPLE_RATE, 8 * SAMPLE_RATE));
    // 8 s kept at most 2 s: the 2 s the worker has (kept for a restart) and 4 s it never got are dropped.
    expect(run.sup.counters.bufferedSeconds).toBeCloseTo(2, 5);
    expect(run.sup.counters.droppedSeconds).toBeCloseTo(4, 5);
    expect(run.sup.status.state).toBe('busy');
  });

  it('has no test engines in the product worker\'s protocol: an init asking for one is not a valid message', () => {
    const init = {
      type: 'init',
      modelPath: 'm.bin',
      language: 'en',
      task: 'transcribe',
      glossary: [],
      threads: 2,
      idPrefix: '',
      tuning: {},
      resume: { startSample: 0, committedUntil: 0, committedTail: '', nextSeq: 1 },
    };
    expect(workerInitSchema.safeParse(init).success).toBe(true);
    expect(workerInitSchema.safeParse({ ...init, engine: 'fake-tone' }).success).toBe(false);
  });

  it('fails with a clear reason when the model file is refused, without restarting', async ({ onTestFinished }) => {
    const dir = mkdtempSync(join(tmpdir(), 'tarjuman-stt-'));
    const bad = join(dir, 'ggml-corrupt.bin');
    writeFileSync(bad, Buffer.from('this is not a ggml model at all, just text'));
    const run = supervise(onTestFinished, { modelPath: bad }, 'whisper');
    run.sup.start();
    const failed = await run.waitFor('failed', 0);
    expect(failed.code).toBe('MODEL_INVALID');
    expect(failed.reason).toMatch(/ggml|model/i);
    expect(run.statuses.map((s) => s.state)).toEqual(['loading', 'failed']);
    expect(run.sup.counters.restarts).toBe(0);
  });
});

