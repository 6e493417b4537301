/**
 * The console API over a socket.io connection: the client half, shared by the browser-only console page and
 * the Node tests. Pure: it takes an already-created socket.io-client socket (connected to a console server,
 * electron/console/console-server.ts) and returns a {@link ConsoleApi}. Requests become
 * `console:call (method, args, ack)`, events arrive as `console:event (name, payload)`, audio frames go out as
 * binary `console:audio (source, ArrayBuffer)`.
 */
import { CONSOLE_TRANSPORT, type ConsoleApi, type ConsoleRequestName } from './console-api';
import { CONSOLE_ERROR_CODES, consoleError, fail, type ConsoleResult } from './console-api-result';
import { consoleApiOver, createConsoleEventRegistry } from './console-api-calls';

/** The part of a socket.io-client `Socket` the transport uses (so this file needs no socket.io import). */
export interface ConsoleSocketLike {
  readonly connected: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  emit(event: string, ...args: any[]): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener?: (...args: any[]) => void): unknown;
}

/** Options of {@link createSocketConsoleApi}. */
export interface SocketConsoleApiOptions {
  /** A request with no answer after this long resolves with a `TRANSPORT` error (default 30 s). */
  timeoutMs?: number;
}

/**
 * An answer from the wire as a result: a success as is (the page renders it; the core built it), a failure with
 * its code checked, anything else a `TRANSPORT` error.
 */
function asResult<T>(value: unknown, method: string): ConsoleResult<T> {
  const v = (typeof value === 'object' && value !== null ? value : {}) as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return { ok: true, value: v.value as T };
  if (v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string') {
    return { ok: false, error: consoleError({ code: v.error.code, message: v.error.message }) };
  }
  return fail(CONSOLE_ERROR_CODES.TRANSPORT, `Malformed answer to ${method}.`);
}

/**
 * Wraps a socket.io-client socket connected to a console server as a {@link ConsoleApi}.
 * The caller owns the socket (connects, disconnects it); `on` handlers survive reconnects.
 */
export function createSocketConsoleApi(socket: ConsoleSocketLike, options: SocketConsoleApiOptions = {}): ConsoleApi {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const events = createConsoleEventRegistry();
  socket.on(CONSOLE_TRANSPORT.event, (name: unknown, payload: unknown) => events.dispatch(name, payload));

  function call<T>(method: ConsoleRequestName, args: unknown[]): Promise<ConsoleResult<T>> {
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        resolve(fail(CONSOLE_ERROR_CODES.TRANSPORT, `No answer from the console server to ${method} within ${timeoutMs} ms.`));
      }, timeoutMs);
      // Trailing undefined arguments would arrive as null over JSON: drop them.
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
      socket.emit(CONSOLE_TRANSPORT.call, method, args, (answer: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(asResult<T>(answer, method));
      });
    });
  }

  return consoleApiOver(call, events, (source, frame) => {
    if (!socket.connected) return;
    const bytes =
      frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength
        ? frame.buffer
        : frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength);
    socket.emit(CONSOLE_TRANSPORT.audio, source, bytes);
  });
}
