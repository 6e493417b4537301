/**
 * Test support: a ConsoleApi that records every request and audio frame and answers `ok`, with an event
 * registry the test fires. For the transports' tests (dispatcher, IPC, console server), which check what reaches
 * the core and what does not. Used only by *.test.ts files.
 */
import type { ConsoleApi } from './console-api';
import { consoleApiOver, createConsoleEventRegistry, type ConsoleEventRegistry } from './console-api-calls';
import { ok } from './console-api-result';

/** A recording ConsoleApi; methods named in `throwing` throw instead of answering. */
export function recordingConsoleApi(throwing: readonly string[] = []): {
  api: ConsoleApi;
  calls: { method: string; args: unknown[] }[];
  audio: { source: string; samples: number }[];
  events: ConsoleEventRegistry;
} {
  const calls: { method: string; args: unknown[] }[] = [];
  const audio: { source: string; samples: number }[] = [];
  const events = createConsoleEventRegistry();
  const api = consoleApiOver(
    async (method, args) => {
      if (throwing.includes(method)) throw new Error(`${method} blew up`);
      calls.push({ method, args });
      return ok(undefined as never);
    },
    events,
    (source, frame) => audio.push({ source, samples: frame.length }),
  );
  return { api, calls, audio, events };
}
