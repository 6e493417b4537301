/**
 * The console page's bridge to the main process: exactly the {@link ConsoleApi} functions on `window.tarjuman`,
 * nothing raw (no ipcRenderer, no process, no event objects). Requests go through `ipcRenderer.invoke` (the main
 * process checks the sender and parses the arguments); events arrive on one channel; audio frames go over a
 * MessagePort with their buffers transferred, not copied. Takes `contextBridge` and `ipcRenderer` as parameters
 * (index.ts passes Electron's), so console-bridge.test.ts checks what the page gets with fakes.
 */
import type { ConsoleApi, ConsoleRequestName, SttSourceKind } from '../common/console-api';
import { consoleApiOver, createConsoleEventRegistry } from '../common/console-api-calls';
import type { ConsoleResult } from '../common/console-api-result';
import { CONSOLE_TRANSPORT } from '../common/console-transport';

/** The part of `contextBridge` the bridge uses. */
export interface BridgeContext {
  exposeInMainWorld(key: string, api: unknown): void;
}

/** The part of `ipcRenderer` the bridge uses. */
export interface BridgeIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  postMessage(channel: string, message: unknown, transfer?: MessagePort[]): void;
}

/** Name of the API on the page's `window`. */
export const BRIDGE_KEY = 'tarjuman';

/** Builds the console API over IPC and exposes it (and only it) to the page as `window.tarjuman`. */
export function exposeConsoleApi(contextBridge: BridgeContext, ipcRenderer: BridgeIpc): void {
  const events = createConsoleEventRegistry();
  ipcRenderer.on(CONSOLE_TRANSPORT.event, (_event, name, payload) => events.dispatch(name, payload));

  const call = <T>(method: ConsoleRequestName, args: unknown[]): Promise<ConsoleResult<T>> => {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return ipcRenderer.invoke(CONSOLE_TRANSPORT.call, method, args) as Promise<ConsoleResult<T>>;
  };

  let audioPort: MessagePort | null = null;
  const audioChannel = (): MessagePort => {
    if (!audioPort) {
      const channel = new MessageChannel();
      ipcRenderer.postMessage(CONSOLE_TRANSPORT.audioPort, null, [channel.port2]);
      audioPort = channel.port1;
    }
    return audioPort;
  };

  const api: ConsoleApi = consoleApiOver(call, events, (source: SttSourceKind, frame: Float32Array) => {
    if (!(frame instanceof Float32Array) || frame.length === 0) return;
    // The frame arrived through the context bridge as this world's own copy: hand its buffer over, no copy.
    const own = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : frame.slice();
    audioChannel().postMessage({ source, frame: own }, [own.buffer as ArrayBuffer]);
  });

  contextBridge.exposeInMainWorld(BRIDGE_KEY, api);
}
