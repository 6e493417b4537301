/**
 * The whole pipeline with the real engine: worker process, smart-whisper on the generated 'test' model (random
 * weights: the text is garbage, the timings and the plumbing are real), Silero VAD, espeak-ng speech.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGeneratedModel } from '../../models/generate-ggml';
import type { CaptionEvent, SttStatusEvent } from '../common/stt-protocol';
import { SAMPLE_RATE } from './engine';
import { speechClip } from './fixtures/speech-fixtures';
import { nodeWorkerSpawner } from './node-worker';
import { SttSupervisor } from './stt-supervisor';

let modelPath = '';
beforeAll(async () => {
  modelPath = await ensureGeneratedModel('test');
});

type OnFinished = (fn: () => Promise<void>) => void;

function start(finished: OnFinished, language: 'en' | 'ru' | 'ar' | 'auto') {
  const captions: CaptionEvent[] = [];
  const statuses: SttStatusEvent[] = [];
  let onStatus: ((s: SttStatusEvent) => void) | null = null;
  const sup = new SttSupervisor({
    spawnWorker: nodeWorkerSpawner({ stderr: 'ignore' }),
    modelPath,
    language,
    threads: 2,
    idPrefix: `${language}:`,
    onCaption: (e) => captions.push(e),
    onStatus: (s) => {
      statuses.push(s);
      onStatus?.(s);
    },
  });
  finished(() => sup.stop(1000));
  sup.start();
  const waitFor = (state: SttStatusEvent['state'], after: number): Promise<SttStatusEvent> => {
    const seen = statuses.slice(after).find((s) => s.state === state);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      onStatus = (s) => {
        if (s.state === state) resolve(s);
      };
    });
  };
  return { sup, captions, statuses, waitFor };
}

/** Pushes audio in 100 ms frames, letting the worker keep up every second (as a live source would). */
async function feed(sup: SttSupervisor, pcm: Float32Array): Promise<void> {
  const frame = SAMPLE_RATE / 10;
  for (let at = 0; at < pcm.length; at += frame) {
    sup.push(pcm.slice(at, Math.min(pcm.length, at + frame)));
    if ((at / frame) % 10 === 9) await sup.whenCaughtUp();
  }
}

function expectOrderedAndSane(captions: CaptionEvent[], prefix: string, from: number, to: number): void {
  let lastFinalEnd = 0;
  let finals = 0;
  for (const c of captions) {
    expect(c.id.startsWith(prefix)).toBe(true);
    const n = Number(c.id.slice(prefix.length));
    expect(n).toBe(finals + 1);
    if (c.text === '') continue;
    expect(c.start).toBeGreaterThanOrEqual(from);
    expect(c.end).toBeLessThanOrEqual(to);
    expect(c.end).toBeGreaterThanOrEqual(c.start);
    if (c.state === 'final') {
      expect(c.start).toBeGreaterThanOrEqual(lastFinalEnd - 1e-6);
      lastFinalEnd = c.end;
      finals++;
    }
  }
}

describe('the pipeline with the real engine and the generated test model', () => {
  it('gives nothing for silence, then streams en, ru and ar speech: events in order, times inside the speech', async ({ onTestFinished }) => {
    const run = start(onTestFinished, 'en');
    await run.waitFor('ready', 0);
    expect(run.statuses[0]?.state).toBe('loading');
    let seed = 11;
    const quiet = new Float32Array(SAMPLE_RATE * 4).map((_, i) => {
      if (i < SAMPLE_RATE * 2) return 0;
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed / 2147483648 - 0.5) * 0.002;
    });
    await feed(run.sup, quiet);
    await run.sup.whenCaughtUp();
    expect(run.captions).toEqual([]);
    expect(run.sup.counters.passes).toBe(0);

    let offset = quiet.length / SAMPLE_RATE;
    for (const lang of ['en', 'ru', 'ar'] as const) {
      // The source's language changes between utterances (settings apply from the next pass).
      run.sup.configure({ language: lang });
      const clip = speechClip(lang, 1.0);
      const mark = run.captions.length;
      await feed(run.sup, clip.pcm);
      await run.sup.whenCaughtUp();
      const mine = run.captions.slice(mark);
      expect(mine.filter((c) => c.state === 'final').length).toBeGreaterThan(0);
      for (const c of mine) {
        if (c.text === '') continue;
        expect(c.lang).toBe(lang);
        // Speech spans may start a pre-roll before the voice and end a pad after it.
        expect(c.start).toBeGreaterThanOrEqual(offset + clip.speechStart - 0.6);
        expect(c.end).toBeLessThanOrEqual(offset + clip.speechEnd + 0.8);
      }
      offset += clip.pcm.length / SAMPLE_RATE;
    }
    await run.sup.flush();
    expectOrderedAndSane(run.captions, 'en:', 0, offset);
    expect(run.sup.counters.restarts).toBe(0);
  }, 180_000); // real whisper.cpp passes: ~7 s idle, much longer when the 2 cores are shared

  it('restarts a worker killed mid-stream; ids and times continue, nothing committed is repeated', async ({ onTestFinished }) => {
    const run = start(onTestFinished, 'en');
    const first = speechClip('en', 1.0);
    const second = speechClip('en', 1.0, 'Item two on the agenda is the budget.');
    await run.waitFor('ready', 0);
    await feed(run.sup, first.pcm);
    await run.sup.whenCaughtUp();
    const before = run.captions.filter((c) => c.state === 'final').length;
    expect(before).toBeGreaterThan(0);
    const mark = run.statuses.length;
    process.kill(run.sup.workerPid!, 'SIGKILL');
    const secondAt = first.pcm.length / SAMPLE_RATE;
    await feed(run.sup, second.pcm);
    expect((await run.waitFor('restarting', mark)).reason).toContain('SIGKILL');
    await run.waitFor('ready', mark);
    await run.sup.flush();
    expectOrderedAndSane(run.captions, 'en:', 0, secondAt + second.speechEnd + 0.8);
    expect(run.captions.filter((c) => c.state === 'final').length).toBeGreaterThan(before);
    expect(run.sup.counters).toMatchObject({ restarts: 1, crashes: 1, droppedSamples: 0 });
  }, 180_000); // real whisper.cpp passes: ~7 s idle, much longer when the 2 cores are shared
});
