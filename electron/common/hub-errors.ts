/**
 * The error codes of the hub boundary (acks and handshake refusals) as a closed union, and those a hub client
 * adds on its side of the wire. No zod here: the display bundle imports it.
 */

/** Stable error codes in the hub's acks and handshake refusals. */
export const ERROR_CODES = {
  AUTH_MISSING_SECRET: 'AUTH_MISSING_SECRET',
  AUTH_BAD_SECRET: 'AUTH_BAD_SECRET',
  AUTH_BAD_ROLE: 'AUTH_BAD_ROLE',
  UNKNOWN_ROOM: 'UNKNOWN_ROOM',
  UNKNOWN_CHANNEL: 'UNKNOWN_CHANNEL',
  FORBIDDEN: 'FORBIDDEN',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  TEXT_TOO_LONG: 'TEXT_TOO_LONG',
  RATE_LIMITED: 'RATE_LIMITED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  /** An operator muted the channel: the hub takes no line for it until it is unmuted. */
  CHANNEL_MUTED: 'CHANNEL_MUTED',
  INTERNAL: 'INTERNAL',
} as const;
/** A code the hub sends. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Codes a hub client reports itself: no answer in time, no connection at all. */
export const HUB_CLIENT_ERROR_CODES = {
  TIMEOUT: 'TIMEOUT',
  CONNECT_FAILED: 'CONNECT_FAILED',
} as const;
export type HubClientErrorCode = (typeof HUB_CLIENT_ERROR_CODES)[keyof typeof HUB_CLIENT_ERROR_CODES];

/** Is `code` one the hub sends? */
export function isHubErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * A hub refusal that asking again cannot fix (bad room, channel, secret, role or request). The hub's own trouble
 * (`INTERNAL`), a rate limit and the client-side codes pass with time.
 */
export function isPermanentHubError(code: string): boolean {
  return isHubErrorCode(code) && code !== ERROR_CODES.RATE_LIMITED && code !== ERROR_CODES.INTERNAL;
}
