/**
 * The console's keyboard shortcuts, in one table: the page dispatches on it and the shortcut bar shows it,
 * so what is shown is what works. F-keys work from anywhere, including while typing in the channel input.
 */

/** Actions a key can trigger. */
export type ShortcutAction =
  | 'mode-typed'
  | 'mode-voice'
  | 'mode-script'
  | 'cue-next'
  | 'cue-previous'
  | 'edit-last'
  | 'voice-send-now'
  | 'voice-cancel'
  | 'clear-channel'
  | 'handover'
  | 'handover-decline'
  | 'view-booth'
  | 'view-operator'
  | 'settings'
  | 'share'
  | 'jump-channel'
  | 'jump-room'
  | 'focus-input';

export interface Shortcut {
  action: ShortcutAction;
  /** As shown to the user. */
  keys: string;
  label: string;
  /** Matches a keydown. */
  match(e: KeyLike): boolean;
  /** Shown to this role only (a key that could only fail for the other is not offered). */
  only?: 'booth' | 'operator';
}

/** The part of a KeyboardEvent the table looks at. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
  /** Physical key: Alt+letter shortcuts use it so they work with an Arabic or Russian keyboard layout. */
  code?: string;
}

const plain = (key: string) => (e: KeyLike) => e.key === key && !e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey;
const alt =
  (letter: string, shift = false) =>
  (e: KeyLike): boolean =>
    e.altKey && !e.ctrlKey && !e.metaKey && e.shiftKey === shift && (e.code === `Key${letter.toUpperCase()}` || e.key.toLowerCase() === letter);

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'mode-typed', keys: 'F1', label: 'Typed', match: plain('F1') },
  { action: 'mode-voice', keys: 'F2', label: 'Voice', match: plain('F2') },
  { action: 'mode-script', keys: 'F3', label: 'Script', match: plain('F3') },
  { action: 'cue-previous', keys: 'F7 / PgUp', label: 'Back a cue (no send)', match: (e) => plain('F7')(e) || plain('PageUp')(e) },
  { action: 'cue-next', keys: 'F8 / PgDn', label: 'Next cue', match: (e) => plain('F8')(e) || plain('PageDown')(e) },
  { action: 'voice-send-now', keys: 'Ctrl+Enter', label: 'Send voice now', match: (e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) },
  { action: 'voice-cancel', keys: 'Ctrl+Shift+Bksp', label: 'Cancel voice', match: (e) => e.key === 'Backspace' && (e.ctrlKey || e.metaKey) && e.shiftKey },
  { action: 'edit-last', keys: 'F4', label: 'Correct last line', match: plain('F4') },
  { action: 'clear-channel', keys: 'F6', label: 'Clear channel', match: plain('F6') },
  { action: 'handover', keys: 'Alt+H', label: 'Handover: ask, offer, accept', match: alt('h'), only: 'booth' },
  { action: 'handover-decline', keys: 'Alt+Shift+H', label: 'Decline / withdraw', match: alt('h', true), only: 'booth' },
  { action: 'view-booth', keys: 'Alt+B', label: 'Booth view', match: alt('b') },
  { action: 'view-operator', keys: 'Alt+O', label: 'Operator view', match: alt('o') },
  { action: 'settings', keys: 'Alt+S', label: 'Settings', match: alt('s') },
  { action: 'share', keys: 'Alt+J', label: 'Share room', match: alt('j') },
  { action: 'jump-channel', keys: 'Alt+1…9', label: 'Go to channel', match: (e) => channelNumberOf(e) !== null },
  { action: 'jump-room', keys: 'Alt+Shift+1…9', label: 'Go to room', match: (e) => roomNumberOf(e) !== null, only: 'operator' },
  { action: 'focus-input', keys: 'Ctrl+K', label: 'Focus input', match: (e) => (e.ctrlKey || e.metaKey) && !e.altKey && (e.code === 'KeyK' || e.key.toLowerCase() === 'k') },
];

/**
 * The channel (1-9, as the operator overview numbers them) an Alt+digit keydown jumps to, by physical key so
 * it works with any layout; null for any other key.
 */
export function channelNumberOf(e: KeyLike): number | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return null;
  const m = /^Digit([1-9])$/.exec(e.code ?? '') ?? /^([1-9])$/.exec(e.key);
  return m ? Number(m[1]) : null;
}

/**
 * The followed room (1-9, as the operator overview numbers them) an Alt+Shift+digit keydown makes the active one, by
 * physical key (with Shift the key itself is a symbol that depends on the layout); null for any other key.
 */
export function roomNumberOf(e: KeyLike): number | null {
  if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return null;
  const m = /^Digit([1-9])$/.exec(e.code ?? '');
  return m ? Number(m[1]) : null;
}

/** The shortcuts a console of `role` offers. */
export function shortcutsFor(role: 'booth' | 'operator'): Shortcut[] {
  return SHORTCUTS.filter((s) => s.only === undefined || s.only === role);
}

/** The shortcut a keydown triggers, if any. */
export function matchShortcut(e: KeyLike): Shortcut | undefined {
  return SHORTCUTS.find((s) => s.match(e));
}

/** Shown keys of an action ("F8 / PgDn"). */
export function keysOf(action: ShortcutAction): string {
  return SHORTCUTS.find((s) => s.action === action)?.keys ?? '';
}
