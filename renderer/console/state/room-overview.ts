/**
 * The operator's overview of a room, channel by channel, from what the hub tells the console: who is on air in
 * each booth, how long ago the channel's last line came, and which channels auto-routing would feed while a
 * booth is on air there; and of the other rooms it follows, the state of each room's link in words. Pure
 * functions, so the page and the tests share them.
 */
import type { BoothMember, WatchedRoom } from '../../../electron/common/console-api';
import { FLOOR_CHANNEL } from '../../../electron/common/protocol';

/**
 * Who holds a channel: a named console on air (which may have lost its link: nothing new comes from it), a
 * booth with nobody on air, or no booth seen at all.
 */
export type OnAirState = { kind: 'on-air'; label: string; online: boolean } | { kind: 'off-air'; online: number } | { kind: 'no-booth' };

/** The on-air state of a channel from its booth's members (as the hub's presence gives them). */
export function onAirOf(members: readonly BoothMember[] | undefined): OnAirState {
  if (!members || members.length === 0) return { kind: 'no-booth' };
  const holder = members.find((m) => m.onAir);
  if (holder) return { kind: 'on-air', label: holder.label, online: holder.online };
  return { kind: 'off-air', online: members.filter((m) => m.online).length };
}

/** What the overview says of a channel's holder. */
export function describeOnAir(state: OnAirState): string {
  switch (state.kind) {
    case 'on-air':
      return state.online ? `on air: ${state.label}` : `on air: ${state.label}, offline`;
    case 'off-air':
      return state.online > 0 ? 'nobody on air' : 'booth offline';
    case 'no-booth':
      return 'no booth';
  }
}

/** Age of the last line ("last line 8 s ago", "3 min", "2 h"); "no lines yet" when there is none. */
export function describeAge(ms: number | null): string {
  return ms === null ? 'no lines yet' : `last line ${formatAge(ms)} ago`;
}

/** A duration, short: "8 s", "3 min", "2 h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** A language channel auto-routing would feed while a booth is on air there. */
export interface RoutingConflict {
  channel: string;
  label: string;
}

/**
 * The channels auto-routing would write into while a booth is on air there (floor lines over the interpreter's
 * own): every room channel but the floor with an on-air console.
 */
export function autoRoutingConflicts(channels: readonly string[], booths: Readonly<Record<string, readonly BoothMember[]>>): RoutingConflict[] {
  const out: RoutingConflict[] = [];
  for (const channel of channels) {
    if (channel === FLOOR_CHANNEL) continue;
    const state = onAirOf(booths[channel]);
    if (state.kind === 'on-air') out.push({ channel, label: state.label });
  }
  return out;
}

/** "EN (English booth A), AR (Arabic booth K)". */
export function describeConflicts(conflicts: readonly RoutingConflict[]): string {
  return conflicts.map((c) => `${c.channel.toUpperCase()} (${c.label})`).join(', ');
}

/** How a followed room's row reads: `ok` live, `stale` (not connected: what it shows may be old), `error` (refused). */
export interface RoomLinkState {
  text: string;
  tone: 'ok' | 'stale' | 'error';
}

/**
 * The state of a followed room's link in words. A refusal says what to fix (wrong secret, no such room); a lost link
 * says how old what the row shows is (`elapsedMs`: time since the status came, on this page's clock).
 */
export function describeRoomLink(room: Pick<WatchedRoom, 'state' | 'error' | 'staleForMs'>, elapsedMs = 0): RoomLinkState {
  const { state, error } = room;
  if (state === 'connected') return error ? { text: `lines not seen: ${error.message}`, tone: 'error' } : { text: 'live', tone: 'ok' };
  if (state === 'error' && error) {
    switch (error.code) {
      case 'AUTH_BAD_SECRET':
        return { text: 'wrong secret: set it in the settings', tone: 'error' };
      case 'AUTH_MISSING_SECRET':
        return { text: 'needs its secret: set it in the settings', tone: 'error' };
      case 'UNKNOWN_ROOM':
        return { text: 'no such room on this hub', tone: 'error' };
      default:
        return { text: `refused: ${error.message}`, tone: 'error' };
    }
  }
  if (room.staleForMs !== null) return { text: `unreachable, as of ${formatAge(room.staleForMs + elapsedMs)} ago`, tone: 'stale' };
  return { text: error ? 'unreachable' : 'connecting…', tone: 'stale' };
}
