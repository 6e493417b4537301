/** Helpers for Redis URLs that load nothing heavy (the CLI prints one before the redis client is loaded). */

/** The Redis URL without its password (for logs and status). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparseable url)';
  }
}
