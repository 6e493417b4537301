import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StalePartials } from './stale-partials';

describe('StalePartials', () => {
  let withdrawn: string[];
  let watch: StalePartials;
  beforeEach(() => {
    vi.useFakeTimers();
    withdrawn = [];
    watch = new StalePartials({ graceMs: 5000, maxAgeMs: 30_000, withdraw: (room, channel, id) => withdrawn.push(`${room}/${channel}/${id}`) });
  });
  afterEach(() => {
    watch.close();
    vi.useRealTimers();
  });

  it('withdraws the partial of a publisher gone for the grace, not of one that came back in time', () => {
    watch.connected('booth-ar');
    watch.connected('booth-en');
    watch.partialShown('main', 'ar', 'l1', 'booth-ar');
    watch.partialShown('main', 'en', 'l2', 'booth-en');
    watch.disconnected('booth-ar');
    watch.disconnected('booth-en');
    vi.advanceTimersByTime(3000);
    watch.connected('booth-en');
    vi.advanceTimersByTime(2500);
    expect(withdrawn).toEqual(['main/ar/l1']);
  });

  it('keeps the partial while another socket of the publisher is connected', () => {
    watch.connected('c1');
    watch.connected('c1');
    watch.partialShown('main', 'ru', 'x', 'c1');
    watch.disconnected('c1');
    vi.advanceTimersByTime(10_000);
    expect(withdrawn).toEqual([]);
  });

  it('ages out a partial that has not changed, and not one that keeps changing or ended', () => {
    watch.connected('c1');
    watch.partialShown('main', 'en', 'a', 'c1');
    watch.partialShown('main', 'floor', 'f', 'c1');
    watch.partialShown('main', 'ar', 'b', 'c1');
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10_000);
      watch.partialShown('main', 'floor', 'f', 'c1');
      if (i === 1) watch.partialGone('main', 'ar');
    }
    expect(withdrawn).toEqual(['main/en/a']);
    vi.advanceTimersByTime(30_000);
    expect(withdrawn).toEqual(['main/en/a', 'main/floor/f']);
  });

  it('withdraws each shown partial once', () => {
    watch.connected('c1');
    watch.partialShown('main', 'en', 'a', 'c1');
    watch.disconnected('c1');
    vi.advanceTimersByTime(60_000);
    expect(withdrawn).toEqual(['main/en/a']);
  });
});
