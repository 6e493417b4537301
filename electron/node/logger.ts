/**
 * The one log interface of the Node side (hub, console core, CLIs): one line per event, fields as JSON.
 * Callers pass only ids, roles, codes and addresses: no secret ever reaches a logger.
 */

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Where a component writes its log; pass your own to capture it (tests, the console embedding a hub). */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** One log line: `<ISO time> <component> <level> <message> <fields as JSON>`. */
export function formatLogLine(component: string, level: 'info' | 'warn' | 'error', message: string, fields?: LogFields): string {
  const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return `${new Date().toISOString()} ${component} ${level} ${message}${suffix}`;
}

/**
 * A logger writing every level to standard error, so standard output stays free for what a CLI prints for
 * its user (addresses, links, exports).
 * @param component the name at the start of each line, e.g. `hub` or `console`
 */
export function createStderrLogger(component: string): Logger {
  const write = (level: 'info' | 'warn' | 'error') => (message: string, fields?: LogFields) => {
    process.stderr.write(`${formatLogLine(component, level, message, fields)}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that adds `prefix` to every message (a hub embedded in the console logs as `hub: ...`). */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  return {
    info: (m, f) => logger.info(`${prefix}${m}`, f),
    warn: (m, f) => logger.warn(`${prefix}${m}`, f),
    error: (m, f) => logger.error(`${prefix}${m}`, f),
  };
}

/** Discards everything. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
