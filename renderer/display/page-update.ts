/**
 * A wall or a phone left open across a hub upgrade: the hub restarts with a new build and the page reconnects with
 * the old one's code, which may not speak the new hub's protocol (a frozen screen in front of the hall). So after
 * every reconnect the page fetches its own HTML again, bypassing the cache, and compares the module script it names
 * (the build's hashed file name) with the one this page runs: when the hub serves another build, the page reloads
 * itself (its URL keeps the room, channels and view; a reloaded display catches up from the hub like a new one).
 * A failed fetch, or a page without a module script, changes nothing: the next reconnect checks again.
 */

/** The absolute URL of the first module script an HTML page names, or null. */
export function moduleScriptOf(html: string, base: string): string | null {
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    if (!/\btype\s*=\s*["']?module\b/i.test(tag)) continue;
    const src = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = src?.[1] ?? src?.[2] ?? src?.[3];
    if (!value) continue;
    try {
      return new URL(value, base).href;
    } catch {
      return null;
    }
  }
  return null;
}

/** What {@link reloadOnNewBuild} needs from the page (injected so the logic is testable). */
export interface PageUpdateDeps {
  /** The page's URL. */
  href: string;
  /** The module script this page runs (absolute URL), or null. */
  ownScript: string | null;
  /** Fetches the page's HTML again without the cache. */
  fetchPage: (href: string) => Promise<string>;
  reload: () => void;
}

/** Checks the page the hub serves now; reloads when it runs another build. Resolves true when it reloaded. */
export async function reloadOnNewBuild(deps: PageUpdateDeps): Promise<boolean> {
  if (!deps.ownScript) return false;
  let served: string | null;
  try {
    served = moduleScriptOf(await deps.fetchPage(deps.href), deps.href);
  } catch {
    return false;
  }
  if (!served || served === deps.ownScript) return false;
  deps.reload();
  return true;
}

/** Wires the check to a socket: on every `connect` after the first. */
export function watchForNewBuild(socket: { on(event: 'connect', fn: () => void): unknown }, deps: () => PageUpdateDeps): void {
  let connects = 0;
  socket.on('connect', () => {
    if (++connects > 1) void reloadOnNewBuild(deps());
  });
}
