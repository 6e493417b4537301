/**
 * The room display's URL parameters: `/display?room=main&channels=ar,en,ru&lines=2&theme=dark&size=1&labels=auto`.
 *
 * | parameter  | meaning                                                                | default             |
 * | ---------- | ---------------------------------------------------------------------- | ------------------- |
 * | `room`     | the room to show (required)                                            |                     |
 * | `channels` | one channel, or several separated by commas, stacked top to bottom     | (required)          |
 * | `lines`    | rows of roll-up per channel, 1 to 12                                   | 2                   |
 * | `theme`    | `dark`, `light`, `transparent` (video overlay) or `green` (chroma key) | `dark`              |
 * | `size`     | font scale, 0.3 to 3                                                   | 1                   |
 * | `labels`   | channel labels above each block: `on`, `off`, or `auto` (when stacked) | `auto`              |
 */
import type { ErrorInfo, Result } from '../../electron/common/result';
import { fail, ok } from '../../electron/common/result';

/** Colour schemes of the display. */
export const DISPLAY_THEMES = ['dark', 'light', 'transparent', 'green'] as const;
export type DisplayTheme = (typeof DISPLAY_THEMES)[number];

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

  return ok({ room, channels, lines, theme, size, labels });
}
