import { describe, expect, it } from 'vitest';
import { sequentialCues, type CueSpan } from './cue-timing';

const span = (startMs: number, endMs: number, text = 't'): CueSpan => ({ startMs, endMs, text });
const times = (cues: CueSpan[]): [number, number][] => cues.map((c) => [c.startMs, c.endMs]);

function expectSequential(cues: CueSpan[]): void {
  for (let i = 1; i < cues.length; i++) expect(cues[i]!.startMs).toBeGreaterThanOrEqual(cues[i - 1]!.endMs);
  for (const c of cues) expect(c.endMs).toBeGreaterThanOrEqual(c.startMs);
}

describe('sequentialCues', () => {
  it('pads a short line to the minimum, but never past the next line\'s start', () => {
    // Committed the instant it started: 1 s, unless the next line comes sooner.
    expect(times(sequentialCues([span(0, 0), span(5000, 5200), span(5600, 9000)], 1000))).toEqual([
      [0, 1000],
      [5000, 5600],
      [5600, 9000],
    ]);
  });

  it('a line that started before the previous one: it starts when that one ends; no overlap, never back', () => {
    // The second line started while the first was still typed (ends there); the third before the second (waits).
    const cues = sequentialCues([span(0, 4000), span(1000, 6000), span(500, 7000), span(6500, 6600)], 1000);
    expect(times(cues)).toEqual([
      [0, 1000],
      [1000, 6000],
      [6000, 6500],
      [6500, 7500],
    ]);
    expectSequential(cues);
  });

  it('holds for any spans', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const spans = Array.from({ length: 30 }, () => {
        const s = Math.floor(rand() * 60_000);
        return span(s, s + Math.floor(rand() * 5000));
      });
      expectSequential(sequentialCues(spans, 1000));
    }
  });
});
