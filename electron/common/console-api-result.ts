/**
 * Results of the console API with typed error codes: every failure the console boundary can answer is one of
 * {@link ConsoleErrorCode}, so the page can branch on a code the compiler knows and the core cannot invent one.
 * `ok` and `fail` here are the console's versions of the ones in result.ts (same shapes, narrower codes).
 */
import { ERROR_CODES, type ErrorCode } from './protocol';
import type { ErrorInfo, Result } from './result';

/** Stable error codes of the console API itself (the hub's codes pass through besides these). */
export const CONSOLE_ERROR_CODES = {
  INVALID_ARGUMENTS: 'INVALID_ARGUMENTS',
  NOT_CONNECTED: 'NOT_CONNECTED',
  HUB_UNREACHABLE: 'HUB_UNREACHABLE',
  HOST_FAILED: 'HOST_FAILED',
  NOT_ON_AIR: 'NOT_ON_AIR',
  NOT_OPERATOR: 'NOT_OPERATOR',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  NO_PENDING: 'NO_PENDING',
  GLOSSARY_INVALID: 'GLOSSARY_INVALID',
  STT_FAILED: 'STT_FAILED',
  SESSION_WRITE_FAILED: 'SESSION_WRITE_FAILED',
  SETTINGS_WRITE_FAILED: 'SETTINGS_WRITE_FAILED',
  /** The active room still has something of this console on its way (lines, corrections, speech-to-text): a switch would strand it. */
  ROOM_BUSY: 'ROOM_BUSY',
  /** The request never reached the core or its answer never came back (socket down, timeout). */
  TRANSPORT: 'TRANSPORT',
  INTERNAL: 'INTERNAL',
  /** Console server access (handshake refusals, before any method runs). */
  ACCESS_BAD_ORIGIN: 'ACCESS_BAD_ORIGIN',
  ACCESS_BAD_HOST: 'ACCESS_BAD_HOST',
  ACCESS_TOKEN_MISSING: 'ACCESS_TOKEN_MISSING',
  ACCESS_TOKEN_WRONG: 'ACCESS_TOKEN_WRONG',
  /** The token came somewhere it may leak from (URL query, cookie): only the handshake's `auth.token` counts. */
  ACCESS_TOKEN_MISPLACED: 'ACCESS_TOKEN_MISPLACED',
  ACCESS_RATE_LIMITED: 'ACCESS_RATE_LIMITED',
} as const;

/** The console's own codes. */
export type ConsoleOwnErrorCode = (typeof CONSOLE_ERROR_CODES)[keyof typeof CONSOLE_ERROR_CODES];

/**
 * Every code a console API call can fail with: its own, the hub's (passed through from acks and handshakes), and
 * the model checks' `MODEL_*` / `IMPORT_*` families (models/validate.ts, models/import.ts).
 */
export type ConsoleErrorCode = ConsoleOwnErrorCode | ErrorCode | `MODEL_${string}` | `IMPORT_${string}`;

/** A failure of the console API. */
export interface ConsoleError extends ErrorInfo {
  code: ConsoleErrorCode;
}

/** What every console API request resolves with. */
export type ConsoleResult<T> = { ok: true; value: T } | { ok: false; error: ConsoleError };

/** Wraps a value as a success. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Wraps a code and message as a failure. */
export function fail<T = never>(code: ConsoleErrorCode, message: string): ConsoleResult<T> {
  return { ok: false, error: { code, message } };
}

const KNOWN = new Set<string>([...Object.values(CONSOLE_ERROR_CODES), ...Object.values(ERROR_CODES)]);

/** Whether `code` is one the console boundary knows. */
export function isConsoleErrorCode(code: unknown): code is ConsoleErrorCode {
  return typeof code === 'string' && (KNOWN.has(code) || /^(MODEL|IMPORT)_[A-Z_]+$/.test(code));
}

/** An error from elsewhere (the wire, another module) as a console error; an unknown code becomes `INTERNAL`. */
export function consoleError(error: ErrorInfo): ConsoleError {
  if (isConsoleErrorCode(error.code)) return { code: error.code, message: error.message };
  return { code: CONSOLE_ERROR_CODES.INTERNAL, message: `${error.message} (${error.code.slice(0, 40)})` };
}

/** A Result from a module with string codes as a console result (see {@link consoleError}). */
export function consoleResult<T>(result: Result<T>): ConsoleResult<T> {
  return result.ok ? result : { ok: false, error: consoleError(result.error) };
}
