/**
 * One console per data folder: two consoles on one folder would write one session record and one settings file
 * from two processes. The lock is a file (`console.lock`) created exclusively, holding the owner's pid; it is
 * removed at close (only by the console that wrote it: the file also holds a random token). A lock left by a console that died (killed, power cut) names a pid that no longer runs and is
 * taken over; so is one left by this very process after a console that never closed (tests simulating a crash
 * pass `takeOverOwn`).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorInfo } from '../common/result';

/** File name of the lock inside the data folder. */
export const DATA_DIR_LOCK_FILE = 'console.lock';

/** A held lock. */
export interface DataDirLock {
  readonly file: string;
  release(): Promise<void>;
}

/** Why a lock was not taken. */
export interface DataDirLockError extends ErrorInfo {
  code: 'DATA_DIR_LOCKED' | 'DATA_DIR_UNUSABLE';
  /** The pid of the console that holds the folder (for `DATA_DIR_LOCKED`). */
  pid?: number;
}

/** Whether a process with this pid runs (a pid we may not signal still runs). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder's lock, or says who holds it. `takeOverOwn`: a lock this process left (a console it did
 * not close) is taken over instead of refused.
 */
export async function lockDataDir(dataDir: string, options: { takeOverOwn?: boolean } = {}): Promise<{ ok: true; value: DataDirLock } | { ok: false; error: DataDirLockError }> {
  const file = join(dataDir, DATA_DIR_LOCK_FILE);
  const content = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(content, 'utf8');
      } finally {
        await handle.close();
      }
      let released = false;
      return {
        ok: true,
        value: {
          file,
          release: async () => {
            if (released) return;
            released = true;
            // Only our own lock: a console that took it over after this one was presumed dead keeps its own.
            if ((await readFile(file, 'utf8').catch(() => '')) === content) await unlink(file).catch(() => undefined);
          },
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        return { ok: false, error: { code: 'DATA_DIR_UNUSABLE', message: `The data folder ${dataDir} cannot be used (${code ?? 'error'}: ${(err as Error).message}).` } };
      }
    }
    const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    const own = pid === process.pid;
    if (Number.isInteger(pid) && pid > 0 && running(pid) && !(own && options.takeOverOwn)) {
      return {
        ok: false,
        error: {
          code: 'DATA_DIR_LOCKED',
          pid,
          message: `Another console (process ${pid}) is using the data folder ${dataDir}. Close it, or start this one with another data folder (--data-dir).`,
        },
      };
    }
    // Left by a console that is gone (or unreadable): take it over.
    await unlink(file).catch(() => undefined);
  }
  return { ok: false, error: { code: 'DATA_DIR_LOCKED', message: `The data folder ${dataDir} is being locked by another console at this moment; try again.` } };
}
