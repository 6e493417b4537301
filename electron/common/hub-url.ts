/**
 * A hub's address as people type it: `localhost:7300`, `192.168.1.20:7300`, `hub.venue.lan`, or a full
 * `http(s)://host:port`. Without a scheme it is `http://`; anything else than a bare origin (a path, a query, a
 * scheme other than http and https, no host) is refused with a message that says what to type. Used by the
 * console's settings and `npm run say`, so both accept the same addresses.
 */
import { fail, ok, type Result } from './result';

/** `INVALID_HUB_URL` with a message that shows the expected form. */
export const INVALID_HUB_URL = 'INVALID_HUB_URL';

/** The hub address as an origin (`http://host:port`), or why it is not one. */
export function parseHubUrl(input: string): Result<string> {
  const text = input.trim();
  const wrong = (why: string): Result<string> => fail(INVALID_HUB_URL, `The hub address "${text}" ${why}: give it as host:port or http://host:port, e.g. http://192.168.1.20:7300.`);
  if (text === '') return wrong('is empty');
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return wrong('is not an address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return wrong(`uses ${url.protocol.replace(/:$/, '')}, not http or https`);
  if (url.hostname === '') return wrong('has no host');
  if (url.username || url.password) return wrong('holds a user name or password');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return wrong('has a path (the hub is at the root of its host)');
  return ok(url.origin);
}
