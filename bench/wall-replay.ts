/**
 * What a room's wall shows, replayed: the floor channel's events as a display client received them (partials and
 * committed lines, with their arrival times) go through a wall's own roll-up (renderer/display/channel-rows.ts,
 * two rows, the reading pace of a room) on a virtual clock. Gives, for each word, when it was first on the wall
 * (in a partial or a committed row), and how long each row stayed: what a reader in the room sees, which
 * a client's arrival time does not say. Used by bench:e2e.
 */
import { wordCount } from '../electron/common/caption-view';
import type { CaptionLine } from '../electron/common/protocol';
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
  /** How long each row was on the wall, ms (from its first words, partial or committed, until it scrolled off). */
  rowOnScreenMs: number[];
}

/** A display paints at most once a frame. */
const FRAME_MS = 17;

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
  let catchingUpMs = 0;
  let since: number | null = null;
  /** Rows on screen now (by key: a row that grows as the next line flows into it is the same row), since when. */
  let onScreen = new Map<string, number>();
  const rowOnScreenMs: number[] = [];
  const wall = new ChannelRows({ view: 'wall', lines: rowsOnScreen, lang: undefined, size: 1, cps: undefined }, clock, (rows, catchingUp) => {
    const now = clock.now();
    if (catchingUp && since === null) since = now;
    if (!catchingUp && since !== null) {
      catchingUpMs += now - since;
      since = null;
    }
    const shownNow = new Map(rows.map((r) => [r.key, onScreen.get(r.key) ?? now]));
    // A row gone within a frame was never painted (events of the same moment, a line's final and the next partial).
    for (const [key, from] of onScreen) if (!shownNow.has(key) && now - from >= FRAME_MS) rowOnScreenMs.push(now - from);
    onScreen = shownNow;
    for (const row of rows) {
      // The row's settled words (its start) are the first ones of its spans, in order.
      let settled = wordCount(row.text.slice(0, row.stable));
      for (const span of row.spans ?? []) {
        note(firstShown, span.lineId, span.firstWord, span.words, now);
        note(firstSettled, span.lineId, span.firstWord, Math.min(settled, span.words), now);
        settled = Math.max(0, settled - span.words);
      }
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
    wall.update({ lines: lines.slice(-32), partial });
  }
  clock.runUntil(clock.now() + 60_000);
  wall.dispose();
  for (const from of onScreen.values()) rowOnScreenMs.push(clock.now() - from);
  return { firstShown, firstSettled, catchingUpMs, rowOnScreenMs };
}
