import { describe, expect, it } from 'vitest';
import { breakIntoLines, lineLengthFor } from '../../electron/common/line-breaking';
import {
  EMPTY_ROLL_UP,
  MAX_LAG_MS,
  MIN_ROW_MS,
  catchUpRowMs,
  readingCps,
  rollUpAtEnd,
  rowReadingMs,
  stepRollUp,
  type PacedRow,
  type RollUpPacing,
  type RollUpState,
} from './roll-up-pacing';

/** A 270-character final, as a voice or floor line arrives: one piece. */
const LONG_EN =
  'The Under-Secretary-General opened the fourth session of the Committee in Vienna this morning and thanked the ' +
  'Member States for their continued support of the programme of work, which now covers prevention, protection ' +
  'of victims and cooperation.';
const LONG_AR =
  'افتتح وكيل الأمين العام الدورة الرابعة للجنة في فيينا صباح اليوم وشكر الدول الأعضاء على دعمها المتواصل لبرنامج ' +
  'العمل الذي يشمل الآن الوقاية وحماية الضحايا والتعاون الدولي في مكافحة الإرهاب وتبادل المعلومات بين الأجهزة ' +
  'المختصة في المنطقة.';

function rowsOf(lines: Array<{ id: string; text: string; lang?: string }>): PacedRow[] {
  return lines.flatMap(({ id, text, lang = 'en' }) =>
    breakIntoLines(text, lineLengthFor(lang)).map((piece, i) => ({ key: `${id}:${i}`, lineId: id, text: piece, lang })),
  );
}

interface Seen {
  /** When the row first came on screen. */
  first: number;
  /** How long it was on screen in all. */
  visibleMs: number;
}

/**
 * Plays the roll-up on a fake clock: the rows change at given times, and the roll-up is evaluated then and at
 * every `wakeAt` it asks for, as the display's timer would. Records when each row was on screen.
 */
class Playback {
  time = 0;
  state: RollUpState = EMPTY_ROLL_UP;
  rows: PacedRow[] = [];
  wakeAt: number | null = null;
  readonly seen = new Map<string, Seen>();
  readonly skipped: string[] = [];
  catchingUpSeen = false;
  private onScreen: string[] = [];
  private since = 0;

  constructor(readonly pacing: RollUpPacing) {}

  /** The display opens on these rows: they are shown at once, unpaced. */
  open(rows: PacedRow[]): void {
    this.rows = rows;
    this.state = rollUpAtEnd(rows);
    this.evaluate();
  }

  set(rows: PacedRow[]): void {
    this.rows = rows;
    this.evaluate();
  }

  /** Runs the clock to `until`, waking the roll-up when it asked to be. */
  runUntil(until: number): void {
    while (this.wakeAt !== null && this.wakeAt <= until) {
      this.time = Math.max(this.time, this.wakeAt);
      this.evaluate();
    }
    this.flush(until);
    this.time = until;
  }

  /** Runs until nothing is left to wait for. */
  runToEnd(limit = 10 * 60_000): void {
    while (this.wakeAt !== null && this.time < limit) {
      this.time = Math.max(this.time, this.wakeAt);
      this.evaluate();
    }
    this.flush(this.time + 1);
  }

  get screen(): string[] {
    return this.onScreen.map((key) => this.rows.find((r) => r.key === key)?.text ?? key);
  }

  private evaluate(): void {
    const frame = stepRollUp(this.state, this.rows, this.time, this.pacing);
    this.flush(this.time);
    this.state = frame.state;
    this.wakeAt = frame.wakeAt;
    if (frame.catchingUp) this.catchingUpSeen = true;
    const before = new Set(this.onScreen);
    this.onScreen = this.rows.slice(frame.start, frame.end).map((r) => r.key);
    for (const key of this.onScreen) if (!before.has(key) && !this.seen.has(key)) this.seen.set(key, { first: this.time, visibleMs: 0 });
    const startIndex = before.size > 0 ? Math.max(...[...before].map((k) => this.rows.findIndex((r) => r.key === k))) : -1;
    for (let i = startIndex + 1; i < frame.start; i += 1) {
      const key = this.rows[i]?.key;
      if (key && !this.seen.has(key) && frame.skipped > 0) this.skipped.push(key);
    }
  }

  private flush(until: number): void {
    for (const key of this.onScreen) {
      const s = this.seen.get(key);
      if (s) s.visibleMs += until - this.since;
    }
    this.since = until;
  }
}

describe('paced roll-up', () => {
  it('reads at about 17 characters per second per language, at least 1.5 s a row', () => {
    expect(readingCps('ar')).toBe(17);
    expect(readingCps('ru-RU')).toBe(17);
    expect(readingCps('floor')).toBe(17);
    const pacing = { lines: 2 };
    expect(rowReadingMs({ key: 'a:0', lineId: 'a', text: 'x'.repeat(34), lang: 'en' }, pacing)).toBe(2000);
    expect(rowReadingMs({ key: 'a:0', lineId: 'a', text: 'Yes.', lang: 'en' }, pacing)).toBe(MIN_ROW_MS);
    // Grapheme clusters: Arabic vowel marks do not make a row slower.
    expect(rowReadingMs({ key: 'a:0', lineId: 'a', text: 'مُحَمَّدٌ '.repeat(5).trim(), lang: 'ar' }, pacing)).toBe(
      rowReadingMs({ key: 'a:0', lineId: 'a', text: 'محمد '.repeat(5).trim(), lang: 'ar' }, pacing),
    );
    expect(rowReadingMs({ key: 'a:0', lineId: 'a', text: 'x'.repeat(34), lang: 'en' }, { lines: 2, cps: () => 34 })).toBe(MIN_ROW_MS);
  });

  it('shows every row of a 270-character final on a two-line display, one row at a time at reading pace', () => {
    for (const [text, lang] of [
      [LONG_EN, 'en'],
      [LONG_AR, 'ar'],
    ] as const) {
      const play = new Playback({ lines: 2 });
      play.open(rowsOf([{ id: 'old', text: 'Good morning.', lang }]));
      play.time = 60_000;
      const rows = rowsOf([
        { id: 'old', text: 'Good morning.', lang },
        { id: 'long', text, lang },
      ]);
      const longRows = rows.filter((r) => r.lineId === 'long');
      expect(longRows.length).toBeGreaterThanOrEqual(6);
      play.set(rows);
      // The first two rows of the final at once, not its last two.
      expect(play.screen).toEqual([longRows[0]?.text, longRows[1]?.text]);
      play.runToEnd();
      expect(play.screen).toEqual(longRows.slice(-2).map((r) => r.text));

      const firsts = longRows.map((r) => play.seen.get(r.key)?.first);
      expect(firsts.every((t) => t !== undefined), `${lang}: every row came on screen`).toBe(true);
      // Row k+2 comes on screen when row k has been read: one row per reading time, never faster.
      for (let k = 2; k < longRows.length; k += 1) {
        const gap = (firsts[k] ?? 0) - (firsts[k - 1] ?? 0);
        expect(gap).toBeCloseTo(rowReadingMs(longRows[k - 2] as PacedRow, { lines: 2 }), 6);
        expect(gap).toBeGreaterThanOrEqual(MIN_ROW_MS);
      }
      // Each row is on screen at least as long as it takes to read it.
      for (const row of longRows.slice(0, -2)) {
        expect(play.seen.get(row.key)?.visibleMs, row.text).toBeGreaterThanOrEqual(rowReadingMs(row, { lines: 2 }) - 1e-6);
      }
      // The whole final took about its reading time at 17 cps: 270 characters, ~16 s less the rows shown at once.
      const characters = longRows.slice(0, -2).reduce((n, r) => n + [...r.text].length, 0);
      expect((firsts.at(-1) ?? 0) - 60_000).toBeCloseTo((characters / 17) * 1000, -2);
      expect(play.catchingUpSeen).toBe(false);
      expect(play.skipped).toEqual([]);
    }
  });

  it('lets a new row in at once while the rows it pushes off have been read', () => {
    const play = new Playback({ lines: 4 });
    play.open([]);
    play.set(rowsOf([{ id: 'a', text: 'One.' }]));
    play.set(rowsOf([{ id: 'a', text: 'One.' }, { id: 'b', text: 'Two.' }]));
    play.set(rowsOf([{ id: 'a', text: 'One.' }, { id: 'b', text: 'Two.' }, { id: 'c', text: 'Three.' }]));
    // Four rows of room: nothing has to leave, so nothing waits.
    expect(play.screen).toEqual(['One.', 'Two.', 'Three.']);
  });

  it('grows a partial in place and carries on when the final replaces it', () => {
    const play = new Playback({ lines: 2 });
    play.open(rowsOf([{ id: 'a', text: 'Earlier line.' }]));
    play.time = 10_000;
    const words = LONG_EN.split(' ');
    // A partial typed at 12 characters per second, then committed.
    let typed = '';
    for (const word of words) {
      typed = typed ? `${typed} ${word}` : word;
      play.runUntil(10_000 + (typed.length / 12) * 1000);
      play.set(rowsOf([{ id: 'a', text: 'Earlier line.' }, { id: 'p', text: typed }]));
    }
    play.runToEnd();
    const rows = rowsOf([{ id: 'p', text: LONG_EN }]);
    for (const row of rows) expect(play.seen.has(row.key), row.text).toBe(true);
    // Typing slower than reading: the display follows the typing, it never falls behind.
    expect(play.catchingUpSeen).toBe(false);
    expect(play.screen.at(-1)).toBe(rows.at(-1)?.text);
  });

  it('catches up visibly when the backlog would exceed the bound, and still shows every row', () => {
    const pacing = { lines: 2 };
    const play = new Playback(pacing);
    play.open([]);
    play.set(rowsOf([{ id: 'a', text: LONG_EN }]));
    // Two seconds in, a second long final: the rows of the first still to read would take ~12 s at reading pace.
    play.runUntil(2_000);
    const both = rowsOf([
      { id: 'a', text: LONG_EN },
      { id: 'b', text: LONG_EN },
    ]);
    play.set(both);
    expect(play.catchingUpSeen).toBe(true);
    play.runToEnd();
    for (const row of both) expect(play.seen.has(row.key), row.key).toBe(true);
    expect(play.skipped).toEqual([]);
    // The second final started within the bound of the reader's row, not ~12 s later...
    const firstOfB = play.seen.get('b:0')?.first ?? Infinity;
    expect(firstOfB - 2_000).toBeLessThanOrEqual(MAX_LAG_MS);
    expect(firstOfB - 2_000).toBeGreaterThan(MAX_LAG_MS - 2_500);
    // ...every row of the first was still on screen for at least ~1.5 s, and the second rolled at reading pace.
    for (const row of both.filter((r) => r.lineId === 'a')) {
      expect(play.seen.get(row.key)?.visibleMs, row.key).toBeGreaterThanOrEqual(catchUpRowMs(pacing) * 2 - 1);
    }
    const bRows = both.filter((r) => r.lineId === 'b');
    for (let k = 2; k < bRows.length; k += 1) {
      const gap = (play.seen.get(bRows[k]?.key ?? '')?.first ?? 0) - (play.seen.get(bRows[k - 1]?.key ?? '')?.first ?? 0);
      expect(gap).toBeCloseTo(rowReadingMs(bRows[k - 2] as PacedRow, pacing), 6);
    }
  });

  it('does not catch up while the backlog stays within the bound', () => {
    const play = new Playback({ lines: 2 });
    play.open([]);
    const first = 'The meeting resumes at three o’clock in Hall B.';
    play.set(rowsOf([{ id: 'a', text: first }]));
    play.runUntil(500);
    play.set(rowsOf([{ id: 'a', text: first }, { id: 'b', text: 'Interpretation is available in Hall B.' }, { id: 'c', text: 'Thank you.' }]));
    play.runToEnd();
    expect(play.catchingUpSeen).toBe(false);
    expect(play.screen).toEqual(['Interpretation is available in Hall B.', 'Thank you.']);
  });

  it('passes over rows only when even catching up cannot bring the lag within the bound', () => {
    const pacing = { lines: 2 };
    const play = new Playback(pacing);
    play.open([]);
    // Four long finals at once (a display back from a long outage, or a pasted script): ~28 rows.
    const lines = ['a', 'b', 'c', 'd'].map((id) => ({ id, text: LONG_EN }));
    const rows = rowsOf(lines);
    play.set(rows);
    expect(play.skipped.length).toBeGreaterThan(0);
    play.runToEnd();
    const firstOfD = play.seen.get('d:0')?.first ?? Infinity;
    expect(firstOfD).toBeLessThanOrEqual(MAX_LAG_MS);
    // The newest line is read whole, at reading pace.
    for (const row of rows.filter((r) => r.lineId === 'd')) expect(play.seen.has(row.key)).toBe(true);
    // What was passed over is the oldest text, and only as much as the bound requires.
    const seenCount = rows.filter((r) => play.seen.has(r.key)).length;
    const dRows = rows.filter((r) => r.lineId === 'd').length;
    expect(seenCount - dRows).toBeGreaterThanOrEqual(Math.floor(MAX_LAG_MS / catchUpRowMs(pacing)));
  });

  it('shows the end of what was said before the display opened without replaying it', () => {
    const rows = rowsOf([{ id: 'a', text: LONG_EN }]);
    const frame = stepRollUp(rollUpAtEnd(rows), rows, 0, { lines: 2 });
    expect(rows.slice(frame.start, frame.end)).toEqual(rows.slice(-2));
    expect(frame.wakeAt).toBeNull();
  });

  it('survives a clear, an abandoned partial and a revision that shortens a line', () => {
    const play = new Playback({ lines: 2 });
    play.open(rowsOf([{ id: 'a', text: LONG_EN }]));
    play.set([]);
    expect(play.screen).toEqual([]);
    expect(play.wakeAt).toBeNull();
    play.time = 1_000;
    play.set(rowsOf([{ id: 'p1', text: LONG_EN }]));
    expect(play.screen).toHaveLength(2);
    // The partial is abandoned for another one: the reader carries on at the same place.
    play.runUntil(3_000);
    play.set(rowsOf([{ id: 'p2', text: 'A different sentence.' }]));
    expect(play.screen).toEqual(['A different sentence.']);
    play.runToEnd();
    // A revision that makes the line shorter than the row the reader was on.
    play.set(rowsOf([{ id: 'p2', text: 'Short.' }]));
    expect(play.screen).toEqual(['Short.']);
  });

  it('paces a one-line display at reading pace and a taller one lets rows in sooner', () => {
    const one = new Playback({ lines: 1 });
    one.open([]);
    const rows = rowsOf([{ id: 'a', text: LONG_EN }]);
    one.set(rows);
    expect(one.screen).toEqual([rows[0]?.text]);
    one.runToEnd();
    for (const row of rows) expect(one.seen.get(row.key)?.visibleMs ?? 0).toBeGreaterThanOrEqual(rowReadingMs(row, { lines: 1 }) - 1);
    const four = new Playback({ lines: 4 });
    four.open([]);
    four.set(rows);
    expect(four.screen).toEqual(rows.slice(0, 4).map((r) => r.text));
  });

  it('reads again a row that grew after it was read: the next line went on in it (a wall flows speech-to-text lines)', () => {
    const pacing: RollUpPacing = { lines: 2 };
    // An idle wall that has read its one row.
    const before: PacedRow[] = [{ key: 'f1:0', lineId: 'f1', text: 'Good morning.', lang: 'en' }];
    const idle = stepRollUp(rollUpAtEnd(before), before, 10_000, pacing);
    // The next line goes on in that row and fills two more.
    const rows: PacedRow[] = [
      { key: 'f1:0', lineId: 'f2', text: 'Good morning. The Under-Secretary-General', lang: 'en' },
      { key: 'f2:1', lineId: 'f2', text: 'opened the fourth session of the Committee', lang: 'en' },
      { key: 'f2:2', lineId: 'f2', text: 'in Vienna this morning.', lang: 'en' },
    ];
    const frame = stepRollUp(idle.state, rows, 10_000, pacing);
    // The grown row stays on screen for its new words to be read (before: the row counted as read, and the wall
    // showed the next two rows at once, "The Under-Secretary-General" never on screen).
    expect([frame.start, frame.end]).toEqual([0, 2]);
    expect(frame.wakeAt).toBeGreaterThan(10_000 + (('The Under-Secretary-General'.length - 1) / readingCps('en')) * 1000);
    const later = stepRollUp(frame.state, rows, frame.wakeAt!, pacing);
    expect([later.start, later.end]).toEqual([1, 3]);
  });
});
