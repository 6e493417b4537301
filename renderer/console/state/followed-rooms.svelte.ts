/**
 * The other rooms an operator console follows (the core's monitors, electron/console/room-monitors.ts), as the
 * overview shows them: one row per room, numbered for its jump key (Alt+Shift+1…9), and the jump that makes one the
 * active room. Ages and staleness come relative to when the core sent them, so this page grows them on its own
 * clock (the core's may differ: a browser console on another machine).
 */
import type { ConsoleApi, WatchedRoom } from '../../../electron/common/console-api';
import type { ErrorInfo } from '../../../electron/common/result';

export type RoomsApi = Pick<ConsoleApi, 'switchRoom'>;

/** Rooms with a jump key (Alt+Shift+1…9). */
export const ROOM_KEYS = 9;

export class FollowedRooms {
  /** The followed rooms, in the order of their keys. */
  rooms = $state.raw<WatchedRoom[]>([]);
  /** The room a jump is on its way to, until the core answered. */
  switching = $state<string | null>(null);
  /** Why the last jump was refused (`ROOM_BUSY`: what still waits for the active room), until the next jump. */
  error = $state.raw<ErrorInfo | null>(null);
  /** This page's clock when `rooms` came. */
  private receivedAt = $state(0);

  constructor(
    private readonly api: RoomsApi,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the rooms as the core sent them (snapshot or `rooms:changed`). */
  sync(rooms: readonly WatchedRoom[]): void {
    this.rooms = [...rooms];
    this.receivedAt = this.now();
  }

  /** The room the n-th key (1-9) makes the active one. */
  roomAt(n: number): WatchedRoom | undefined {
    return n >= 1 && n <= ROOM_KEYS ? this.rooms[n - 1] : undefined;
  }

  /** Time since the rooms came, on this page's clock (add it to the ages the core sent). */
  elapsed(now = this.now()): number {
    return Math.max(0, now - this.receivedAt);
  }

  /** Age of a followed channel's last line now, or null when none was seen. */
  lineAge(ageMs: number | null, now = this.now()): number | null {
    return ageMs === null ? null : ageMs + this.elapsed(now);
  }

  /**
   * Makes `room` the active one; `true` once the core switched (its snapshot follows). A refusal stays in `error`
   * (the lines the active room still waits for, a wrong secret...).
   */
  async jump(room: string): Promise<boolean> {
    if (this.switching) return false;
    this.switching = room;
    this.error = null;
    try {
      const r = await this.api.switchRoom(room);
      this.error = r.ok ? null : r.error;
      return r.ok;
    } finally {
      this.switching = null;
    }
  }
}
