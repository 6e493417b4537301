import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type PublishLine } from '../common/protocol';
import { ChannelLedger, type LedgerRecord } from './channel-ledger';
import { cleanCaptionText } from './caption-text';

function line(id: string, text: string, state: 'partial' | 'final' = 'final'): PublishLine {
  return { id, channel: 'en', text, state, source: 'typed' };
}

describe('ChannelLedger', () => {
  it('catches up from any kept cursor and resets when the cursor is too old or from another life', () => {
    const ledger = new ChannelLedger('main', 'en', { historyLimit: 50 });
    for (let i = 1; i <= 300; i++) expect(ledger.publish(line(`l${i}`, `line ${i}`), i).ok).toBe(true);
    expect(ledger.currentCursor).toBe(300);
    // 100 changes are kept (twice the history limit, at least 100): 201..300.
    const recent = ledger.snapshot(200);
    expect(recent.reset).toBe(false);
    expect(recent.changes.map((c) => c.cursor)).toEqual(Array.from({ length: 100 }, (_, i) => 201 + i));
    expect(ledger.snapshot(300)).toMatchObject({ reset: false, changes: [] });
    const old = ledger.snapshot(199);
    expect(old.reset).toBe(true);
    expect(old.changes).toHaveLength(50);
    expect(old.changes[0]!.kind === 'committed' && old.changes[0]!.line.id).toBe('l251');
    expect(ledger.snapshot(301).reset).toBe(true);
    expect(ledger.snapshot(undefined).reset).toBe(true);
    expect(ledger.committedLines()).toHaveLength(50);
  });

  it('remembers ids beyond the kept lines, so an old resend stays a duplicate', () => {
    const ledger = new ChannelLedger('main', 'en', { historyLimit: 10 });
    for (let i = 1; i <= 100; i++) ledger.publish(line(`l${i}`, `line ${i}`), i);
    const resend = ledger.publish(line('l5', 'line 5'), 1000);
    expect(resend.ok && resend.value).toMatchObject({ ack: { seq: 5, duplicate: true }, records: [] });
    expect(ledger.currentCursor).toBe(100);
  });

  it('replays its records into an identical ledger', () => {
    const a = new ChannelLedger('main', 'en', { historyLimit: 20 });
    const records: LedgerRecord[] = [];
    const take = (r: { ok: boolean; value?: { records: LedgerRecord[] } }): void => {
      if (r.ok && r.value) records.push(...r.value.records);
    };
    take(a.publish(line('p', 'typing', 'partial'), 1));
    take(a.publish(line('x', 'first'), 2));
    take(a.publish(line('p', 'typing done'), 3));
    take(a.revise('x', 'first, corrected', 4));
    records.push(...a.clear(5).records);
    take(a.publish(line('y', 'after clear'), 6));
    const b = new ChannelLedger('main', 'en', { historyLimit: 20 });
    for (const r of records) b.replay(r);
    expect(b.toSnapshot()).toEqual(a.toSnapshot());
    expect(b.snapshot(2)).toEqual(a.snapshot(2));
    const c = new ChannelLedger('main', 'en', { historyLimit: 20 });
    c.restore(JSON.parse(JSON.stringify(a.toSnapshot())));
    expect(c.snapshot(undefined)).toEqual(a.snapshot(undefined));
    expect(c.publish(line('z', 'next'), 7)).toMatchObject({ ok: true, value: { ack: { seq: 4, cursor: 6 } } });
  });

  it('refuses to revise a partial or a cleared line', () => {
    const ledger = new ChannelLedger('main', 'en', { historyLimit: 20 });
    ledger.publish(line('a', 'done'), 1);
    ledger.publish(line('b', 'typing', 'partial'), 2);
    expect(ledger.revise('b', 'x', 3)).toMatchObject({ ok: false, error: { code: ERROR_CODES.NOT_FOUND } });
    ledger.clear(4);
    expect(ledger.currentPartial).toBeNull();
    expect(ledger.revise('a', 'x', 5)).toMatchObject({ ok: false, error: { code: ERROR_CODES.NOT_FOUND } });
  });
});

describe('cleanCaptionText', () => {
  it('removes direction overrides and stray controls, keeps marks, newlines and markup as text', () => {
    expect(cleanCaptionText('\u202Babc\u202C \u2067d\u2069 \u200Fe\u200E \u061Cf')).toEqual({ ok: true, value: 'abc d \u200Fe\u200E \u061Cf' });
    expect(cleanCaptionText('a\u0000b\u0007c\td\r\ne\rf\u0085')).toEqual({ ok: true, value: 'abc\td\ne\nf' });
    expect(cleanCaptionText('<img src=x onerror=alert(1)>')).toEqual({ ok: true, value: '<img src=x onerror=alert(1)>' });
    expect(cleanCaptionText('😀 ok')).toEqual({ ok: true, value: '😀 ok' });
    expect(cleanCaptionText('\uDE00 lone low')).toMatchObject({ ok: false, error: { code: ERROR_CODES.INVALID_PAYLOAD } });
    expect(cleanCaptionText('x'.repeat(11), 10)).toMatchObject({ ok: false, error: { code: ERROR_CODES.TEXT_TOO_LONG } });
  });
});
