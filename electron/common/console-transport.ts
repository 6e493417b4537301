/**
 * Channel names of the console API's transports (socket.io and Electron IPC) and the list of its events. Kept
 * apart from console-api.ts (which builds zod schemas) so the sandboxed preload bundle stays tiny.
 */
import type { ConsoleEventName } from './console-api';

/** socket.io / IPC channel names the transports use. */
export const CONSOLE_TRANSPORT = {
  /** Request: `(method, args[], ack(Result))` over socket.io; `ipcRenderer.invoke(call, method, args)` in Electron. */
  call: 'console:call',
  /** Event from the core: `(name, payload)`. */
  event: 'console:event',
  /** Audio over socket.io: `(source, ArrayBuffer of Float32 samples)`, no ack. */
  audio: 'console:audio',
  /** Electron: the preload hands main one MessagePort; audio then flows as `{ source, frame: Float32Array }` (transferred). */
  audioPort: 'console:audio-port',
} as const;

/** Every event name of `ConsoleEvents`, for transports that subscribe to all of them. */
export const CONSOLE_EVENT_NAMES: readonly ConsoleEventName[] = [
  'state:changed',
  'stt:caption',
  'stt:status',
  'hub:partial',
  'hub:changed',
  'hub:notice',
  'hub:status',
  'voice:pending',
  'handover:requested',
  'handover:completed',
  'console:error',
  'line:delivery',
  'rooms:changed',
];
