/** The one recording logger of the hub's and the console's tests. */
import type { Logger, LogFields } from '../../node/logger';

/** A logger that keeps every line as text (what a log file would hold), e.g. to check no secret is ever logged. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string, fields?: LogFields): void {
    this.lines.push(`info ${message} ${JSON.stringify(fields ?? {})}`);
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push(`warn ${message} ${JSON.stringify(fields ?? {})}`);
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push(`error ${message} ${JSON.stringify(fields ?? {})}`);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** A fresh {@link RecordingLogger}. */
export function recordingLogger(): RecordingLogger {
  return new RecordingLogger();
}
