/**
 * The phone page's choices: which channel to read and how big, remembered on the phone (localStorage) so a
 * reload or a reconnect keeps them. The store is injected, so tests need no browser.
 */

/** Text sizes a phone viewer steps through (px). */
export const PHONE_TEXT_SIZES: readonly number[] = [16, 18, 20, 22, 24, 28, 32, 40, 48];

/** The size a phone starts with: captions on a phone are at least 18 px unless the viewer asks for smaller. */
export const DEFAULT_PHONE_TEXT_PX = 22;

/** The part of `Storage` the page uses; its failures (private mode, quota) are ignored. */
export type PrefsStore = Pick<Storage, 'getItem' | 'setItem'>;

const SIZE_KEY = 'tarjuman.phone.textSize';

/** A phone's remembered choices for one room. */
export class PhonePrefs {
  private readonly store: PrefsStore | undefined;
  private readonly channelKey: string;

  constructor(room: string, store: PrefsStore | undefined) {
    this.store = store;
    this.channelKey = `tarjuman.phone.${room}.channel`;
  }

  /**
   * The channel to show first: the one the address names (`lang=`), else the one chosen last time in this room,
   * else the first of the phone's languages the room has, else the room's first channel that is not the floor.
   */
  initialChannel(channels: readonly string[], urlLang: string | undefined, languages: readonly string[]): string {
    const has = (c: string | null | undefined): c is string => typeof c === 'string' && channels.includes(c);
    if (has(urlLang)) return urlLang;
    const stored = this.read(this.channelKey);
    if (has(stored)) return stored;
    for (const tag of languages) {
      const primary = tag.toLowerCase().split(/[-_]/)[0];
      if (has(primary)) return primary;
    }
    return channels.find((c) => c !== 'floor') ?? channels[0] ?? '';
  }

  /** Remembers the channel chosen for this room. */
  rememberChannel(channel: string): void {
    this.write(this.channelKey, channel);
  }

  /** The text size to start with: the one chosen last time, else {@link DEFAULT_PHONE_TEXT_PX}. */
  initialTextSize(): number {
    const stored = Number(this.read(SIZE_KEY));
    return PHONE_TEXT_SIZES.includes(stored) ? stored : DEFAULT_PHONE_TEXT_PX;
  }

  /** Remembers the text size (for every room: it is about the viewer's eyes). */
  rememberTextSize(px: number): void {
    this.write(SIZE_KEY, String(px));
  }

  private read(key: string): string | null {
    try {
      return this.store?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.store?.setItem(key, value);
    } catch {
      // Not remembered; the choice still applies to this visit.
    }
  }
}

/** The next size up (`step` 1) or down (`step` -1) from `current`, stopping at the ends. */
export function stepTextSize(current: number, step: 1 | -1): number {
  const index = PHONE_TEXT_SIZES.findIndex((s) => s >= current);
  const at = index === -1 ? PHONE_TEXT_SIZES.length - 1 : index;
  return PHONE_TEXT_SIZES[Math.min(PHONE_TEXT_SIZES.length - 1, Math.max(0, at + step))] ?? current;
}
