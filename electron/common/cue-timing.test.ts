import { describe, expect, it } from 'vitest';
import { joinSpeechLines, sequentialCues, type CueSpan, type SourceSpan } from './cue-timing';

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

describe('joinSpeechLines', () => {
  const stt = (startMs: number, endMs: number, text: string, source: SourceSpan['source'] = 'floor-stt'): SourceSpan => ({ startMs, endMs, text, source, lang: 'en' });

  it("joins a speech-to-text source's short lines into cues of one row, or two balanced ones, 7 s at most", () => {
    // Whisper small on 2 cores: a line per pass, three words every 1.4 s. A cue each would flash by.
    const lines = [
      stt(0, 1200, 'Good morning,'),
      stt(1400, 2600, 'distinguished delegates,'),
      stt(2800, 4000, 'and welcome to'),
      stt(4200, 5400, 'the second session'),
      stt(5600, 6800, 'of the Committee.'),
      stt(7000, 8200, 'The Chair will'),
    ];
    const cues = joinSpeechLines(lines);
    expect(cues).toEqual([
      { startMs: 0, endMs: 5400, text: 'Good morning, distinguished delegates,\nand welcome to the second session' },
      { startMs: 5600, endMs: 8200, text: 'of the Committee. The Chair will' },
    ]);
    for (const cue of cues) for (const row of cue.text.split('\n')) expect(row.length).toBeLessThanOrEqual(42);
    // Never longer than 7 s, never across a pause of more than 1 s.
    expect(joinSpeechLines([stt(0, 1000, 'one'), stt(1500, 6000, 'two'), stt(6100, 7200, 'three')]).map((c) => c.text)).toEqual(['one two', 'three']);
    expect(joinSpeechLines([stt(0, 1000, 'one'), stt(2100, 3000, 'two')]).map((c) => c.text)).toEqual(['one', 'two']);
  });

  it('leaves typed lines, script cues and lines of another source or unknown source a cue each', () => {
    const cues = joinSpeechLines([
      stt(0, 1000, 'We now turn', 'typed'),
      stt(1000, 2000, 'to item four.', 'typed'),
      stt(2000, 3000, 'Of the agenda.', 'script'),
      stt(3000, 4000, 'Thank'),
      stt(4000, 5000, 'you', 'voice-stt'),
      { startMs: 5000, endMs: 6000, text: 'Next' },
      { startMs: 6000, endMs: 7000, text: 'speaker' },
    ]);
    expect(cues.map((c) => c.text)).toEqual(['We now turn', 'to item four.', 'Of the agenda.', 'Thank', 'you', 'Next', 'speaker']);
  });
});
