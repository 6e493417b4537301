/**
 * The session record the console writes to now: opened at start on the session the state file names, replaced
 * by a new one on request (the old one stays on disk). Write failures reach the page as `console:error` and the
 * snapshot; the captions keep going out meanwhile (see session-record.ts).
 */
import { join } from 'node:path';
import type { ExportFormat, SessionInfo } from '../common/console-api';
import { consoleError } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import { newSessionId, type ConsoleStateFile } from './console-state-file';
import { SessionRecord } from './session-record';

/** The current session record of a console. Open with {@link ConsoleSession.open}. */
export class ConsoleSession {
  private current!: SessionRecord;

  private constructor(
    private readonly ctx: Pick<ConsoleContext, 'emit' | 'changed' | 'logger'>,
    private readonly dataDir: string,
    private readonly state: ConsoleStateFile,
  ) {}

  /** Opens the session the state file names (replaying what a previous run of it recorded). */
  static async open(ctx: Pick<ConsoleContext, 'emit' | 'changed' | 'logger'>, dataDir: string, state: ConsoleStateFile): Promise<ConsoleSession> {
    const session = new ConsoleSession(ctx, dataDir, state);
    await session.openRecord(state.value.sessionId);
    return session;
  }

  /** The record lines are written to. */
  get record(): SessionRecord {
    return this.current;
  }

  /** What the page shows of it. */
  info(): SessionInfo {
    const r = this.current;
    return { id: r.sessionId, file: r.file, startedAt: r.startedAt, lines: r.counts(), error: r.error ? consoleError(r.error) : null, recovered: r.recovered };
  }

  /** A channel's record as subtitles or text. */
  export(channel: string, format: ExportFormat): string {
    return this.current.export(channel, format);
  }

  /** Closes the record and starts a new session. */
  async startNew(): Promise<SessionInfo> {
    await this.current.close();
    const sessionId = newSessionId();
    await this.state.update({ sessionId });
    await this.openRecord(sessionId);
    this.ctx.changed();
    return this.info();
  }

  close(): Promise<void> {
    return this.current.close();
  }

  private async openRecord(sessionId: string): Promise<void> {
    this.current = await SessionRecord.open({
      dir: join(this.dataDir, 'sessions', sessionId),
      sessionId,
      onError: (error) => {
        if (error) {
          this.ctx.logger.error('session record not written', { code: error.code, file: this.current?.file });
          this.ctx.emit('console:error', consoleError(error));
        } else {
          this.ctx.logger.info('session record written again', {});
        }
        this.ctx.changed();
      },
    });
    if (this.current.error) this.ctx.emit('console:error', consoleError(this.current.error));
  }
}
