/**
 * The server half of every console API transport (Electron IPC in electron/main, socket.io in
 * electron/console/console-server.ts): one place that looks a method up, parses its arguments with
 * `consoleRequestSchemas`, calls the core with the parsed values and turns a throw into `INTERNAL`; one place
 * that fans the core's events out; one check of an audio frame. A transport only says how messages travel.
 */
import { STT_SOURCES, consoleRequestSchemas, type ConsoleApi, type ConsoleRequestName, type SttSourceKind } from './console-api';
import { CONSOLE_ERROR_CODES, fail, type ConsoleResult } from './console-api-result';
import { CONSOLE_EVENT_NAMES } from './console-transport';

/** Longest audio frame a transport accepts, in samples (5 s at 16 kHz); the page sends 100 ms frames. */
export const MAX_AUDIO_FRAME_SAMPLES = 16_000 * 5;

function describeArgumentIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'args'}: ${i.message}`)
    .join('; ');
}

/**
 * Runs one request from outside the process: `method` must name a request of {@link ConsoleApi} and `args` must
 * match its schema, else `INVALID_ARGUMENTS` and the core is not called. Never throws.
 */
export async function dispatchConsoleCall(api: ConsoleApi, method: unknown, args: unknown): Promise<ConsoleResult<unknown>> {
  if (typeof method !== 'string' || !Object.hasOwn(consoleRequestSchemas, method)) {
    return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, `Unknown console method ${String(method).slice(0, 40)}.`);
  }
  const name = method as ConsoleRequestName;
  const parsed = consoleRequestSchemas[name].safeParse(Array.isArray(args) ? args : []);
  if (!parsed.success) {
    return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, `Bad arguments to ${name}: ${describeArgumentIssues(parsed.error.issues)}`);
  }
  try {
    // The schema of `name` yields exactly `Parameters<ConsoleApi[name]>` (checked in console-api.ts).
    const fn = api[name] as (...a: unknown[]) => Promise<ConsoleResult<unknown>>;
    return await fn.apply(api, parsed.data as unknown[]);
  } catch (err) {
    return fail(CONSOLE_ERROR_CODES.INTERNAL, `The console failed on ${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Hands every event of the core to `send(name, payload)`; returns the function that stops it. */
export function forwardConsoleEvents(api: Pick<ConsoleApi, 'on'>, send: (name: string, payload: unknown) => void): () => void {
  const offs = CONSOLE_EVENT_NAMES.map((name) => api.on(name, ((payload: unknown) => send(name, payload)) as never));
  return () => {
    for (const off of offs) off();
  };
}

/** An audio frame from outside the process, checked: a known source and 1..{@link MAX_AUDIO_FRAME_SAMPLES} samples. */
export function acceptAudioFrame(source: unknown, frame: unknown): { source: SttSourceKind; frame: Float32Array } | null {
  if (typeof source !== 'string' || !(STT_SOURCES as readonly string[]).includes(source)) return null;
  if (!(frame instanceof Float32Array) || frame.length === 0 || frame.length > MAX_AUDIO_FRAME_SAMPLES) return null;
  return { source: source as SttSourceKind, frame };
}
