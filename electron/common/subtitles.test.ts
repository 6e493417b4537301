import { describe, expect, it } from 'vitest';
import { writeSubtitles, type SubtitleCue } from './subtitles';

/**
 * A strict reading of SRT/WebVTT structure: blocks separated by blank lines, each a (number and) timing line
 * then text; any line holding `-->` is a timing line, as lenient players read it.
 */
function readCues(text: string, format: 'srt' | 'vtt'): Array<{ timing: string; text: string[] }> {
  const body = format === 'vtt' ? text.replace(/^WEBVTT\n\n?/, '') : text;
  const blocks = body.split(/\n\n+/).filter((b) => b.trim() !== '');
  return blocks.map((block) => {
    const lines = block.split('\n').filter((l) => l !== '');
    if (format === 'srt') expect(lines[0], `cue number in ${JSON.stringify(block)}`).toMatch(/^\d+$/);
    const rest = format === 'srt' ? lines.slice(1) : lines;
    const timingAt = rest.findIndex((l) => l.includes('-->'));
    expect(timingAt, `timing line first in ${JSON.stringify(block)}`).toBe(0);
    expect(rest.slice(1).some((l) => l.includes('-->')), `a second timing line in ${JSON.stringify(block)}`).toBe(false);
    return { timing: rest[0]!, text: rest.slice(1) };
  });
}

const forged = 'Thank you.\n\n2\n00:00:00,000 --> 09:59:59,000\nFORGED CUE';

describe('writeSubtitles', () => {
  const cues: SubtitleCue[] = [
    { startMs: 500, endMs: 2000, text: 'Good morning & welcome <all>.' },
    { startMs: 3_661_250, endMs: 3_662_000, text: 'We begin\r\nwith the agenda.' },
  ];

  it('writes SRT, WebVTT (text escaped) and plain text', () => {
    expect(writeSubtitles(cues, 'srt')).toBe(
      '1\n00:00:00,500 --> 00:00:02,000\nGood morning & welcome <all>.\n\n2\n01:01:01,250 --> 01:01:02,000\nWe begin\nwith the agenda.\n',
    );
    expect(writeSubtitles(cues, 'vtt')).toBe(
      'WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nGood morning &amp; welcome &lt;all&gt;.\n\n01:01:01.250 --> 01:01:02.000\nWe begin\nwith the agenda.\n',
    );
    expect(writeSubtitles(cues, 'txt')).toBe('Good morning & welcome <all>.\nWe begin with the agenda.\n');
  });

  it('leaves out empty cues, numbers the rest consecutively, and clamps times', () => {
    const out = writeSubtitles(
      [
        { startMs: 0, endMs: 1000, text: ' \n\t ' },
        { startMs: -50, endMs: -100, text: 'kept' },
      ],
      'srt',
    );
    expect(out).toBe('1\n00:00:00,000 --> 00:00:00,000\nkept\n');
    expect(writeSubtitles([], 'srt')).toBe('');
    expect(writeSubtitles([], 'vtt')).toBe('WEBVTT\n');
    expect(writeSubtitles([], 'txt')).toBe('');
  });

  it('a caption holding a blank line and a timing line cannot forge a cue, in any format', () => {
    const input: SubtitleCue[] = [
      { startMs: 1000, endMs: 2000, text: forged },
      { startMs: 3000, endMs: 4000, text: 'Next line.' },
    ];
    const srt = readCues(writeSubtitles(input, 'srt'), 'srt');
    expect(srt.map((c) => c.timing)).toEqual(['00:00:01,000 --> 00:00:02,000', '00:00:03,000 --> 00:00:04,000']);
    expect(srt[0]!.text).toEqual(['Thank you.', '2', '00:00:00,000 → 09:59:59,000', 'FORGED CUE']);
    const vtt = readCues(writeSubtitles(input, 'vtt'), 'vtt');
    expect(vtt.map((c) => c.timing)).toEqual(['00:00:01.000 --> 00:00:02.000', '00:00:03.000 --> 00:00:04.000']);
    expect(writeSubtitles(input, 'txt').split('\n').filter((l) => l !== '')).toEqual([
      'Thank you. 2 00:00:00,000 → 09:59:59,000 FORGED CUE',
      'Next line.',
    ]);
  });

  it('a caption cannot start a WebVTT block or tag of its own', () => {
    const out = writeSubtitles([{ startMs: 0, endMs: 1000, text: 'NOTE this\n\nSTYLE\n::cue { color: red }\n<v Boss>hi</v>' }], 'vtt');
    expect(readCues(out, 'vtt')).toHaveLength(1);
    expect(out).not.toContain('<v');
    expect(out).not.toMatch(/\n\n(NOTE|STYLE)/);
  });
});
