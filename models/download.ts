/**
 * Model download: streams into `<dest>.part`, resumes an interrupted `.part` with an HTTP Range request, checks
 * SHA-256/SHA-1 (when known) and the ggml structure, then renames atomically to `<dest>`. A failed checksum or
 * structure check deletes the `.part`; an interrupted transfer keeps it so the next call resumes.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail, ok, type Result } from '../electron/common/result';
import { validateModelFile, type ModelInfo } from './validate';

/** Progress of a download. */
export interface DownloadProgress {
  /** Bytes on disk so far (including a resumed part). */
  receivedBytes: number;
  /** Total size, when the server says it. */
  totalBytes?: number;
}

/** Options of {@link downloadModel}. */
export interface DownloadOptions {
  url: string;
  /** Final path of the model file. */
  dest: string;
  /** Lower-case hex SHA-256 the file must have. */
  sha256?: string;
  /** Lower-case hex SHA-1 the file must have (whisper.cpp publishes SHA-1). */
  sha1?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** A finished download. */
export interface DownloadedModel {
  path: string;
  bytes: number;
  sha256: string;
  /** True when an earlier partial download was continued. */
  resumed: boolean;
  /** Which checksums were compared (`structure` is always checked). */
  verified: ('sha256' | 'sha1' | 'structure')[];
  model: ModelInfo;
}

async function hashFile(file: string, hashes: Hash[]): Promise<void> {
  for await (const chunk of createReadStream(file)) for (const h of hashes) h.update(chunk as Buffer);
}

/**
 * Downloads a model file. Fails with `DOWNLOAD_HTTP` (bad status), `DOWNLOAD_INTERRUPTED` (connection lost;
 * the part is kept, call again to resume), `DOWNLOAD_CHECKSUM_MISMATCH`, or a `MODEL_*` code from validation.
 */
export async function downloadModel(options: DownloadOptions): Promise<Result<DownloadedModel>> {
  const part = `${options.dest}.part`;
  await mkdir(path.dirname(options.dest), { recursive: true });
  let offset = await stat(part).then(
    (s) => s.size,
    () => 0,
  );

  const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
  let response: Response;
  try {
    response = await fetch(options.url, { headers, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    return fail('DOWNLOAD_INTERRUPTED', `Cannot reach ${options.url}: ${describe(error)}.`);
  }
  let resumed = false;
  let totalBytes: number | undefined;
  if (response.status === 206 && offset > 0) {
    resumed = true;
    const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
    totalBytes = range ? Number(range[1]) : undefined;
  } else if (response.status === 416 && offset > 0) {
    // The part already holds the whole file: verify it below.
    resumed = true;
    totalBytes = offset;
    await response.body?.cancel();
  } else if (response.status === 200) {
    offset = 0;
    const length = response.headers.get('content-length');
    totalBytes = length ? Number(length) : undefined;
  } else {
    await response.body?.cancel();
    return fail('DOWNLOAD_HTTP', `The server answered ${response.status} ${response.statusText} for ${options.url}.`);
  }

  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  if (offset > 0) await hashFile(part, [sha256, sha1]);
  let received = offset;
  if (response.status !== 416) {
    const file = await open(part, offset > 0 ? 'a' : 'w');
    try {
      if (!response.body) throw new Error('empty response body');
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await file.write(value);
        sha256.update(value);
        sha1.update(value);
        received += value.byteLength;
        options.onProgress?.({ receivedBytes: received, ...(totalBytes !== undefined ? { totalBytes } : {}) });
      }
    } catch (error) {
      return fail(
        'DOWNLOAD_INTERRUPTED',
        `The download of ${options.url} stopped at ${received} bytes (${describe(error)}); ` +
          'the partial file is kept and the next attempt resumes it.',
      );
    } finally {
      await file.close();
    }
  }
  if (totalBytes !== undefined && received < totalBytes) {
    return fail(
      'DOWNLOAD_INTERRUPTED',
      `The download of ${options.url} ended at ${received} of ${totalBytes} bytes; the next attempt resumes it.`,
    );
  }

  const verified: DownloadedModel['verified'] = [];
  const digest256 = sha256.digest('hex');
  const digest1 = sha1.digest('hex');
  for (const [name, expected, actual] of [
    ['sha256', options.sha256, digest256],
    ['sha1', options.sha1, digest1],
  ] as const) {
    if (!expected) continue;
    if (expected.toLowerCase() !== actual) {
      await rm(part, { force: true });
      return fail(
        'DOWNLOAD_CHECKSUM_MISMATCH',
        `The downloaded file's ${name.toUpperCase()} is ${actual}, expected ${expected.toLowerCase()}; it was deleted.`,
      );
    }
    verified.push(name);
  }
  const checked = await validateModelFile(part);
  if (!checked.ok) {
    await rm(part, { force: true });
    return fail(checked.error.code, `${checked.error.message} The downloaded file was deleted.`);
  }
  verified.push('structure');
  await rename(part, options.dest);
  return ok({
    path: options.dest,
    bytes: received,
    sha256: digest256,
    resumed,
    verified,
    model: { ...checked.value, path: options.dest },
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
