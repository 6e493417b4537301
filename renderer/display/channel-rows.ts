/**
 * What one channel block of the display shows over time, from the channel's {@link CaptionView}.
 *
 * - On a wall (`view=wall`) the lines flow into rows, as live captions roll up (`flowedCaptionRows`), and the rows
 *   roll up at reading pace (see roll-up-pacing.ts): this class holds the pacing state and the one timer that wakes
 *   it, so the hub's fan-out never waits on a reader. The flow starts at a line that starts a row, kept while it is
 *   in the history: when it leaves, the next line that started a row takes over, so no row changes its key.
 * - On a phone (`view=phone`) every kept line is shown whole, as a transcript the viewer scrolls; nothing is
 *   paced, since nothing scrolls away unseen.
 *
 * Each row also carries the direction of its line's own text (`textDir`): an all-Latin line on the Arabic
 * channel is aligned like the channel but keeps its punctuation where its writer put it.
 */
import { directionOfText, type TextDirection } from '../../electron/common/bidi';
import { captionRows, flowedCaptionRows, type CaptionRow, type RowSpan } from '../../electron/common/caption-view';
import type { CaptionLine } from '../../electron/common/protocol';
import { hasVisibleCharacter } from '../../electron/common/visible-text';
import { rowLengthFor } from './caption-fit';
import type { DisplayView } from './display-params';
import { EMPTY_ROLL_UP, readingCps, rollUpAtEnd, stepRollUp, type RollUpPacing, type RollUpState } from './roll-up-pacing';

/** A row as the display renders it. */
export interface DisplayRow extends CaptionRow {
  /** Base direction of the text inside the row: its line's majority script (`dir` aligns the row like its channel). */
  textDir: TextDirection;
  /** On a wall: which words of which lines the row holds. */
  spans?: readonly RowSpan[];
}

/** Where a wall's flow starts: a committed line that starts a row, and that row's key. */
interface FlowStart {
  id: string;
  keys: { prefix: string; first: number };
}

/** The timer functions the roll-up needs (the display's injectable timers). */
export interface RowClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Committed lines a wall keeps: enough for the rows the roll-up may still have to show when it is behind. */
export const WALL_HISTORY_LINES = 32;
/** Committed lines a phone keeps, for the viewer to scroll back through. */
export const PHONE_HISTORY_LINES = 200;

/** How many committed lines a display keeps per channel. */
export function historyLinesFor(params: { view: DisplayView; lines: number }): number {
  return params.view === 'phone' ? PHONE_HISTORY_LINES : Math.max(params.lines, WALL_HISTORY_LINES);
}

/** What a channel shows. */
export interface ChannelRowsOptions {
  view: DisplayView;
  /** Rows on screen (wall). */
  lines: number;
  /** The channel's language, when it is a language channel. */
  lang: string | undefined;
  /** The display's `size` (rows get shorter above 1). */
  size: number;
  /** A reading pace for every language, or undefined for each language's own. */
  cps: number | undefined;
}

/** Rows of a phone transcript: one per line, however long. */
const WHOLE_LINE = Number.MAX_SAFE_INTEGER;

function withTextDirection(rows: readonly (CaptionRow & { spans?: readonly RowSpan[] })[]): DisplayRow[] {
  const lineText = new Map<string, string>();
  for (const row of rows) lineText.set(row.lineId, `${lineText.get(row.lineId) ?? ''} ${row.text}`);
  return rows.map((row) => ({ ...row, textDir: directionOfText(lineText.get(row.lineId) ?? '') ?? row.dir }));
}

function sameRows(a: readonly DisplayRow[], b: readonly DisplayRow[]): boolean {
  return a.length === b.length && a.every((row, i) => row.key === b[i]?.key && row.text === b[i]?.text && row.partial === b[i]?.partial && row.stable === b[i]?.stable);
}

/** One channel's rows; see the module comment. */
export class ChannelRows {
  private readonly options: ChannelRowsOptions;
  private readonly pacing: RollUpPacing;
  private readonly clock: RowClock;
  private readonly onChange: (rows: DisplayRow[], catchingUp: boolean) => void;
  private all: DisplayRow[] = [];
  private shown: DisplayRow[] = [];
  private catchingUp = false;
  private state: RollUpState = EMPTY_ROLL_UP;
  private started = false;
  private timer: unknown = undefined;
  /** The committed line the wall's flow starts at, and its first row's key (see the module comment). */
  private flowFrom: FlowStart | null = null;

  constructor(options: ChannelRowsOptions, clock: RowClock, onChange: (rows: DisplayRow[], catchingUp: boolean) => void) {
    this.options = options;
    const cps = options.cps;
    this.pacing = { lines: options.lines, cps: cps === undefined ? readingCps : () => cps };
    this.clock = clock;
    this.onChange = onChange;
  }

  /**
   * The channel's view changed. The first update (the display's first snapshot) shows the newest rows at once;
   * after it, a wall rolls new rows up at reading pace.
   */
  update(view: { readonly lines: readonly CaptionLine[]; readonly partial: CaptionLine | null }): void {
    const { lang, size } = this.options;
    if (this.options.view === 'phone') {
      const rows = captionRows(view, { lang, maxRows: Infinity, maxChars: WHOLE_LINE });
      // A line that draws nothing (zero-width characters kept from an older hub) would hold an empty row.
      this.all = withTextDirection(rows.filter((row) => hasVisibleCharacter(row.text)));
      this.emit(this.all, false);
      return;
    }
    if (!view.lines.some((line) => line.id === this.flowFrom?.id)) this.flowFrom = this.nextFlowStart(view.lines);
    const flow = this.flowFrom;
    this.all = withTextDirection(
      flowedCaptionRows(view, { lang, maxRows: Infinity, maxChars: rowLengthFor(lang, size), ...(flow ? { from: flow.id, keys: flow.keys } : {}) }),
    );
    if (!this.started) {
      this.started = true;
      this.state = rollUpAtEnd(this.all);
    }
    this.step();
  }

  /**
   * The first line still in `lines` that started a row of the wall's last layout, with that row's key (the rows from
   * it keep their keys), else the first line.
   */
  private nextFlowStart(lines: readonly CaptionLine[]): FlowStart | null {
    const kept = new Set(lines.map((line) => line.id));
    for (const row of this.all) {
      const start = row.spans?.[0];
      if (start?.firstWord !== 0 || !kept.has(start.lineId)) continue;
      const cut = row.key.lastIndexOf(':');
      return { id: start.lineId, keys: { prefix: row.key.slice(0, cut), first: Number(row.key.slice(cut + 1)) } };
    }
    const first = lines[0];
    return first ? { id: first.id, keys: { prefix: first.id, first: 0 } } : null;
  }

  /** Stops the roll-up's timer. */
  dispose(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private step(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    const frame = stepRollUp(this.state, this.all, now, this.pacing);
    this.state = frame.state;
    if (frame.wakeAt !== null) this.timer = this.clock.setTimeout(() => this.step(), Math.max(0, frame.wakeAt - now));
    this.emit(this.all.slice(frame.start, frame.end), frame.catchingUp);
  }

  private emit(rows: DisplayRow[], catchingUp: boolean): void {
    if (sameRows(rows, this.shown) && catchingUp === this.catchingUp) return;
    this.shown = rows;
    this.catchingUp = catchingUp;
    this.onChange(rows, catchingUp);
  }
}
