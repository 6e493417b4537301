/**
 * The hub's log: one line per event, fields as JSON. Secrets never reach it: callers pass only ids, roles,
 * codes and addresses.
 */

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Where the hub writes its log; pass your own to capture it (tests, the console). */
export interface HubLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function line(level: string, message: string, fields?: LogFields): string {
  const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${new Date().toISOString()} hub ${level} ${message}${suffix}`;
}

/** Writes to standard error (info to standard output). */
export const consoleHubLogger: HubLogger = {
  info: (m, f) => console.log(line('info', m, f)),
  warn: (m, f) => console.warn(line('warn', m, f)),
  error: (m, f) => console.error(line('error', m, f)),
};

/** Discards everything. */
export const silentHubLogger: HubLogger = { info: () => {}, warn: () => {}, error: () => {} };
