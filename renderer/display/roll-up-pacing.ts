/**
 * Paced roll-up: which rows of a channel a wall display shows at a given moment, so that a long final is read
 * row by row instead of jumping to its last rows.
 *
 * The model is a reader who reads the rows in order at a reading pace: a row takes
 * `max(minRowMs, characters / cps)` (broadcast practice: about 17 characters per second, at least ~1.5 s per
 * row). A row may scroll off the top only once the reader has finished it, so the window of `lines` rows ends
 * at most `lines - 1` rows below the first unread row. On an idle display a new final therefore shows its first
 * `lines` rows at once and rolls up one row each time the reader finishes one.
 *
 * Catching up. The display's lag is how long the newest line waits, from when it was first seen, before its
 * first row comes on screen. The newest line's own rows always roll at reading pace (a long final is read
 * whole); when reading the older rows still queued would make the lag exceed `maxLagMs`, those rows are shown
 * faster, uniformly, just enough to meet the bound, but never faster than `catchUpRowMs` per row
 * (`minRowMs / lines`, so a row still stays on screen for about `minRowMs`). Only when even that pace cannot
 * meet the bound are the oldest of those rows passed over; no row goes unseen otherwise.
 *
 * Everything here is a pure function of the rows, the previous state and the time given: no timers, no
 * clock. The caller evaluates again whenever the rows change and at `wakeAt`.
 */
import { displayLength } from '../../electron/common/line-breaking';

/** Characters per second a viewer reads, by language (Netflix timed-text guides: 17 for adults in ar, en, ru). */
export const READING_CPS: Readonly<Record<string, number>> = { ar: 17, en: 17, ru: 17 };

/** Reading pace for a language not in {@link READING_CPS} (and the floor channel). */
export const DEFAULT_READING_CPS = 17;

/** Shortest time a row is given at reading pace. */
export const MIN_ROW_MS = 1500;

/** How far behind (ms) a display may fall before it catches up: "a few seconds". */
export const MAX_LAG_MS = 6000;

/** Catch-up never shows rows faster than this, whatever the number of lines. */
const FASTEST_ROW_MS = 400;

/** Reading pace of a language (`ar-EG` counts as `ar`). */
export function readingCps(lang: string | undefined): number {
  const primary = lang?.trim().toLowerCase().split(/[-_]/)[0];
  return (primary && READING_CPS[primary]) || DEFAULT_READING_CPS;
}

/** How a channel's roll-up is paced. */
export interface RollUpPacing {
  /** Rows on screen (the display's `lines`). */
  lines: number;
  /** Characters per second for a row's language; defaults to {@link readingCps}. */
  cps?: (lang: string | undefined) => number;
  /** Shortest time per row at reading pace (default {@link MIN_ROW_MS}). */
  minRowMs?: number;
  /** The lag bound (default {@link MAX_LAG_MS}). */
  maxLagMs?: number;
}

/** What the pacing needs to know of a display row. */
export interface PacedRow {
  /** Stable id of the row (`<line id>:<row index>`). */
  key: string;
  lineId: string;
  text: string;
  lang: string | undefined;
}

/** A row the state refers to: by key, with the line and the index it had, to find its place if it is gone. */
export interface RowRef {
  key: string;
  lineId: string;
  index: number;
}

/** The roll-up's memory between evaluations. */
export interface RollUpState {
  /** The last row on screen, or null when nothing is (an empty or cleared channel). */
  bottom: RowRef | null;
  /** The row the reader is on, or null when nothing is on screen. */
  reader: RowRef | null;
  /** When the reader started that row (ms, the caller's clock). */
  readerSince: number;
  /**
   * The length of the reader's row (display characters) at the last evaluation: on a wall the next line goes on in
   * the last row, and a row that grew has text its reader has not read yet.
   */
  readerChars: number;
  /** The newest line (the last row's), and when it was first seen: the lag is counted from then. */
  newest: { lineId: string; since: number } | null;
}

/** The result of one evaluation. */
export interface RollUpFrame {
  state: RollUpState;
  /** Rows on screen: `rows.slice(start, end)`. */
  start: number;
  end: number;
  /** When to evaluate again (the reader finishes its row), or null when there is nothing to wait for. */
  wakeAt: number | null;
  /** True while rows of older lines are shown faster than reading pace, or some were passed over. */
  catchingUp: boolean;
  /** Rows passed over in this evaluation without ever coming on screen (the lag was beyond the bound). */
  skipped: number;
}

/** The state of a display that has shown nothing yet. */
export const EMPTY_ROLL_UP: RollUpState = { bottom: null, reader: null, readerSince: 0, readerChars: 0, newest: null };

const ref = (rows: readonly PacedRow[], index: number): RowRef | null => {
  const row = rows[index];
  return row ? { key: row.key, lineId: row.lineId, index } : null;
};

/**
 * The state of a display that has read everything in `rows`: the last rows on screen at once. For the first
 * snapshot after a display opens (what was said before it opened is not replayed).
 */
export function rollUpAtEnd(rows: readonly PacedRow[]): RollUpState {
  const last = ref(rows, rows.length - 1);
  const row = rows[rows.length - 1];
  return {
    bottom: last,
    reader: last,
    readerSince: -Infinity,
    readerChars: row ? displayLength(row.text) : 0,
    newest: last ? { lineId: last.lineId, since: -Infinity } : null,
  };
}

/** Time a row takes at reading pace. */
export function rowReadingMs(row: PacedRow, pacing: RollUpPacing): number {
  const cps = (pacing.cps ?? readingCps)(row.lang);
  return Math.max(pacing.minRowMs ?? MIN_ROW_MS, (displayLength(row.text) / cps) * 1000);
}

/** The fastest a row is shown while catching up. */
export function catchUpRowMs(pacing: RollUpPacing): number {
  return Math.max(FASTEST_ROW_MS, (pacing.minRowMs ?? MIN_ROW_MS) / Math.max(1, pacing.lines));
}

/** Where a remembered row is in `rows` now: by key, else the last row of its line, else its old index. */
function locate(rows: readonly PacedRow[], at: RowRef, lineEnds: ReadonlyMap<string, number>, keys: ReadonlyMap<string, number>): number {
  const byKey = keys.get(at.key);
  if (byKey !== undefined) return byKey;
  const lineEnd = lineEnds.get(at.lineId);
  if (lineEnd !== undefined) return lineEnd;
  return Math.min(at.index, rows.length - 1);
}

/** The factor f in (0, 1] with sum(max(floor, d * f)) <= budget, as large as it can be. */
function compression(durations: readonly number[], floor: number, budget: number): number {
  const total = (f: number): number => durations.reduce((sum, d) => sum + Math.max(floor, d * f), 0);
  if (total(1) <= budget) return 1;
  let low = 0;
  let high = 1;
  for (let i = 0; i < 40; i += 1) {
    const mid = (low + high) / 2;
    if (total(mid) <= budget) low = mid;
    else high = mid;
  }
  return low;
}

interface Plan {
  /** Effective time of each row from the reader's row up to `through` (index - reader). */
  durations: number[];
  /** Last row that is read faster (or -1). */
  through: number;
  /** Factor applied to those rows (1 = reading pace). */
  factor: number;
}

/**
 * How fast the rows from `reader` on are read: reading pace, except the rows that must be read before the
 * newest line can come on screen, when reading them from `since` would take longer than `budget`.
 * Returns null when the budget cannot be met even at the fastest catch-up pace.
 */
function plan(rows: readonly PacedRow[], reader: number, pacing: RollUpPacing, newestStart: number, budget: number): Plan | null {
  const lines = Math.max(1, pacing.lines);
  const through = newestStart - lines;
  const reading = (i: number): number => rowReadingMs(rows[i] as PacedRow, pacing);
  if (through < reader) return { durations: [reading(reader)], through: -1, factor: 1 };
  const before: number[] = [];
  for (let i = reader; i <= through; i += 1) before.push(reading(i));
  const floor = catchUpRowMs(pacing);
  if (before.length * floor > budget) return null;
  const factor = compression(before, floor, budget);
  return { durations: before.map((d) => (factor < 1 ? Math.max(floor, d * factor) : d)), through, factor };
}

/**
 * One evaluation of the roll-up at time `now`: moves the reader on when it has finished its row, passes over
 * rows when the lag is beyond the bound, and returns the rows on screen and when to evaluate again.
 * `rows` are all the rows the channel can show, oldest first (every kept line, then the partial).
 */
export function stepRollUp(previous: RollUpState, rows: readonly PacedRow[], now: number, pacing: RollUpPacing): RollUpFrame {
  const lines = Math.max(1, pacing.lines);
  if (rows.length === 0) return { state: EMPTY_ROLL_UP, start: 0, end: 0, wakeAt: null, catchingUp: false, skipped: 0 };
  const last = rows.length - 1;
  const keys = new Map<string, number>();
  const lineEnds = new Map<string, number>();
  rows.forEach((row, i) => {
    keys.set(row.key, i);
    lineEnds.set(row.lineId, i);
  });
  const newestLine = (rows[last] as PacedRow).lineId;
  let newestStart = last;
  while (newestStart > 0 && (rows[newestStart - 1] as PacedRow).lineId === newestLine) newestStart -= 1;
  const newest = previous.newest?.lineId === newestLine ? previous.newest : { lineId: newestLine, since: now };
  /** The newest line's first row is due on screen by then (unless it already is). */
  const deadline = newest.since + (pacing.maxLagMs ?? MAX_LAG_MS);

  let bottom = previous.bottom ? locate(rows, previous.bottom, lineEnds, keys) : -1;
  let reader: number;
  let since: number;
  if (previous.reader) {
    reader = locate(rows, previous.reader, lineEnds, keys);
    since = previous.readerSince;
    const row = rows[reader] as PacedRow;
    if (row.key === previous.reader.key && displayLength(row.text) > previous.readerChars) {
      // The reader's row grew (the next line went on in it): the reader has read its old text at most, and reads the
      // rest before the row may leave.
      const cps = (pacing.cps ?? readingCps)(row.lang);
      since = Math.max(since, now - (previous.readerChars / cps) * 1000);
    }
  } else {
    // Nothing was on screen: the reader starts at the first row now.
    reader = Math.min(bottom + 1, last);
    since = now;
  }

  let skipped = 0;
  const skipTo = (target: number): void => {
    for (let i = reader; i < target; i += 1) if (i > bottom) skipped += 1;
    reader = target;
    since = now;
  };
  /** The plan for the reader's row; when the bound cannot be met, passes over the oldest rows until it can. */
  const planNow = (): Plan => {
    const p = plan(rows, reader, pacing, newestStart, deadline - since);
    if (p) return p;
    const fit = Math.max(0, Math.floor((deadline - now) / catchUpRowMs(pacing)));
    skipTo(Math.max(reader + 1, newestStart - lines - fit + 1));
    return (
      plan(rows, reader, pacing, newestStart, deadline - since) ?? {
        durations: [rowReadingMs(rows[reader] as PacedRow, pacing)],
        through: -1,
        factor: 1,
      }
    );
  };

  // A row finished at reading pace is behind the reader whatever the lag: do not count it when planning.
  if (reader < last && now >= since + rowReadingMs(rows[reader] as PacedRow, pacing)) {
    reader += 1;
    since = now;
  }
  let current = planNow();
  let done = now >= since + (current.durations[0] ?? 0);
  if (done && reader < last) {
    reader += 1;
    since = now;
    current = planNow();
    done = false;
  }
  const firstUnread = done ? reader + 1 : reader;
  bottom = Math.min(last, Math.max(bottom, reader, firstUnread + lines - 1));
  const start = Math.max(0, bottom - lines + 1);
  const state: RollUpState = {
    bottom: ref(rows, bottom),
    reader: ref(rows, reader),
    readerSince: since,
    readerChars: displayLength((rows[reader] as PacedRow).text),
    newest,
  };
  return {
    state,
    start,
    end: bottom + 1,
    wakeAt: done ? null : since + (current.durations[0] ?? 0),
    catchingUp: skipped > 0 || (current.factor < 1 && reader <= current.through),
    skipped,
  };
}
