/** Replacing a file so that a crash at any moment leaves either the old or the new content, never a mix. */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file. Default `0o600` (settings and journals may hold secrets). */
  mode?: number;
  /**
   * The temporary file, beside the target. Default a name unique to this process and moment; a single writer of
   * the file may fix it (a leftover from a crash is then overwritten instead of piling up).
   */
  tempPath?: string;
}

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory, synced, renamed over the target,
 * then the directory synced so the rename itself survives a power loss. The temporary file is removed when a
 * step fails; the error is thrown.
 */
export async function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const tmp = options.tempPath ?? `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fh = await open(tmp, 'w', options.mode ?? 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** fsyncs a directory (its entries); a file system that cannot do it is not an error. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Some file systems refuse to sync a directory; the rename is then as durable as they make it.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * One writer of a file whose every write is its whole content: writes run one at a time, in order, each with
 * {@link writeFileAtomic} of the content as it is when the write runs (the newest), so the file never goes back to
 * an older one. A failed write goes to `onError` (the next write tries again); it never rejects.
 */
export class SerialFileWriter {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly onError: (err: NodeJS.ErrnoException) => void,
  ) {}

  /** Queues a write of `content()`; resolves once it is on disk (or its failure was reported). */
  write(content: () => string): Promise<void> {
    const run = this.writing.then(async () => {
      try {
        await writeFileAtomic(this.file, content());
      } catch (err) {
        this.onError(err as NodeJS.ErrnoException);
      }
    });
    this.writing = run;
    return run;
  }

  /** Resolves once every write queued so far has finished. */
  flushed(): Promise<void> {
    return this.writing;
  }
}
