/**
 * What one caption channel looks like to a viewer (a room display, the console's display preview): the last
 * few committed lines and the current partial, kept in step with the hub.
 *
 * A plain class with no I/O and no framework: feed it what the hub sends (the `display:subscribe` snapshot,
 * `caption:changed`, `caption:partial`) and read `lines`, `partial` and `cursor`. It enforces the protocol's
 * ordering rules so the caller does not have to:
 *
 * - a change whose cursor is not above the applied cursor is a duplicate (a resend, a replay after reconnect)
 *   and is ignored;
 * - a change whose cursor is more than one above the applied cursor means changes were missed: it is not
 *   applied, and the outcome is `gap`, telling the caller to subscribe again with `since: view.cursor`;
 * - a partial for a line that is already committed is ignored (a late partial must not resurrect it);
 * - a revision replaces the line in place (same id, same position);
 * - between {@link CaptionView.expectSnapshot} (or construction) and the next snapshot, live changes and
 *   partials are held back and replayed after the snapshot, so a change that races the subscribe ack is neither
 *   lost nor doubled.
 *
 * Every mutation replaces `lines` with a new array (never mutates it), so a UI can keep it in a shallow
 * reactive field and compare by reference; `version` counts the mutations.
 *
 * @example
 * const view = new CaptionView('ar', { keep: 2 });
 * socket.emit('display:subscribe', { channels: ['ar'] }, (r) => r.ok && view.applySnapshot(r.value.channels[0]));
 * socket.on('caption:changed', (c) => { if (view.applyChange(c).kind === 'gap') resubscribe(view.cursor); });
 * socket.on('caption:partial', (p) => view.applyPartial(p));
 */
import { directionOfLanguage, lineDirection, sanitizeCaptionText, type TextDirection } from './bidi';
import { breakIntoLines, lineLengthFor } from './line-breaking';
import { isSpeechToTextSource, type CaptionLine, type ChannelChange, type ChannelSnapshot, type PartialUpdate } from './protocol';
import { hasVisibleCharacter } from './visible-text';

/** Options of a {@link CaptionView}. */
export interface CaptionViewOptions {
  /** How many of the newest committed lines to keep (at least 1; default 2). */
  keep?: number;
  /** How many live messages to hold back while waiting for a snapshot (default 1000; beyond it, a gap is reported). */
  maxPending?: number;
  /** Told about every change applied and every duplicate dropped (a follower counts and forwards them). */
  observer?: CaptionViewObserver;
}

/** Hears what a {@link CaptionView} does with each change. */
export interface CaptionViewObserver {
  /**
   * A change was applied: `via` a reset snapshot (its kept lines), a catch-up snapshot or live. `recommitted`: a
   * `committed` change for an id the view already held as committed.
   */
  applied?(change: ChannelChange, via: 'reset' | 'catch-up' | 'live', recommitted: boolean): void;
  /** A change whose cursor was not above the view's was dropped. */
  duplicate?(change: ChannelChange): void;
}

/** Why an input changed nothing. */
export type IgnoredReason =
  /** The change's cursor is not above the applied cursor: already applied. */
  | 'duplicate'
  /** The input is for another channel. */
  | 'other-channel'
  /** A partial for a line that is already committed. */
  | 'already-committed'
  /** Held back until the next snapshot (see {@link CaptionView.expectSnapshot}). */
  | 'pending-snapshot';

/** What applying an input did. */
export type CaptionViewOutcome =
  | { kind: 'applied' }
  | { kind: 'ignored'; reason: IgnoredReason }
  /**
   * Changes are missing between the applied cursor and `received`: nothing was applied; subscribe again with
   * `since: applied` (the view's {@link CaptionView.cursor}).
   */
  | { kind: 'gap'; applied: number; received: number };

type Live = { type: 'change'; change: ChannelChange } | { type: 'partial'; update: PartialUpdate };

const APPLIED: CaptionViewOutcome = { kind: 'applied' };
const ignored = (reason: IgnoredReason): CaptionViewOutcome => ({ kind: 'ignored', reason });

/** How many committed line ids to remember beyond the kept lines, to refuse late partials of them. */
const COMMITTED_IDS_REMEMBERED = 512;

/** Was this partial sent before `snapshot` was taken? */
function isOlderPartial(update: PartialUpdate, snapshot: ChannelSnapshot): boolean {
  if (update.cursor !== snapshot.cursor) return update.cursor < snapshot.cursor;
  return snapshot.partial !== null && update.line.updatedAt < snapshot.partial.updatedAt;
}

/** The visible state of one caption channel; see the module comment. */
export class CaptionView {
  /** The channel this view shows. */
  readonly channel: string;
  private readonly keep: number;
  private readonly maxPending: number;
  private readonly observer: CaptionViewObserver | undefined;
  private appliedCursor: number | undefined = undefined;
  private committed: readonly CaptionLine[] = [];
  private current: CaptionLine | null = null;
  private readonly committedIds = new Set<string>();
  private awaitingSnapshot = true;
  private pending: Live[] = [];
  private pendingOverflow = false;
  private mutations = 0;

  constructor(channel: string, options: CaptionViewOptions = {}) {
    this.channel = channel;
    this.keep = Math.max(1, Math.floor(options.keep ?? 2));
    this.maxPending = Math.max(0, Math.floor(options.maxPending ?? 1000));
    this.observer = options.observer;
  }

  /** The cursor of the last change applied, or `undefined` before the first snapshot. Send it as `since`. */
  get cursor(): number | undefined {
    return this.appliedCursor;
  }

  /** The newest committed lines, oldest first, at most `keep` of them. A new array after every change. */
  get lines(): readonly CaptionLine[] {
    return this.committed;
  }

  /** The line being spoken or typed, or `null`. */
  get partial(): CaptionLine | null {
    return this.current;
  }

  /** `true` once a snapshot has been applied and no new one is awaited. */
  get synced(): boolean {
    return !this.awaitingSnapshot;
  }

  /** Counts the mutations of the visible state (lines, partial); use it to notice a change cheaply. */
  get version(): number {
    return this.mutations;
  }

  /**
   * Call when (re)subscribing: live changes and partials that arrive before the snapshot are held back and
   * replayed after it. Construction starts in this state.
   */
  expectSnapshot(): void {
    this.awaitingSnapshot = true;
  }

  /**
   * Applies the channel's snapshot from a `display:subscribe` ack. A `reset` snapshot (or the first one)
   * replaces the visible lines; a catch-up snapshot applies the changes after the view's cursor. Held-back live
   * messages are replayed afterwards; a gap among them is reported.
   */
  applySnapshot(snapshot: ChannelSnapshot): CaptionViewOutcome {
    if (snapshot.channel !== this.channel) return ignored('other-channel');
    let outcome: CaptionViewOutcome = APPLIED;
    const fresh = this.appliedCursor === undefined;
    // A cursor below ours means a hub that lost its history: take what it has.
    if (snapshot.reset || fresh || snapshot.cursor < (this.appliedCursor ?? 0)) {
      this.committed = [];
      for (const change of snapshot.changes) {
        const recommitted = this.applyInOrder(change);
        this.observer?.applied?.(change, 'reset', recommitted);
      }
    } else {
      for (const change of snapshot.changes) {
        const result = this.applyLive(change, 'catch-up');
        if (result.kind === 'gap') {
          outcome = result;
          break;
        }
      }
    }
    if (outcome.kind !== 'gap') this.appliedCursor = snapshot.cursor;
    this.current = snapshot.partial && !this.committedIds.has(snapshot.partial.id) ? snapshot.partial : null;
    this.mutations += 1;

    this.awaitingSnapshot = false;
    const held = this.pending;
    const overflowed = this.pendingOverflow;
    this.pending = [];
    this.pendingOverflow = false;
    for (const live of held) {
      let result: CaptionViewOutcome;
      if (live.type === 'change') {
        result = this.applyLive(live.change, 'live');
      } else if (isOlderPartial(live.update, snapshot)) {
        // Sent before the snapshot was taken: the snapshot's partial (or its absence) is newer.
        result = ignored('duplicate');
      } else {
        result = this.acceptPartial(live.update);
      }
      if (result.kind === 'gap' && outcome.kind !== 'gap') outcome = result;
    }
    if (overflowed && outcome.kind !== 'gap') {
      outcome = { kind: 'gap', applied: this.appliedCursor ?? 0, received: this.appliedCursor ?? 0 };
    }
    return outcome;
  }

  /** Applies a live `caption:changed`: in order, once; a gap is reported and not applied. */
  applyChange(change: ChannelChange): CaptionViewOutcome {
    if (change.channel !== this.channel) return ignored('other-channel');
    if (this.awaitingSnapshot) return this.hold({ type: 'change', change });
    return this.applyLive(change, 'live');
  }

  /**
   * Applies a live `caption:partial`. Ignored when its line is already committed; a partial sent at a cursor
   * above the view's means changes were missed (a gap; the partial is still shown).
   */
  applyPartial(update: PartialUpdate): CaptionViewOutcome {
    if (update.channel !== this.channel) return ignored('other-channel');
    if (this.awaitingSnapshot) return this.hold({ type: 'partial', update });
    return this.acceptPartial(update);
  }

  private acceptPartial(update: PartialUpdate): CaptionViewOutcome {
    if (this.committedIds.has(update.line.id)) return ignored('already-committed');
    this.current = update.line;
    this.mutations += 1;
    const applied = this.appliedCursor ?? 0;
    if (update.cursor > applied) return { kind: 'gap', applied, received: update.cursor };
    return APPLIED;
  }

  private hold(live: Live): CaptionViewOutcome {
    if (this.pending.length < this.maxPending) this.pending.push(live);
    else this.pendingOverflow = true;
    return ignored('pending-snapshot');
  }

  private applyLive(change: ChannelChange, via: 'catch-up' | 'live'): CaptionViewOutcome {
    const applied = this.appliedCursor ?? 0;
    if (change.cursor <= applied) {
      this.observer?.duplicate?.(change);
      return ignored('duplicate');
    }
    if (change.cursor > applied + 1) return { kind: 'gap', applied, received: change.cursor };
    const recommitted = this.applyInOrder(change);
    this.appliedCursor = change.cursor;
    this.mutations += 1;
    this.observer?.applied?.(change, via, recommitted);
    return APPLIED;
  }

  /** Applies a change known to be the next one; `true` when it commits an id already committed here. */
  private applyInOrder(change: ChannelChange): boolean {
    if (change.kind === 'cleared') {
      this.committed = [];
      this.current = null;
      return false;
    }
    const { line } = change;
    const recommitted = change.kind === 'committed' && this.committedIds.has(line.id);
    const index = this.committed.findIndex((l) => l.id === line.id);
    if (index >= 0) {
      this.committed = this.committed.map((l, i) => (i === index ? line : l));
    } else if (change.kind === 'committed') {
      this.committed = [...this.committed, line].slice(-this.keep);
    }
    if (change.kind === 'committed') {
      this.rememberCommitted(line.id);
      if (this.current?.id === line.id) this.current = null;
    }
    return recommitted;
  }

  private rememberCommitted(id: string): void {
    this.committedIds.delete(id);
    this.committedIds.add(id);
    if (this.committedIds.size > COMMITTED_IDS_REMEMBERED) {
      const oldest = this.committedIds.values().next();
      if (!oldest.done) this.committedIds.delete(oldest.value);
    }
  }
}

/** One display row: a piece of a caption line, broken to the language's line length. */
export interface CaptionRow {
  /** Stable across updates of the same line (`<line id>:<row index>`), so a UI can update rows in place. */
  key: string;
  /** The caption line this row belongs to. */
  lineId: string;
  /** The row's text: sanitised (no bidi controls), at most the line length. Render it as text, never as HTML. */
  text: string;
  /** Direction to lay the row out in, decided for the whole caption line (see `lineDirection` in bidi.ts). */
  dir: TextDirection;
  /** Language of the row: the channel's language when it is one, else the line's `lang`, else undefined. */
  lang: string | undefined;
  /** `true` for rows of the partial line. */
  partial: boolean;
  /**
   * How many characters at the start of `text` are settled: the whole row for a committed line; for the partial,
   * the part of its settled start (`CaptionLine.stableChars`) in this row, with the space after it, so a display
   * can show those words as committed and mark only the rest as still changing.
   */
  stable: number;
}

/** Options of {@link captionRows}. */
export interface CaptionRowOptions {
  /** The channel's language when the channel is a language channel (`ar`, `en`, `ru`); undefined for `floor`. */
  lang?: string;
  /** How many rows to return at most: the newest ones (roll-up). */
  maxRows: number;
  /** Overrides the per-language line length. */
  maxChars?: number;
}

/**
 * Lays out a channel's visible lines as display rows, as a roll-up caption display shows them: each committed
 * line then the partial, each broken into rows by the language's line length without breaking words, and of
 * all those rows only the newest `maxRows`. Each row carries its line's direction: by the channel's language
 * when known, else the line's `lang`, else the majority of its letters, so an Arabic line that starts with
 * "UNOCT" or a number is still rtl.
 */
export function captionRows(
  state: { readonly lines: readonly CaptionLine[]; readonly partial: CaptionLine | null },
  options: CaptionRowOptions,
): CaptionRow[] {
  const channelLang = directionOfLanguage(options.lang) ? options.lang : undefined;
  const rows: CaptionRow[] = [];
  const add = (line: CaptionLine, partial: boolean): void => {
    const lang = channelLang ?? (directionOfLanguage(line.lang) ? line.lang : undefined);
    const text = sanitizeCaptionText(line.text);
    const dir = lineDirection(text, lang);
    const pieces = breakIntoLines(text, options.maxChars ?? lineLengthFor(lang));
    // Settled characters are counted without whitespace: sanitising and breaking into rows only change whitespace.
    let settled = partial ? nonSpaceCount(sanitizeCaptionText(line.text.slice(0, line.stableChars ?? 0))) : Infinity;
    pieces.forEach((piece, i) => {
      const stable = settledLength(piece, settled);
      settled -= nonSpaceCount(piece.slice(0, stable));
      rows.push({ key: `${line.id}:${i}`, lineId: line.id, text: piece, dir, lang, partial, stable });
    });
  };
  for (const line of state.lines) add(line, false);
  const partial = state.partial;
  if (partial && !state.lines.some((l) => l.id === partial.id)) add(partial, true);
  return options.maxRows > 0 ? rows.slice(-options.maxRows) : [];
}

/** The words of one caption line that a flowed row holds. */
export interface RowSpan {
  lineId: string;
  /** Index of the first of them among the line's words. */
  firstWord: number;
  words: number;
}

/** A row of {@link flowedCaptionRows}: its `lineId` is the newest line it holds, `spans` say which words of which lines. */
export interface FlowedRow extends CaptionRow {
  spans: readonly RowSpan[];
}

/** Options of {@link flowedCaptionRows}. */
export interface FlowedRowOptions extends CaptionRowOptions {
  /**
   * Lay the rows out from this committed line on (a line the caller knows starts a row, kept while it is in the
   * history, so rows keep their keys as older lines leave it); older lines are left out. Default: the first line.
   */
  from?: string;
  /**
   * Row keys are `<prefix>:<n>`, n counting rows from `first`: a row is a place in the flowing text, whichever line
   * its words belong to (the partial's last words become the next line's first ones in the same row). Default: the
   * first line's id and 0.
   */
  keys?: { prefix: string; first: number };
}

/**
 * Lays out a channel's lines as a roll-up wall shows them. A speech-to-text line (and then the partial) goes on at
 * the end of the last row when that row's last line came from the same speech-to-text source, in the same language
 * and direction, broken into rows by the line length without breaking words: a live source sends a line every pass
 * or two (a few words on a slow machine, so that its words reach the platforms within 3 s), and its lines flow as
 * live captions roll up, filling the wall's rows instead of each taking a row of its own. Rows above the last never
 * change as text arrives (the breaking is greedy); a row's key is its place in the flow (`keys`), so the last row keeps
 * it as it grows, and when the partial's last words become the next line's first ones; it is a partial row
 * (`stable` marking its settled start) while it holds words of the partial. A typed line or a script cue (a unit
 * its interpreter composed), or a line of another language or direction, starts a row, as in {@link captionRows}.
 */
export function flowedCaptionRows(
  state: { readonly lines: readonly CaptionLine[]; readonly partial: CaptionLine | null },
  options: FlowedRowOptions,
): FlowedRow[] {
  const channelLang = directionOfLanguage(options.lang) ? options.lang : undefined;
  const from = options.from === undefined ? 0 : Math.max(0, state.lines.findIndex((l) => l.id === options.from));
  /** The rows laid out so far; their keys (places in the flow) are given at the end. */
  const rows: Omit<FlowedRow, 'key'>[] = [];
  /** The source of the last row's last line. */
  let tailSource: CaptionLine['source'] | undefined;
  const add = (line: CaptionLine, partial: boolean): void => {
    const lang = channelLang ?? (directionOfLanguage(line.lang) ? line.lang : undefined);
    const text = sanitizeCaptionText(line.text);
    if (!hasVisibleCharacter(text)) return;
    const dir = lineDirection(text, lang);
    const maxChars = options.maxChars ?? lineLengthFor(lang);
    let settled = partial ? nonSpaceCount(sanitizeCaptionText(line.text.slice(0, line.stableChars ?? 0))) : Infinity;
    const tail = rows[rows.length - 1];
    const flows = isSpeechToTextSource(line.source) && line.source === tailSource;
    tailSource = line.source;
    let pieces = breakIntoLines(text, maxChars);
    let word = 0;
    if (tail && flows && !tail.partial && tail.dir === dir && tail.lang === lang) {
      const joined = breakIntoLines(`${tail.text} ${text}`, maxChars);
      const head = joined[0] ?? '';
      if (head.startsWith(`${tail.text} `) && head.length > tail.text.length + 1) {
        // The line's first words go on at the end of the last row.
        const piece = head.slice(tail.text.length + 1);
        const stable = settledLength(piece, settled);
        settled -= nonSpaceCount(piece.slice(0, stable));
        const words = wordCount(piece);
        rows[rows.length - 1] = {
          ...tail,
          lineId: line.id,
          text: head,
          partial,
          stable: partial ? tail.text.length + 1 + stable : head.length,
          spans: [...tail.spans, { lineId: line.id, firstWord: 0, words }],
        };
        word = words;
        pieces = joined.slice(1);
      }
    }
    for (const piece of pieces) {
      const stable = settledLength(piece, settled);
      settled -= nonSpaceCount(piece.slice(0, stable));
      const words = wordCount(piece);
      rows.push({ lineId: line.id, text: piece, dir, lang, partial, stable, spans: [{ lineId: line.id, firstWord: word, words }] });
      word += words;
    }
  };
  for (const line of state.lines.slice(from)) add(line, false);
  const partial = state.partial;
  if (partial && !state.lines.some((l) => l.id === partial.id)) add(partial, true);
  const prefix = options.keys?.prefix ?? state.lines[from]?.id ?? partial?.id ?? '';
  const first = options.keys?.first ?? 0;
  const keyed = rows.map((row, i) => ({ ...row, key: `${prefix}:${first + i}` }));
  return options.maxRows > 0 ? keyed.slice(-options.maxRows) : [];
}

/** Words in `text` (whitespace-separated). */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/u).length;
}

const SPACE = /\s/u;

function nonSpaceCount(text: string): number {
  let count = 0;
  for (const ch of text) if (!SPACE.test(ch)) count += ch.length;
  return count;
}

/** How long the start of `row` is that holds `settled` non-space code units, with the whitespace after them. */
function settledLength(row: string, settled: number): number {
  if (settled <= 0) return 0;
  let left = settled;
  let i = 0;
  while (i < row.length && left > 0) {
    if (!SPACE.test(row.charAt(i))) left -= 1;
    i += 1;
  }
  while (i < row.length && SPACE.test(row.charAt(i))) i += 1;
  return i;
}
