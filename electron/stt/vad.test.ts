import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from './engine';
import { speechClip } from './fixtures/speech-fixtures';
import { loadSileroVadDetector, VadSegmenter, type VadDetector } from './vad';

/** Runs a clip through a detector and the segmenter; returns the speech spans in seconds. */
async function spans(vad: VadDetector, pcm: Float32Array, pauseMs = 600): Promise<Array<[number, number]>> {
  vad.reset();
  const seg = new VadSegmenter({ pauseMs });
  const out: Array<[number, number]> = [];
  let start = -1;
  const n = vad.frameSamples;
  for (let at = 0; at + n <= pcm.length; at += n) {
    const step = seg.step(await vad.probability(pcm.subarray(at, at + n)), at, at + n);
    if (step.started !== undefined) start = step.started;
    if (step.ended !== undefined) out.push([start / SAMPLE_RATE, step.ended / SAMPLE_RATE]);
  }
  const end = seg.close(pcm.length);
  if (end !== undefined) out.push([start / SAMPLE_RATE, end / SAMPLE_RATE]);
  return out;
}

describe('VadSegmenter', () => {
  it('starts at the threshold, ignores dips above the low threshold, ends after the hangover', () => {
    const seg = new VadSegmenter({ threshold: 0.5, pauseMs: 96 }); // 3 frames of 512 samples
    const probs = [0.1, 0.6, 0.4, 0.2, 0.9, 0.1, 0.1, 0.1, 0.1];
    const steps = probs.map((p, i) => seg.step(p, i * 512, (i + 1) * 512));
    expect(steps.map((s) => s.speech)).toEqual([false, true, true, true, true, true, true, false, false]);
    expect(steps[1]!.started).toBe(512);
    // 0.2 at frame 3 starts a silence, 0.9 at frame 4 cancels it; the silence from frame 5 ends speech at 3 frames.
    expect(steps[7]!.ended).toBe(5 * 512);
  });
  it('close() ends speech in progress where the silence began', () => {
    const seg = new VadSegmenter({ pauseMs: 600 });
    seg.step(0.9, 0, 512);
    seg.step(0.05, 512, 1024);
    expect(seg.close(4096)).toBe(512);
    expect(seg.close(8192)).toBeUndefined();
  });
});

describe('Silero VAD on synthesised speech', () => {
  let vad: VadDetector;
  beforeAll(async () => {
    vad = await loadSileroVadDetector();
  });
  afterAll(async () => {
    await vad.close();
  });

  it.each(['en', 'ru', 'ar'] as const)('finds the speech of a %s clip where it is', async (lang) => {
    const clip = speechClip(lang, 1.5);
    const found = await spans(vad, clip.pcm);
    expect(found.length).toBeGreaterThanOrEqual(1);
    const first = found[0]!;
    const last = found[found.length - 1]!;
    expect(first[0]).toBeGreaterThan(clip.speechStart - 0.1);
    expect(first[0]).toBeLessThan(clip.speechStart + 0.6);
    expect(last[1]).toBeGreaterThan(clip.speechEnd - 0.8);
    expect(last[1]).toBeLessThan(clip.speechEnd + 0.3);
  });

  it('finds nothing in silence or low noise', async () => {
    expect(await spans(vad, new Float32Array(SAMPLE_RATE * 3))).toEqual([]);
    let seed = 7;
    const noise = new Float32Array(SAMPLE_RATE * 3).map(() => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed / 2147483648 - 0.5) * 0.002;
    });
    expect(await spans(vad, noise)).toEqual([]);
  });
});
