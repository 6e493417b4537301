/**
 * Errors travel as values across every boundary (socket, IPC, worker): a stable `code` a program can branch on
 * and a `message` a person can read. Nothing throws across a process.
 */
export type Result<T, C extends string = string> = { ok: true; value: T } | { ok: false; error: ErrorInfo<C> };

/** A failure as it crosses a boundary; `C` is the boundary's union of codes (`string` where it has none yet). */
export interface ErrorInfo<C extends string = string> {
  /** Stable machine-readable code, e.g. `AUTH_BAD_SECRET`. */
  code: C;
  /** Human-readable explanation, safe to show (never contains a secret). */
  message: string;
}

/** Wraps a value as a success (assignable to a Result of any boundary's codes). */
export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

/** Wraps a code and message as a failure. */
export function fail<T = never, C extends string = string>(code: C, message: string): Result<T, C> {
  return { ok: false, error: { code, message } };
}
