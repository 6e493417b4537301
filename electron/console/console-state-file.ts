/**
 * What survives a restart of the console besides its settings (`console-state.json` in the data dir): its
 * identity, the open session, whether it was linked to a hub and on air. Written atomically; writes run one
 * at a time and each writes the newest state, so the file never goes back to an older one.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CoreLogger } from './console-context';
import { SerialFileWriter } from '../node/atomic-write';

const consoleStateSchema = z.object({
  /** Stable id of this console (line ids, handover, hub logs). */
  clientId: z.string().regex(/^[A-Za-z0-9_.:-]{4,64}$/),
  /** The session record in use (folder under `sessions/`). */
  sessionId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  /** The console was linked to a hub when it closed: it links again at start. */
  hubWanted: z.boolean(),
  /** It held its booth channel: after a hub restart it takes it back. */
  onAir: z.boolean(),
  /**
   * Hub and room of the last link (`<url>|<room>`): after a restart, lines the hub never acknowledged are resent
   * only on a link to the same ones, never to a room chosen since (absent: the first link resends, as before).
   */
  linkKey: z.string().optional(),
});
/** The persisted state. */
export type ConsoleState = z.infer<typeof consoleStateSchema>;

/** File name of the state inside the data dir. */
export const CONSOLE_STATE_FILE = 'console-state.json';

/** A new session id: the start time (UTC, to the second) and a random suffix. */
export function newSessionId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The console's persisted state. Load with {@link ConsoleStateFile.load}. */
export class ConsoleStateFile {
  private readonly writer: SerialFileWriter;

  private constructor(
    file: string,
    private current: ConsoleState,
    logger: CoreLogger,
  ) {
    this.writer = new SerialFileWriter(file, (err) => logger.warn('console state not saved', { code: err.code }));
  }

  /** Reads the state; a missing or damaged file gives a fresh identity and session (written at once). */
  static async load(dataDir: string, logger: CoreLogger): Promise<ConsoleStateFile> {
    const file = join(dataDir, CONSOLE_STATE_FILE);
    try {
      const parsed = consoleStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) return new ConsoleStateFile(file, parsed.data, logger);
    } catch {
      // Missing or damaged: a fresh identity below.
    }
    const fresh = new ConsoleStateFile(file, { clientId: `c-${randomBytes(6).toString('hex')}`, sessionId: newSessionId(), hubWanted: false, onAir: false }, logger);
    await fresh.update({});
    return fresh;
  }

  /** The state in effect. */
  get value(): Readonly<ConsoleState> {
    return this.current;
  }

  /** Changes the state now and resolves once it is on disk (a failed write is logged; the state still applies). */
  update(patch: Partial<ConsoleState>): Promise<void> {
    this.current = { ...this.current, ...patch };
    return this.writer.write(() => `${JSON.stringify(this.current)}\n`);
  }
}
