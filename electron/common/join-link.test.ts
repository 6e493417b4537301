import { describe, expect, it } from 'vitest';
import { defaultConsoleLabel, joinLink, parseJoinLink } from './join-link';

describe('join link', () => {
  it('carries hub, room and secret (in the fragment) and reads back the same, whatever the secret holds', () => {
    const details = { hubUrl: 'http://192.168.1.20:7300/', room: 'plenary', secret: 'a+b/c=d#e&f' };
    const link = joinLink(details);
    expect(link.startsWith('http://192.168.1.20:7300/?room=plenary#secret=')).toBe(true);
    expect(new URL(link).search).not.toContain('secret');
    expect(parseJoinLink(link)).toEqual({ ok: true, value: { hubUrl: 'http://192.168.1.20:7300', room: 'plenary', secret: 'a+b/c=d#e&f' } });
  });

  it('says what is missing from a link that is not a join link', () => {
    expect(parseJoinLink('hello')).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a join link') } });
    expect(parseJoinLink('ftp://h/?room=a#secret=abcd')).toMatchObject({ ok: false, error: { message: expect.stringContaining('http://') } });
    expect(parseJoinLink('http://h:7300/#secret=abcd')).toMatchObject({ ok: false, error: { message: expect.stringContaining('no room') } });
    expect(parseJoinLink('http://h:7300/?room=main')).toMatchObject({ ok: false, error: { message: expect.stringContaining('no room secret') } });
  });

  it('names a console without a label as a person reads it, the two consoles of a booth apart', () => {
    expect(defaultConsoleLabel('booth', 'ar', 'c1')).toMatch(/^Arabic booth [A-Z]$/);
    expect(defaultConsoleLabel('booth', 'ru', 'c1')).toMatch(/^Russian booth [A-Z]$/);
    expect(defaultConsoleLabel('operator', 'en', 'c1')).toMatch(/^Operator [A-Z]$/);
    expect(defaultConsoleLabel('booth', 'ar', 'c1')).toBe(defaultConsoleLabel('booth', 'ar', 'c1'));
    const letters = new Set(['c1', 'c2', 'c3', 'c4', 'c5'].map((id) => defaultConsoleLabel('booth', 'en', id)));
    expect(letters.size).toBeGreaterThan(1);
  });
});
