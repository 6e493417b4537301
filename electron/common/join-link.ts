/**
 * Joining a hosted room from another console: the join link the host console shows (and encodes as a QR code),
 * and its parsing in the joining console's settings. The link is the hub's own start page, with the room in the
 * query and the secret in the fragment (a browser never sends a fragment to the server, so it is in no request
 * and no log): `http://192.168.1.20:7300/?room=main#secret=Xk3...`. Opened in a browser it shows the room's
 * display links; pasted into a console's settings it fills hub address, room and secret.
 *
 * Also the label a console goes by when its settings name none: a person reads "Arabic booth K", not `booth ar`.
 */
import { fail, ok, type Result } from './result';

/** What a joining console needs. */
export interface JoinDetails {
  /** The hub's base URL on the venue network, e.g. `http://192.168.1.20:7300`. */
  hubUrl: string;
  room: string;
  secret: string;
}

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;

/** The join link of a room. */
export function joinLink(details: JoinDetails): string {
  const base = details.hubUrl.replace(/\/+$/, '');
  return `${base}/?room=${encodeURIComponent(details.room)}#secret=${encodeURIComponent(details.secret)}`;
}

/** Reads a join link (as {@link joinLink} makes it); says what is missing otherwise. */
export function parseJoinLink(text: string): Result<JoinDetails> {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return fail('INVALID_ARGUMENTS', 'This is not a join link (it should start with http:// or https://).');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('INVALID_ARGUMENTS', 'A join link starts with http:// or https://.');
  const room = url.searchParams.get('room') ?? '';
  if (!ROOM.test(room)) return fail('INVALID_ARGUMENTS', 'The join link names no room (…/?room=main#secret=…).');
  const secret = new URLSearchParams(url.hash.replace(/^#/, '')).get('secret') ?? '';
  if (secret.length < 4) return fail('INVALID_ARGUMENTS', 'The join link carries no room secret (…#secret=…).');
  return ok({ hubUrl: url.origin, room, secret });
}

const LANGUAGE_NAMES: Readonly<Record<string, string>> = { ar: 'Arabic', en: 'English', ru: 'Russian', floor: 'Floor' };

/**
 * The label of a console whose settings name none: "Arabic booth K" (the channel's language, and a letter that
 * stays with the console, from its id, so the two consoles of a booth differ but for 1 time in 26), "Operator K".
 */
export function defaultConsoleLabel(role: 'booth' | 'operator', channel: string, clientId: string): string {
  let hash = 0;
  for (const ch of clientId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const letter = String.fromCharCode(65 + (hash % 26));
  if (role === 'operator') return `Operator ${letter}`;
  return `${LANGUAGE_NAMES[channel] ?? channel.toUpperCase()} booth ${letter}`;
}
