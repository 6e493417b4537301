import { describe, expect, it } from 'vitest';
import type { CaptionLine } from '../../electron/common/protocol';
import { ChannelRows, WALL_HISTORY_LINES, type DisplayRow } from './channel-rows';
import { virtualClock } from './test-support/virtual-clock';

const line = (n: number, text: string): CaptionLine =>
  ({ id: `f${n}`, room: 'main', channel: 'floor', seq: n, text, state: 'final', revision: 0, source: 'floor-stt', lang: 'en', startedAt: 0, updatedAt: 0 }) as CaptionLine;

describe('ChannelRows on a wall', () => {
  it('flows short lines into rows, and no row changes its key or text when the oldest lines leave the history', () => {
    // Lines of 16-22 characters. Flowed from another line (the oldest one kept), the rows would break elsewhere and
    // change their keys: a wall's reader would lose its place.
    const words = ['delegates', 'committee', 'resolution', 'federation', 'assembly', 'secretary'];
    const lines = Array.from({ length: 80 }, (_, i) => line(i + 1, `the ${words[i % words.length]!} said ${i + 1}`));
    const clock = virtualClock();
    let shown: DisplayRow[] = [];
    const wall = new ChannelRows({ view: 'wall', lines: 8, lang: 'en', size: 1, cps: undefined }, clock, (rows) => (shown = rows));
    for (let n = 1; n <= lines.length; n++) {
      const before = shown;
      wall.update({ lines: lines.slice(0, n).slice(-WALL_HISTORY_LINES), partial: null });
      clock.runUntil(clock.now() + 10_000);
      const now = new Map(shown.map((r) => [r.key, r.text]));
      // Every row that was on screen, but the oldest ones (scrolled off) and the last one (the next line may go on in
      // it), is still there, with its key and its text.
      for (const row of before.slice(2, -1)) expect([n, row.key, now.get(row.key)]).toEqual([n, row.key, row.text]);
    }
    // The rows are full: a line goes on where the last one ended, broken at a word.
    expect(shown[shown.length - 1]!.text).toBe('delegates said 79 the committee said 80');
    for (const row of shown) expect(row.text.length).toBeGreaterThanOrEqual(34);
    for (const row of shown) expect(row.text.length).toBeLessThanOrEqual(42);
    wall.dispose();
  });
});
