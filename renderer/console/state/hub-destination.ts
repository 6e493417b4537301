/**
 * Where the room secret goes when hub settings change. Joining a hub sends it in the handshake, so a change that
 * points the console at another host redirects the secret: the settings panel asks before saving it, and warns
 * when the address is plain http to a host that is not on the local network (the secret and every caption would
 * cross the internet unencrypted).
 */
import type { HubMode } from '../../../electron/common/console-api';

/** The hub the console joins after a change, when it is a new host for the secret. */
export interface SecretDestination {
  /** Host name (or address) the secret goes to. */
  host: string;
  /** The hub address as typed. */
  url: string;
  /** Plain http to a host that is not on the local network: the panel warns. */
  plainHttpOffLan: boolean;
}

/** Whether `host` (a URL's hostname) is on this machine or the local network, as far as its name tells. */
export function isLocalNetworkHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (name.includes(':')) return name === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(name) || /^fe[89ab][0-9a-f]?:/.test(name);
  // A single-label name (an intranet machine) or a name under a local-only suffix.
  return !name.includes('.') || /\.(local|lan|home\.arpa|internal|intranet|corp)$/.test(name);
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * The new destination of the room secret when saving `after` over `before`, or null when the secret stays where
 * it went (same host, or host mode: the hub runs on this machine). An address that is not http(s) is left to the
 * core, which refuses it.
 */
export function newSecretDestination(before: { hubMode: HubMode; hubUrl: string }, after: { hubMode: HubMode; hubUrl: string }): SecretDestination | null {
  if (after.hubMode !== 'join') return null;
  const host = hostOf(after.hubUrl);
  if (host === null) return null;
  if (before.hubMode === 'join' && hostOf(before.hubUrl) === host) return null;
  return { host, url: after.hubUrl, plainHttpOffLan: after.hubUrl.trim().toLowerCase().startsWith('http:') && !isLocalNetworkHost(host) };
}
