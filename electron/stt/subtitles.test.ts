import { describe, expect, it } from 'vitest';
import type { CaptionEvent } from '../common/stt-protocol';
import { captionsToCues, shortTime, toSrt, toVtt } from './subtitles';

const final = (id: number, start: number, end: number, text: string): CaptionEvent => ({ type: 'caption', id: `c${id}`, state: 'final', text, start, end, lang: 'en' });

describe('subtitles', () => {
  const captions: CaptionEvent[] = [
    final(1, 0.5, 1.2, 'Good morning'),
    { type: 'caption', id: 'c2', state: 'partial', text: 'every', start: 1.3, end: 1.6, lang: 'en' },
    final(2, 1.3, 2.0, 'everyone.'),
    final(3, 2.1, 3.0, 'The session'),
    final(4, 5.0, 6.25, 'is open'),
  ];

  it('joins finals into cues, breaking at sentence ends and pauses', () => {
    expect(captionsToCues(captions)).toEqual([
      { start: 0.5, end: 2.0, text: 'Good morning everyone.' },
      { start: 2.1, end: 3.0, text: 'The session' },
      { start: 5.0, end: 6.25, text: 'is open' },
    ]);
  });

  it('writes SRT and WebVTT', () => {
    const cues = captionsToCues(captions);
    expect(toSrt(cues)).toBe(
      '1\n00:00:00,500 --> 00:00:02,000\nGood morning everyone.\n\n2\n00:00:02,100 --> 00:00:03,000\nThe session\n\n3\n00:00:05,000 --> 00:00:06,250\nis open\n',
    );
    expect(toVtt(cues.slice(0, 1))).toBe('WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nGood morning everyone.\n');
  });

  it('prints short times rounded once: 59.96 s is 01:00.0, never 00:60.0', () => {
    expect([0, 9.94, 59.94, 59.96, 60, 119.99, 3599.97].map(shortTime)).toEqual(['00:00.0', '00:09.9', '00:59.9', '01:00.0', '01:00.0', '02:00.0', '60:00.0']);
  });

  it('caps the cue length', () => {
    const long = Array.from({ length: 10 }, (_, i) => final(i, i * 0.5, i * 0.5 + 0.4, 'twelve chars'));
    const cues = captionsToCues(long, { maxChars: 30 });
    expect(cues.every((c) => c.text.length <= 30)).toBe(true);
    expect(cues).toHaveLength(5);
  });
});
