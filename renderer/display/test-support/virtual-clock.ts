/**
 * A {@link RowClock} on virtual time, for replaying a wall's roll-up faster than real time (tests, bench:e2e):
 * timers run only when `runUntil` passes them, in time order, each with `now` at its own due time.
 */
import type { RowClock } from '../channel-rows';

/** A row clock whose time moves only through {@link VirtualClock.runUntil}. */
export interface VirtualClock extends RowClock {
  /** Runs every timer due by `t` (including timers they set), then sets the time to `t` (never backwards). */
  runUntil(t: number): void;
}

/** A virtual clock starting at `start` (ms). */
export function virtualClock(start = 0): VirtualClock {
  let now = start;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number): number => {
      timers.push({ at: now + ms, fn, id: ++nextId });
      return nextId;
    },
    clearTimeout: (id: unknown): void => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    runUntil: (t: number): void => {
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > t) break;
        timers.shift();
        now = next.at;
        next.fn();
      }
      now = Math.max(now, t);
    },
  };
}
