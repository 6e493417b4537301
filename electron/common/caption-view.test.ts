import { describe, expect, it } from 'vitest';
import { CaptionView, captionRows, flowedCaptionRows } from './caption-view';
import type { CaptionLine, ChannelChange, ChannelSnapshot, PartialUpdate } from './protocol';

const ROOM = 'main';
let clock = 1_000;

function line(id: string, text: string, extra: Partial<CaptionLine> = {}): CaptionLine {
  clock += 1;
  return {
    id,
    room: ROOM,
    channel: 'ar',
    seq: Number(id.replace(/\D/g, '')) || 1,
    text,
    state: 'final',
    revision: 0,
    source: 'typed',
    startedAt: clock,
    updatedAt: clock,
    committedAt: clock,
    ...extra,
  };
}

const committed = (cursor: number, id: string, text: string, channel = 'ar'): ChannelChange => ({
  kind: 'committed',
  room: ROOM,
  channel,
  cursor,
  line: line(id, text, { channel }),
});
const revised = (cursor: number, id: string, text: string, revision = 1): ChannelChange => ({
  kind: 'revised',
  room: ROOM,
  channel: 'ar',
  cursor,
  line: line(id, text, { revision }),
});
const cleared = (cursor: number): ChannelChange => ({ kind: 'cleared', room: ROOM, channel: 'ar', cursor, at: clock });
const partial = (cursor: number, id: string, text: string): PartialUpdate => ({
  room: ROOM,
  channel: 'ar',
  cursor,
  line: line(id, text, { state: 'partial', committedAt: undefined }),
});
function snapshot(cursor: number, changes: ChannelChange[], extra: Partial<ChannelSnapshot> = {}): ChannelSnapshot {
  return { channel: 'ar', cursor, reset: false, changes, partial: null, ...extra };
}

const texts = (view: CaptionView): string[] => view.lines.map((l) => l.text);

/** A view synced to an empty channel. */
function syncedView(keep = 2): CaptionView {
  const view = new CaptionView('ar', { keep });
  view.applySnapshot(snapshot(0, [], { reset: true }));
  return view;
}

describe('CaptionView snapshots', () => {
  it('starts unsynced with no cursor and takes the first snapshot whole', () => {
    const view = new CaptionView('ar', { keep: 3 });
    expect(view.synced).toBe(false);
    expect(view.cursor).toBeUndefined();
    const p = partial(3, 'l4', 'جار');
    const outcome = view.applySnapshot(
      snapshot(3, [committed(1, 'l1', 'أ'), committed(2, 'l2', 'ب'), committed(3, 'l3', 'ت')], { reset: true, partial: p.line }),
    );
    expect(outcome).toEqual({ kind: 'applied' });
    expect(view.synced).toBe(true);
    expect(view.cursor).toBe(3);
    expect(texts(view)).toEqual(['أ', 'ب', 'ت']);
    expect(view.partial?.text).toBe('جار');
  });

  it('keeps only the newest lines', () => {
    const view = new CaptionView('ar', { keep: 2 });
    view.applySnapshot(snapshot(3, [committed(1, 'l1', 'a'), committed(2, 'l2', 'b'), committed(3, 'l3', 'c')], { reset: true }));
    expect(texts(view)).toEqual(['b', 'c']);
  });

  it('catches up after a reconnect without doubling what it has', () => {
    const view = syncedView(5);
    view.applyChange(committed(1, 'l1', 'a'));
    view.applyChange(committed(2, 'l2', 'b'));
    view.expectSnapshot();
    // The hub sends the changes after `since` (2); a resend of 2 must not double it.
    const outcome = view.applySnapshot(snapshot(4, [committed(2, 'l2', 'b'), committed(3, 'l3', 'c'), revised(4, 'l1', 'A')]));
    expect(outcome.kind).toBe('applied');
    expect(texts(view)).toEqual(['A', 'b', 'c']);
    expect(view.cursor).toBe(4);
  });

  it('replaces everything on a reset snapshot and when the hub went back in time', () => {
    const view = syncedView(5);
    view.applyChange(committed(1, 'l1', 'a'));
    view.applyChange(committed(2, 'l2', 'b'));
    view.applySnapshot(snapshot(9, [committed(8, 'l8', 'h'), committed(9, 'l9', 'i')], { reset: true }));
    expect(texts(view)).toEqual(['h', 'i']);
    expect(view.cursor).toBe(9);
    // A hub that lost its history (cursor below ours) without saying reset.
    view.applySnapshot(snapshot(1, [committed(1, 'n1', 'new')]));
    expect(texts(view)).toEqual(['new']);
    expect(view.cursor).toBe(1);
  });

  it('reports a catch-up that does not start right after its cursor', () => {
    const view = syncedView();
    view.applyChange(committed(1, 'l1', 'a'));
    const outcome = view.applySnapshot(snapshot(5, [committed(4, 'l4', 'd'), committed(5, 'l5', 'e')]));
    expect(outcome).toEqual({ kind: 'gap', applied: 1, received: 4 });
    expect(view.cursor).toBe(1);
    expect(texts(view)).toEqual(['a']);
  });

  it('ignores a snapshot of another channel', () => {
    const view = new CaptionView('ar');
    expect(view.applySnapshot({ ...snapshot(1, []), channel: 'en' })).toEqual({ kind: 'ignored', reason: 'other-channel' });
    expect(view.synced).toBe(false);
  });
});

describe('CaptionView live changes', () => {
  it('commits in order, ignores duplicates and reports gaps without applying them', () => {
    const view = syncedView(3);
    expect(view.applyChange(committed(1, 'l1', 'a')).kind).toBe('applied');
    expect(view.applyChange(committed(1, 'l1', 'a'))).toEqual({ kind: 'ignored', reason: 'duplicate' });
    expect(view.applyChange(committed(3, 'l3', 'c'))).toEqual({ kind: 'gap', applied: 1, received: 3 });
    expect(texts(view)).toEqual(['a']);
    expect(view.cursor).toBe(1);
    expect(view.applyChange(committed(2, 'l2', 'b')).kind).toBe('applied');
    expect(view.applyChange(committed(3, 'l3', 'c')).kind).toBe('applied');
    expect(texts(view)).toEqual(['a', 'b', 'c']);
  });

  it('revises a line in place and leaves the others alone', () => {
    const view = syncedView(3);
    view.applyChange(committed(1, 'l1', 'a'));
    view.applyChange(committed(2, 'l2', 'b'));
    const before = view.lines;
    view.applyChange(revised(3, 'l1', 'a, corrected'));
    expect(texts(view)).toEqual(['a, corrected', 'b']);
    expect(view.lines[0]?.revision).toBe(1);
    expect(view.lines[1]).toBe(before[1]);
    expect(view.lines).not.toBe(before);
    // A revision of a line no longer kept moves the cursor and shows nothing.
    expect(view.applyChange(revised(4, 'l0', 'gone')).kind).toBe('applied');
    expect(texts(view)).toEqual(['a, corrected', 'b']);
    expect(view.cursor).toBe(4);
  });

  it('clears lines and the partial', () => {
    const view = syncedView();
    view.applyChange(committed(1, 'l1', 'a'));
    view.applyPartial(partial(1, 'l2', 'b...'));
    view.applyChange(cleared(2));
    expect(view.lines).toEqual([]);
    expect(view.partial).toBeNull();
    expect(view.cursor).toBe(2);
  });

  it('ignores changes of another channel', () => {
    const view = syncedView();
    expect(view.applyChange(committed(1, 'x', 'hello', 'en'))).toEqual({ kind: 'ignored', reason: 'other-channel' });
    expect(view.lines).toEqual([]);
  });

  it('counts its mutations', () => {
    const view = syncedView();
    const v0 = view.version;
    view.applyChange(committed(1, 'l1', 'a'));
    view.applyChange(committed(1, 'l1', 'a'));
    expect(view.version).toBe(v0 + 1);
  });
});

describe('CaptionView partials', () => {
  it('shows the partial, replaces it, and drops it when the same line commits', () => {
    const view = syncedView();
    view.applyPartial(partial(0, 'l1', 'Good'));
    view.applyPartial(partial(0, 'l1', 'Good morning'));
    expect(view.partial?.text).toBe('Good morning');
    view.applyChange(committed(1, 'l1', 'Good morning everyone.'));
    expect(view.partial).toBeNull();
    expect(texts(view)).toEqual(['Good morning everyone.']);
  });

  it('ignores a late partial of a committed line', () => {
    const view = syncedView();
    view.applyChange(committed(1, 'l1', 'done'));
    expect(view.applyPartial(partial(0, 'l1', 'do'))).toEqual({ kind: 'ignored', reason: 'already-committed' });
    expect(view.partial).toBeNull();
  });

  it('keeps the partial of another line across a commit', () => {
    const view = syncedView();
    view.applyPartial(partial(0, 'l2', 'next'));
    view.applyChange(committed(1, 'l1', 'first'));
    expect(view.partial?.id).toBe('l2');
  });

  it('reports a gap when a partial was sent after changes it has not seen', () => {
    const view = syncedView();
    expect(view.applyPartial(partial(2, 'l3', 'x'))).toEqual({ kind: 'gap', applied: 0, received: 2 });
    expect(view.partial?.text).toBe('x');
  });

  it('does not take a snapshot partial whose line it already committed', () => {
    const view = syncedView();
    view.applyChange(committed(1, 'l1', 'done'));
    view.expectSnapshot();
    view.applySnapshot(snapshot(1, [], { partial: partial(1, 'l1', 'do').line }));
    expect(view.partial).toBeNull();
  });
});

describe('CaptionView while waiting for a snapshot', () => {
  it('holds live messages back and replays the newer ones after the snapshot', () => {
    const view = new CaptionView('ar', { keep: 5 });
    const early = partial(1, 'l2', 'old partial');
    const late = partial(2, 'l3', 'new partial');
    expect(view.applyChange(committed(1, 'l1', 'a'))).toEqual({ kind: 'ignored', reason: 'pending-snapshot' });
    view.applyPartial(early);
    view.applyChange(committed(2, 'l2', 'b'));
    view.applyPartial(late);
    expect(view.lines).toEqual([]);
    // The snapshot was taken after change 1 (it includes it) but before change 2.
    const outcome = view.applySnapshot(snapshot(1, [committed(1, 'l1', 'a')], { reset: true, partial: early.line }));
    expect(outcome.kind).toBe('applied');
    expect(texts(view)).toEqual(['a', 'b']);
    expect(view.cursor).toBe(2);
    expect(view.partial?.text).toBe('new partial');
  });

  it('does not let a partial held from before the snapshot undo a clear', () => {
    const view = syncedView();
    view.applyChange(committed(1, 'l1', 'a'));
    view.expectSnapshot();
    view.applyPartial(partial(1, 'l2', 'stale'));
    view.applySnapshot(snapshot(2, [cleared(2)]));
    expect(view.partial).toBeNull();
    expect(view.lines).toEqual([]);
  });

  it('reports a gap when more arrived than it could hold', () => {
    const view = new CaptionView('ar', { maxPending: 1 });
    view.applyChange(committed(1, 'l1', 'a'));
    view.applyChange(committed(2, 'l2', 'b'));
    const outcome = view.applySnapshot(snapshot(0, [], { reset: true }));
    expect(outcome.kind).toBe('gap');
    expect(view.cursor).toBe(1);
  });
});

describe('captionRows', () => {
  it('breaks lines into rows by the language limit and keeps the newest rows', () => {
    const long = 'The Under-Secretary-General thanked the delegations for their constructive engagement';
    const state = { lines: [line('l1', 'First line.'), line('l2', long)], partial: line('l3', 'And now', { state: 'partial' }) };
    const rows = captionRows(state, { lang: 'en', maxRows: 10 });
    expect(rows.map((r) => r.text)).toEqual([
      'First line.',
      'The Under-Secretary-General thanked the',
      'delegations for their constructive',
      'engagement',
      'And now',
    ]);
    expect(rows.map((r) => r.key)).toEqual(['l1:0', 'l2:0', 'l2:1', 'l2:2', 'l3:0']);
    expect(rows.map((r) => r.partial)).toEqual([false, false, false, false, true]);
    expect(captionRows(state, { lang: 'en', maxRows: 2 }).map((r) => r.key)).toEqual(['l2:2', 'l3:0']);
    expect(captionRows(state, { lang: 'en', maxRows: 0 })).toEqual([]);
  });

  it('sets rtl on Arabic lines that start with a Latin acronym or a number', () => {
    const state = { lines: [line('l1', 'UNOCT يعقد اجتماعه السنوي'), line('l2', '2026 عام التعاون')], partial: null };
    const rows = captionRows(state, { lang: 'ar', maxRows: 2 });
    expect(rows.map((r) => [r.dir, r.lang])).toEqual([
      ['rtl', 'ar'],
      ['rtl', 'ar'],
    ]);
  });

  it('decides by the line language or the content on a floor channel', () => {
    const state = {
      lines: [line('l1', 'UNOCT يعقد اجتماعه السنوي'), line('l2', 'UNOCT opens', { lang: 'en' }), line('l3', 'UNOCT افتتح', { lang: 'ar' })],
      partial: null,
    };
    const rows = captionRows(state, { lang: 'floor', maxRows: 5 });
    expect(rows.map((r) => [r.dir, r.lang])).toEqual([
      ['rtl', undefined],
      ['ltr', 'en'],
      ['rtl', 'ar'],
    ]);
  });

  it('uses Russian 39 characters and strips bidi controls', () => {
    const text = '\u202EПривет\u202C всем участникам конференции по безопасности';
    const rows = captionRows({ lines: [line('l1', text)], partial: null }, { lang: 'ru', maxRows: 5 });
    expect(rows.map((r) => r.text)).toEqual(['Привет всем участникам конференции по', 'безопасности']);
    expect(rows.every((r) => r.dir === 'ltr')).toBe(true);
  });

  it("marks a partial's settled start in each of its rows, across sanitising and row breaks", () => {
    // "Good morning  and welcome to the second session of the" is settled (two spaces, a bidi control and a tab
    // that the rows do not keep); "Committee on" may still change.
    const settled = 'Good \u202Amorning  and welcome to the\tsecond session of the ';
    const partial = line('p1', `${settled}Committee on`, { state: 'partial', stableChars: settled.length });
    const rows = captionRows({ lines: [line('l1', 'Opening.')], partial }, { lang: 'en', maxRows: 10 });
    expect(rows.map((r) => [r.text, r.text.slice(0, r.stable)])).toEqual([
      ['Opening.', 'Opening.'],
      ['Good morning and welcome to the second', 'Good morning and welcome to the second'],
      ['session of the Committee on', 'session of the '],
    ]);
    // Without a settled start, or with one inside the first word, nothing of the partial looks committed.
    const fresh = captionRows({ lines: [], partial: line('p2', 'Committee on', { state: 'partial' }) }, { lang: 'en', maxRows: 5 });
    expect(fresh.map((r) => r.stable)).toEqual([0]);
    const inWord = captionRows({ lines: [], partial: line('p3', 'Committee on', { state: 'partial', stableChars: 4 }) }, { lang: 'en', maxRows: 5 });
    expect(inWord.map((r) => r.text.slice(0, r.stable))).toEqual(['Comm']);
    // Arabic: the settled words are the ones at the start of the logical text (the right of an rtl row).
    const ar = line('p4', 'ننتقل الآن إلى البند', { state: 'partial', stableChars: 'ننتقل الآن '.length });
    expect(captionRows({ lines: [], partial: ar }, { lang: 'ar', maxRows: 5 }).map((r) => r.text.slice(r.stable))).toEqual(['إلى البند']);
  });

  it('leaves out a partial whose line is already among the committed ones', () => {
    const state = { lines: [line('l1', 'done')], partial: line('l1', 'do', { state: 'partial' }) };
    expect(captionRows(state, { lang: 'en', maxRows: 5 }).map((r) => r.key)).toEqual(['l1:0']);
  });
});

describe('flowedCaptionRows (a wall)', () => {
  // Lines as a live source sends them on a slow machine: a pass or two of speech each, two to five words.
  const stt = (id: string, text: string, extra: Partial<CaptionLine> = {}): CaptionLine => line(id, text, { source: 'floor-stt', ...extra });
  const lines = [
    stt('l1', 'Good morning, distinguished'),
    stt('l2', 'delegates and'),
    stt('l3', 'welcome to the second'),
    stt('l4', 'session.'),
  ];

  it('fills the rows with short lines, as live captions roll up, instead of a row per line', () => {
    const rows = flowedCaptionRows({ lines, partial: null }, { lang: 'en', maxRows: 10 });
    expect(rows.map((r) => r.text)).toEqual(['Good morning, distinguished delegates and', 'welcome to the second session.']);
    // A row per line before: four rows, two of them a word or two.
    expect(captionRows({ lines, partial: null }, { lang: 'en', maxRows: 10 })).toHaveLength(4);
    // A row's key is its place in the flow; its line is the newest it holds; spans say which words.
    expect(rows.map((r) => [r.key, r.lineId])).toEqual([
      ['l1:0', 'l2'],
      ['l1:1', 'l4'],
    ]);
    expect(rows[0]!.spans).toEqual([
      { lineId: 'l1', firstWord: 0, words: 3 },
      { lineId: 'l2', firstWord: 0, words: 2 },
    ]);
    expect(rows.every((r) => !r.partial && r.stable === r.text.length)).toBe(true);
  });

  it('breaks a line that does not fit at a word, and rows above the last never change as text arrives', () => {
    const more = [...lines, stt('l5', 'The Under-Secretary-General thanked the delegations for')];
    const before = flowedCaptionRows({ lines, partial: null }, { lang: 'en', maxRows: 10 });
    const rows = flowedCaptionRows({ lines: more, partial: null }, { lang: 'en', maxRows: 10 });
    expect(rows.map((r) => [r.key, r.text])).toEqual([
      ['l1:0', 'Good morning, distinguished delegates and'],
      ['l1:1', 'welcome to the second session. The'],
      ['l1:2', 'Under-Secretary-General thanked the'],
      ['l1:3', 'delegations for'],
    ]);
    expect(rows[0]).toEqual(before[0]);
    expect(rows[2]!.spans).toEqual([{ lineId: 'l5', firstWord: 1, words: 3 }]);
  });

  it("goes on in the last row with the partial, its settled start drawn as committed, and the final keeps the row's key", () => {
    const partial = stt('p5', 'The Chair', { state: 'partial', stableChars: 4 });
    const rows = flowedCaptionRows({ lines, partial }, { lang: 'en', maxRows: 10 });
    expect(rows[1]).toMatchObject({ key: 'l1:1', lineId: 'p5', text: 'welcome to the second session. The Chair', partial: true });
    expect(rows[1]!.text.slice(0, rows[1]!.stable)).toBe('welcome to the second session. The ');
    const done = flowedCaptionRows({ lines: [...lines, stt('p5', 'The Chair', { state: 'final' })], partial: null }, { lang: 'en', maxRows: 10 });
    expect(done[1]).toMatchObject({ key: 'l1:1', text: 'welcome to the second session. The Chair', partial: false });
    // The partial's last words spill into a row, then become the next line's first words: the row keeps its key.
    const spill = stt('p5', 'The Chair will now give', { state: 'partial', stableChars: 'The Chair'.length });
    const spilled = flowedCaptionRows({ lines, partial: spill }, { lang: 'en', maxRows: 10 });
    expect(spilled.map((r) => [r.key, r.text])).toEqual([
      ['l1:0', 'Good morning, distinguished delegates and'],
      ['l1:1', 'welcome to the second session. The Chair'],
      ['l1:2', 'will now give'],
    ]);
    const next = flowedCaptionRows(
      { lines: [...lines, stt('p5', 'The Chair', { state: 'final' })], partial: stt('p6', 'will now give the', { state: 'partial' }) },
      { lang: 'en', maxRows: 10 },
    );
    expect(next.map((r) => [r.key, r.text])).toEqual([...spilled.slice(0, 2).map((r) => [r.key, r.text]), ['l1:2', 'will now give the']]);
    // Keys from another place, as a wall gives when its flow starts at a later line.
    expect(flowedCaptionRows({ lines, partial: null }, { lang: 'en', maxRows: 10, from: 'l3', keys: { prefix: 'l1', first: 1 } }).map((r) => r.key)).toEqual(['l1:1']);
  });

  it('starts a row for a line of another language or direction, and leaves out the lines before `from`', () => {
    const mixed = [stt('l1', 'Thank you', { lang: 'en' }), stt('l2', 'شكرا جزيلا', { lang: 'ar' }), stt('l3', 'سيدي الرئيس', { lang: 'ar' })];
    const rows = flowedCaptionRows({ lines: mixed, partial: null }, { lang: 'floor', maxRows: 10 });
    expect(rows.map((r) => [r.text, r.dir])).toEqual([
      ['Thank you', 'ltr'],
      ['شكرا جزيلا سيدي الرئيس', 'rtl'],
    ]);
    expect(flowedCaptionRows({ lines: mixed, partial: null }, { lang: 'floor', maxRows: 10, from: 'l2' }).map((r) => r.key)).toEqual(['l2:0']);
  });

  it('starts a row for a typed line or a script cue, and after one, as its interpreter composed it', () => {
    const mixed = [stt('l1', 'We now turn'), line('l2', 'To item four.'), line('l3', 'Of the agenda.', { source: 'script' }), stt('l4', 'Thank'), line('l5', 'you', { source: 'voice-stt' })];
    expect(flowedCaptionRows({ lines: mixed, partial: null }, { lang: 'en', maxRows: 10 }).map((r) => r.text)).toEqual([
      'We now turn',
      'To item four.',
      'Of the agenda.',
      'Thank',
      'you',
    ]);
  });
});
