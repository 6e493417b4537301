/**
 * The jump to a followed room, shared by its key (Alt+Shift+1…9) and its row's button: the operator view shows, the
 * core makes the room the active one, and the focus goes to the active room's name at the head of the overview. Not
 * left on the row: once switched, that row shows the room just left, and Enter there would jump straight back.
 */
import { tick } from 'svelte';
import type { ConsoleStore } from '../state/console-store.svelte';

/** Selector of the active room's name in the operator view (the focus after a jump). */
export const ACTIVE_ROOM_SELECTOR = '[data-active-room]';

export async function jumpToRoom(store: ConsoleStore, room: string): Promise<void> {
  store.setView('operator');
  if (!(await store.followed.jump(room))) return;
  await tick();
  document.querySelector<HTMLElement>(ACTIVE_ROOM_SELECTOR)?.focus();
}
