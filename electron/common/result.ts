/**
 * Errors travel as values across every boundary (socket, IPC, worker): a stable `code` a program can branch on
 * and a `message` a person can read. Nothing throws across a process.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** A failure as it crosses a boundary. */
export interface ErrorInfo {
  /** Stable machine-readable code, e.g. `AUTH_BAD_SECRET`. */
  code: string;
  /** Human-readable explanation, safe to show (never contains a secret). */
  message: string;
}

/** Wraps a value as a success. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps a code and message as a failure. */
export function fail<T = never>(code: string, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
