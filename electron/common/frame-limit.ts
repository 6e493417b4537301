/**
 * The largest request a client may send the hub, agreed by both: the hub reads socket.io frames up to
 * {@link MAX_FRAME_BYTES} (its `maxHttpBufferSize`) and closes the connection on a larger one, which would
 * drop everything else in flight and answer nothing. So a client checks a request before sending it and
 * refuses an oversized one itself, with the code the hub gives an over-long text: `TEXT_TOO_LONG` when the
 * request carries a text over {@link MAX_TEXT_LENGTH}, else `INVALID_PAYLOAD`.
 */
import { ERROR_CODES, MAX_TEXT_LENGTH } from './protocol';
import { fail, ok, type Result } from './result';

/** Largest socket.io frame the hub reads (bytes). Far above any valid request: a 2,000-character caption is under 12 kB. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Room left in a frame for socket.io's own framing (packet type, namespace, event name, ack id). */
const FRAME_OVERHEAD_BYTES = 512;

/** Refuses a request whose frame the hub would not read; see the module comment. */
export function checkRequestSize(event: string, payload: unknown): Result<void> {
  const json = JSON.stringify(payload ?? null) ?? '';
  const room = MAX_FRAME_BYTES - FRAME_OVERHEAD_BYTES;
  // Three UTF-8 bytes per UTF-16 unit at most: short requests need no encoding.
  if (json.length * 3 <= room) return ok(undefined);
  const bytes = new TextEncoder().encode(json).length;
  if (bytes <= room) return ok(undefined);
  const text = (payload as { text?: unknown } | null)?.text;
  if (typeof text === 'string' && text.length > MAX_TEXT_LENGTH) {
    return fail(ERROR_CODES.TEXT_TOO_LONG, `text is ${text.length} characters; the limit is ${MAX_TEXT_LENGTH}`);
  }
  return fail(ERROR_CODES.INVALID_PAYLOAD, `${event} is ${bytes} bytes; the hub reads at most ${room}`);
}
