/**
 * What a room's wall shows, replayed: the floor channel's events as a display client received them (partials and
 * committed lines, with their arrival times) go through a wall's own roll-up (renderer/display/channel-rows.ts,
 * two rows, the reading pace of a room) on a virtual clock. Gives, for each word, when it was first on the wall
 * (in a partial or a committed row), and how long each committed row stayed: what a reader in the room sees, which
 * a client's arrival time does not say. Used by bench:e2e.
 */
import { captionRows } from '../electron/common/caption-view';
import type { CaptionLine } from '../electron/common/protocol';
import { rowLengthFor } from '../renderer/display/caption-fit';
import { ChannelRows } from '../renderer/display/channel-rows';
import { virtualClock } from '../renderer/display/test-support/virtual-clock';

/** One event of a channel as the client got it: a partial (or its withdrawal: null) or a committed line. */
export interface ReceivedEvent {
  at: number;
  final: boolean;
  line: CaptionLine | null;
}

/** The result of {@link replayWall}. */
export interface WallReplay {
  /** For each event's line id and word index within the line, when it was first on the wall (ms, the events' clock). */
  firstShown: Map<string, number[]>;
  /**
   * The same, for when it was first on the wall as committed text: in a committed row, or in the settled start of
   * the partial (drawn like committed text).
   */
  firstSettled: Map<string, number[]>;
  /** Time the wall spent catching up (showing rows faster than reading pace), ms. */
  catchingUpMs: number;
  /** How long each committed row was on the wall, ms. */
  rowOnScreenMs: number[];
}

/** Replays `events` (sorted by `at`) into a two-row wall. */
export function replayWall(events: readonly ReceivedEvent[], rowsOnScreen = 2): WallReplay {
  const clock = virtualClock(events[0]?.at ?? 0);
  const firstShown = new Map<string, number[]>();
  const firstSettled = new Map<string, number[]>();
  const note = (into: Map<string, number[]>, lineId: string, from: number, count: number, now: number): void => {
    const seen = into.get(lineId) ?? [];
    for (let j = 0; j < count; j += 1) seen[from + j] ??= now;
    into.set(lineId, seen);
  };
  /** Word offset of each row within its line, by row key, for the state last given to the wall. */
  let rowOffsets = new Map<string, number>();
  let catchingUpMs = 0;
  let since: number | null = null;
  /** Committed rows on screen now (key and text), since when. */
  let onScreen = new Map<string, number>();
  const rowOnScreenMs: number[] = [];
  const wall = new ChannelRows({ view: 'wall', lines: rowsOnScreen, lang: undefined, size: 1, cps: undefined }, clock, (rows, catchingUp) => {
    const now = clock.now();
    if (catchingUp && since === null) since = now;
    if (!catchingUp && since !== null) {
      catchingUpMs += now - since;
      since = null;
    }
    const committedNow = new Map(rows.filter((r) => !r.partial).map((r) => [`${r.key}|${r.text}`, onScreen.get(`${r.key}|${r.text}`) ?? now]));
    for (const [key, from] of onScreen) if (!committedNow.has(key)) rowOnScreenMs.push(now - from);
    onScreen = committedNow;
    for (const row of rows) {
      const offset = rowOffsets.get(row.key);
      if (offset === undefined) continue;
      note(firstShown, row.lineId, offset, wordCount(row.text), now);
      note(firstSettled, row.lineId, offset, wordCount(row.text.slice(0, row.stable)), now);
    }
  });
  const lines: CaptionLine[] = [];
  let partial: CaptionLine | null = null;
  for (const e of events) {
    clock.runUntil(e.at);
    if (e.final && e.line) {
      const i = lines.findIndex((l) => l.id === e.line!.id);
      if (i >= 0) lines[i] = e.line;
      else lines.push(e.line);
      if (partial?.id === e.line.id) partial = null;
    } else if (!e.final) partial = e.line && e.line.text.trim() !== '' ? e.line : null;
    const state = { lines: lines.slice(-32), partial };
    rowOffsets = new Map();
    const words = new Map<string, number>();
    for (const row of captionRows(state, { maxRows: Infinity, maxChars: rowLengthFor(undefined, 1) })) {
      const before = words.get(row.lineId) ?? 0;
      rowOffsets.set(row.key, before);
      words.set(row.lineId, before + wordCount(row.text));
    }
    wall.update(state);
  }
  clock.runUntil(clock.now() + 60_000);
  wall.dispose();
  for (const from of onScreen.values()) rowOnScreenMs.push(clock.now() - from);
  return { firstShown, firstSettled, catchingUpMs, rowOnScreenMs };
}

/** Words in `text` (whitespace-separated). */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}
