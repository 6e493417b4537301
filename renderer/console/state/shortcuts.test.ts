import { describe, expect, it } from 'vitest';
import { SHORTCUTS, channelNumberOf, keysOf, matchShortcut, roomNumberOf, shortcutsFor, type KeyLike } from './shortcuts';

const key = (k: Partial<KeyLike> & { key: string }): KeyLike => ({ ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...k });

describe('shortcuts', () => {
  it('maps F-keys, presenter clicker keys and modifiers to actions', () => {
    expect(matchShortcut(key({ key: 'F8' }))?.action).toBe('cue-next');
    expect(matchShortcut(key({ key: 'PageDown' }))?.action).toBe('cue-next');
    expect(matchShortcut(key({ key: 'PageUp' }))?.action).toBe('cue-previous');
    expect(matchShortcut(key({ key: 'F1' }))?.action).toBe('mode-typed');
    expect(matchShortcut(key({ key: 'Enter', ctrlKey: true }))?.action).toBe('voice-send-now');
    expect(matchShortcut(key({ key: 'Enter' }))).toBeUndefined();
    expect(matchShortcut(key({ key: 'F8', shiftKey: true }))).toBeUndefined();
  });

  it('matches Alt+letter by physical key, so it works with an Arabic or Russian layout', () => {
    expect(matchShortcut(key({ key: 'ا', code: 'KeyH', altKey: true }))?.action).toBe('handover');
    expect(matchShortcut(key({ key: 'щ', code: 'KeyO', altKey: true }))?.action).toBe('view-operator');
    expect(matchShortcut(key({ key: 'h' }))).toBeUndefined();
  });

  it('jumps to a channel with Alt+1-9 on any layout; a plain digit stays text', () => {
    expect(matchShortcut(key({ key: '3', code: 'Digit3', altKey: true }))?.action).toBe('jump-channel');
    expect(channelNumberOf(key({ key: '٣', code: 'Digit3', altKey: true }))).toBe(3);
    expect(channelNumberOf(key({ key: '"', code: 'Digit2', altKey: true }))).toBe(2);
    expect(matchShortcut(key({ key: '3', code: 'Digit3' }))).toBeUndefined();
    expect(channelNumberOf(key({ key: '0', code: 'Digit0', altKey: true }))).toBeNull();
  });

  it('makes a followed room the active one with Alt+Shift+1-9 on any layout, without taking a channel key', () => {
    expect(matchShortcut(key({ key: '@', code: 'Digit2', altKey: true, shiftKey: true }))?.action).toBe('jump-room');
    expect(roomNumberOf(key({ key: '"', code: 'Digit2', altKey: true, shiftKey: true }))).toBe(2);
    expect(roomNumberOf(key({ key: '№', code: 'Digit3', altKey: true, shiftKey: true }))).toBe(3);
    expect(channelNumberOf(key({ key: '@', code: 'Digit2', altKey: true, shiftKey: true }))).toBeNull();
    expect(roomNumberOf(key({ key: '2', code: 'Digit2', altKey: true }))).toBeNull();
    expect(roomNumberOf(key({ key: '!', code: 'Digit1', shiftKey: true }))).toBeNull();
    expect(roomNumberOf(key({ key: ')', code: 'Digit0', altKey: true, shiftKey: true }))).toBeNull();
    // Offered to an operator only: for a booth it could only fail.
    expect(shortcutsFor('operator').some((s) => s.action === 'jump-room')).toBe(true);
    expect(shortcutsFor('booth').some((s) => s.action === 'jump-room')).toBe(false);
    // Handover is between the two consoles of a booth: an operator is not offered its keys.
    expect(shortcutsFor('operator').some((s) => s.action === 'handover')).toBe(false);
    expect(shortcutsFor('booth').some((s) => s.action === 'handover')).toBe(true);
  });

  it('shows a distinct key for every action', () => {
    expect(new Set(SHORTCUTS.map((s) => s.keys)).size).toBe(SHORTCUTS.length);
    expect(keysOf('cue-next')).toBe('F8 / PgDn');
  });
});
