import { describe, expect, it } from 'vitest';
import { DEFAULT_PHONE_TEXT_PX, PHONE_TEXT_SIZES, PhonePrefs, stepTextSize, type PrefsStore } from './phone-prefs';

function memory(): PrefsStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('phone preferences', () => {
  it('starts with the address, then the last choice in this room, then the phone language, then a language channel', () => {
    const store = memory();
    const prefs = new PhonePrefs('main', store);
    const channels = ['floor', 'ar', 'en', 'ru'];
    expect(prefs.initialChannel(channels, undefined, ['fr-FR', 'ru-RU', 'en'])).toBe('ru');
    expect(prefs.initialChannel(channels, undefined, ['fr'])).toBe('ar');
    prefs.rememberChannel('en');
    expect(prefs.initialChannel(channels, undefined, ['ru'])).toBe('en');
    expect(prefs.initialChannel(channels, 'ar', ['ru'])).toBe('ar');
    // Another room does not inherit the choice.
    expect(new PhonePrefs('panel-2', store).initialChannel(channels, undefined, ['ru'])).toBe('ru');
    // A remembered channel the room no longer has is ignored.
    expect(prefs.initialChannel(['floor', 'ar'], undefined, [])).toBe('ar');
    expect(prefs.initialChannel(['floor'], undefined, [])).toBe('floor');
  });

  it('remembers a text size of at least 18 px by default, and steps through the sizes', () => {
    const store = memory();
    const prefs = new PhonePrefs('main', store);
    expect(prefs.initialTextSize()).toBe(DEFAULT_PHONE_TEXT_PX);
    expect(DEFAULT_PHONE_TEXT_PX).toBeGreaterThanOrEqual(18);
    expect(stepTextSize(22, 1)).toBe(24);
    expect(stepTextSize(22, -1)).toBe(20);
    expect(stepTextSize(PHONE_TEXT_SIZES[0] ?? 0, -1)).toBe(PHONE_TEXT_SIZES[0]);
    expect(stepTextSize(999, 1)).toBe(PHONE_TEXT_SIZES.at(-1));
    prefs.rememberTextSize(32);
    expect(new PhonePrefs('other', store).initialTextSize()).toBe(32);
    store.data.set('tarjuman.phone.textSize', '17');
    expect(prefs.initialTextSize()).toBe(DEFAULT_PHONE_TEXT_PX);
  });

  it('works without storage (private browsing)', () => {
    const broken: PrefsStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const prefs = new PhonePrefs('main', broken);
    prefs.rememberChannel('en');
    expect(prefs.initialChannel(['ar', 'en'], undefined, [])).toBe('ar');
    expect(prefs.initialTextSize()).toBe(DEFAULT_PHONE_TEXT_PX);
  });
});
