/**
 * The room display's URL parameters: `/display?room=main&channels=ar,en,ru&lines=2&theme=dark&size=1&labels=auto`;
 * a phone page is the same address with `view=phone`.
 *
 * | parameter  | meaning                                                                | default             |
 * | ---------- | ---------------------------------------------------------------------- | ------------------- |
 * | `room`     | the room to show (required)                                            |                     |
 * | `channels` | one channel, or several separated by commas, stacked top to bottom     | (required)          |
 * | `lines`    | rows of roll-up per channel, 1 to 12                                   | 2                   |
 * | `theme`    | `dark`, `light`, `transparent` (video overlay) or `green` (chroma key) | `dark`              |
 * | `size`     | font scale, 0.3 to 3                                                   | 1                   |
 * | `labels`   | channel labels above each block: `on`, `off`, or `auto` (when stacked) | `auto`              |
 * | `safe`     | title-safe margin: `title` (10%), `action` (5%), a percentage 0-25, `off` | `off`            |
 * | `cps`      | reading pace of the roll-up, characters per second, 5 to 40              | per language (17)   |
 * | `view`     | `wall` (room screen), `phone` (pick a language, text size, history), `auto` | `auto`            |
 * | `lang`     | phone view: the channel to start with (else the phone's language)      | the phone's         |
 */
import type { ErrorInfo, Result } from '../../electron/common/result';
import { fail, ok } from '../../electron/common/result';

/** Colour schemes of the display. */
export const DISPLAY_THEMES = ['dark', 'light', 'transparent', 'green'] as const;
export type DisplayTheme = (typeof DISPLAY_THEMES)[number];

/**
 * Ways to show the captions: a wall (room screen, stream overlay), a phone, or `auto`: the phone view on a
 * small touch screen (an attendee who opened a wall link), the wall anywhere else.
 */
export const DISPLAY_VIEWS = ['wall', 'phone', 'auto'] as const;
export type DisplayView = (typeof DISPLAY_VIEWS)[number];

/** The view `auto` stands for on a screen that is (or is not) a phone. */
export function resolveView(view: DisplayView, isPhone: boolean): 'wall' | 'phone' {
  return view === 'auto' ? (isPhone ? 'phone' : 'wall') : view;
}

/** Named title-safe margins (fraction of each edge): broadcast title-safe and action-safe areas. */
const SAFE_MARGINS: Readonly<Record<string, number>> = { off: 0, none: 0, action: 0.05, title: 0.1 };

/** The parsed parameters of a display URL. */
export interface DisplayParams {
  room: string;
  /** Channels to show, in order, without duplicates (1 to 16). */
  channels: string[];
  /** Rows of roll-up per channel. */
  lines: number;
  theme: DisplayTheme;
  /** Font scale (1 = the default size). */
  size: number;
  /** Whether to label each channel block. */
  labels: boolean;
  /** Title-safe margin on every edge, as a fraction of the screen (0 = the page's own margins). */
  safeMargin: number;
  /** Reading pace of the roll-up (characters per second) for every language; undefined = per language. */
  cps: number | undefined;
  view: DisplayView;
  /** Phone view: the channel to show first, when the URL names one of `channels`. */
  lang: string | undefined;
}

/** The error code of a display URL that cannot be used. */
export const BAD_DISPLAY_URL = 'BAD_DISPLAY_URL';

/** An example of a working display URL, for error messages. */
export const DISPLAY_URL_EXAMPLE = '/display?room=main&channels=ar (or channels=ar,en,ru)';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function bad(message: string): Result<DisplayParams> {
  return fail(BAD_DISPLAY_URL, `${message}. Open the display as ${DISPLAY_URL_EXAMPLE}.`);
}

function numberParam(raw: string | null, name: string, min: number, max: number, fallback: number, integer: boolean): number | ErrorInfo {
  if (raw === null || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    return { code: BAD_DISPLAY_URL, message: `${name}=${raw} is not ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}` };
  }
  return value;
}

/** Parses a display URL's query string (`location.search`); every problem is reported in words a person can act on. */
export function parseDisplayParams(search: string): Result<DisplayParams> {
  const query = new URLSearchParams(search);
  const room = query.get('room')?.trim() ?? '';
  if (room === '') return bad('The address does not say which room to show (room=...)');
  if (!NAME.test(room)) return bad(`"${room}" is not a room name (letters, digits, _ and -)`);

  const channelsRaw = query.get('channels') ?? query.get('channel') ?? '';
  const channels = [...new Set(channelsRaw.split(',').map((c) => c.trim()).filter((c) => c !== ''))];
  if (channels.length === 0) return bad('The address does not say which channels to show (channels=...)');
  const badChannel = channels.find((c) => !NAME.test(c));
  if (badChannel !== undefined) return bad(`"${badChannel}" is not a channel name (letters, digits, _ and -)`);
  if (channels.length > 16) return bad('A display shows at most 16 channels');

  const lines = numberParam(query.get('lines'), 'lines', 1, 12, 2, true);
  if (typeof lines !== 'number') return bad(lines.message);
  const size = numberParam(query.get('size'), 'size', 0.3, 3, 1, false);
  if (typeof size !== 'number') return bad(size.message);

  const themeRaw = (query.get('theme') ?? 'dark').trim().toLowerCase();
  const theme = DISPLAY_THEMES.find((t) => t === themeRaw);
  if (theme === undefined) return bad(`theme=${themeRaw} is not one of ${DISPLAY_THEMES.join(', ')}`);

  const labelsRaw = (query.get('labels') ?? 'auto').trim().toLowerCase();
  let labels: boolean;
  if (['on', '1', 'true', 'yes'].includes(labelsRaw)) labels = true;
  else if (['off', '0', 'false', 'no'].includes(labelsRaw)) labels = false;
  else if (labelsRaw === 'auto') labels = channels.length > 1;
  else return bad(`labels=${labelsRaw} is not on, off or auto`);

  const safeRaw = (query.get('safe') ?? 'off').trim().toLowerCase().replace(/%$/, '');
  let safeMargin = SAFE_MARGINS[safeRaw];
  if (safeMargin === undefined) {
    const percent = numberParam(safeRaw, 'safe', 0, 25, 0, false);
    if (typeof percent !== 'number') return bad(`safe=${safeRaw} is not title, action, off or a percentage from 0 to 25`);
    safeMargin = percent / 100;
  }

  const cpsRaw = query.get('cps');
  const cps = cpsRaw === null || cpsRaw.trim() === '' ? undefined : numberParam(cpsRaw, 'cps', 5, 40, 17, false);
  if (cps !== undefined && typeof cps !== 'number') return bad(cps.message);

  const viewRaw = (query.get('view') ?? 'auto').trim().toLowerCase();
  const view = DISPLAY_VIEWS.find((v) => v === viewRaw);
  if (view === undefined) return bad(`view=${viewRaw} is not one of ${DISPLAY_VIEWS.join(', ')}`);

  const langRaw = query.get('lang')?.trim();
  const lang = langRaw && channels.includes(langRaw) ? langRaw : undefined;

  return ok({ room, channels, lines, theme, size, labels, safeMargin, cps, view, lang });
}
