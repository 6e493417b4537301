import { describe, expect, it } from 'vitest';
import { LocalAgreementPolicy } from './local-agreement-policy';
import type { TimedWord } from './words';

/** Words "a b c" at 0.5 s each from `from` seconds. */
function words(text: string, from = 0, step = 0.5): TimedWord[] {
  return text.split(' ').map((t, i) => ({ text: t, start: from + i * step, end: from + (i + 1) * step - 0.05, p: 0.9, lang: 'en', segment: 0, segmentEnd: false }));
}
const texts = (ws: readonly TimedWord[]): string => ws.map((w) => w.text).join(' ');

describe('LocalAgreementPolicy', () => {
  it('commits only the prefix two consecutive passes agree on', () => {
    const policy = new LocalAgreementPolicy();
    let u = policy.update(words('the quick brown'));
    expect(texts(u.committed)).toBe('');
    expect(texts(u.pending)).toBe('the quick brown');

    u = policy.update(words('the quick brown fox jumps'));
    expect(texts(u.committed)).toBe('the quick brown');
    expect(texts(u.pending)).toBe('fox jumps');
    expect(policy.committedUntil).toBeCloseTo(1.45);

    // A revision of the pending part: nothing agreed beyond what is committed.
    u = policy.update(words('the quick brown fax jumped over', 0));
    expect(texts(u.committed)).toBe('');
    expect(texts(u.pending)).toBe('fax jumped over');

    u = policy.update(words('the quick brown fax jumped over the', 0));
    expect(texts(u.committed)).toBe('fax jumped over');
    expect(texts(u.pending)).toBe('the');
  });

  it('compares words without case and punctuation, and commits the newer form', () => {
    const policy = new LocalAgreementPolicy();
    policy.update(words('hello World'));
    const u = policy.update(words('Hello, world. How'));
    expect(texts(u.committed)).toBe('Hello, world.');
    expect(texts(u.pending)).toBe('How');
  });

  it('ignores words of a later pass that start before the commit point', () => {
    const policy = new LocalAgreementPolicy();
    policy.update(words('one two three'));
    policy.update(words('one two three four'));
    expect(policy.committedUntil).toBeCloseTo(1.45);
    // The buffer was trimmed to 1.0 s: the new pass starts later and re-decodes "three".
    const u = policy.update([...words('three', 1.0), ...words('four five', 1.5)]);
    expect(texts(u.committed)).toBe('four');
    expect(texts(u.pending)).toBe('five');
  });

  it('removes an overlap with the committed tail (n-gram, longest first)', () => {
    const policy = new LocalAgreementPolicy({ committedUntil: 2, committedTail: 'we are here a b a' });
    // Timestamps put the repeated "b a" after the commit point; the overlap is removed.
    const u1 = policy.update(words('b a next word', 2.1));
    expect(texts(u1.pending)).toBe('next word');
    const u2 = policy.update(words('b a next word again', 2.1));
    expect(texts(u2.committed)).toBe('next word');
  });

  it('does not remove an overlap when the new words start more than 1 s after the commit point', () => {
    const policy = new LocalAgreementPolicy({ committedUntil: 2, committedTail: 'yes' });
    const u = policy.update(words('yes indeed', 3.5));
    expect(texts(u.pending)).toBe('yes indeed');
  });

  it('forces the pending words out on commitPending, and never emits them again', () => {
    const policy = new LocalAgreementPolicy();
    policy.update(words('alpha beta'));
    expect(texts(policy.commitPending())).toBe('alpha beta');
    expect(policy.pending).toEqual([]);
    expect(policy.committedUntil).toBeCloseTo(0.95);
    const u = policy.update(words('alpha beta gamma'));
    expect(texts(u.pending)).toBe('gamma');
    expect(texts(policy.commitPending())).toBe('gamma');
    expect(policy.commitPending()).toEqual([]);
  });

  it('resumes after a restart without re-committing what was committed', () => {
    const policy = new LocalAgreementPolicy({ committedUntil: 1.45, committedTail: 'one two three' });
    policy.update(words('one two three four five'));
    const u = policy.update(words('one two three four five six'));
    expect(texts(u.committed)).toBe('four five');
  });

  describe('one-pass commit (contextSeconds)', () => {
    it('commits after one pass the words with that much decoded audio after them, and holds the rest', () => {
      const policy = new LocalAgreementPolicy({ contextSeconds: 0.5 });
      // Words end at 0.45, 0.95, 1.45, 1.95; the pass heard audio up to 1.9 s: only the first two have 0.5 s after them.
      const u = policy.update(words('one two three four'), 1.9);
      expect(texts(u.committed)).toBe('one two');
      expect(texts(u.pending)).toBe('three four');
      expect(policy.committedUntil).toBeCloseTo(0.95);
      // The next pass, to 3.0 s: "three four" agree, "five" (ends 2.45) has 0.5 s after it, "six" (2.95) not.
      const v = policy.update(words('one two three four five six'), 3.0);
      expect(texts(v.committed)).toBe('three four five');
      expect(texts(v.pending)).toBe('six');
    });

    it('stops at an unsure word: it and what follows wait for agreement', () => {
      const policy = new LocalAgreementPolicy({ contextSeconds: 0.5 });
      const ws = words('one two three four five');
      ws[1] = { ...ws[1]!, p: 0.3 };
      const u = policy.update(ws, 3.0);
      expect(texts(u.committed)).toBe('one');
      expect(texts(u.pending)).toBe('two three four five');
      const v = policy.update(words('one two three four five'), 3.0);
      expect(texts(v.committed)).toBe('two three four five');
    });

    it('is off by default and without the pass end: agreement only', () => {
      expect(texts(new LocalAgreementPolicy().update(words('one two three four'), 9).committed)).toBe('');
      expect(texts(new LocalAgreementPolicy({ contextSeconds: 0.5 }).update(words('one two three four')).committed)).toBe('');
    });
  });
});
