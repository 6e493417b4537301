/**
 * The console page's bridge to the main process: exactly the {@link ConsoleApi} functions on `window.tarjuman`,
 * nothing raw (no ipcRenderer, no process, no event objects). Requests go through `ipcRenderer.invoke` (the main
 * process checks the sender and parses the arguments); events arrive on one channel; audio frames go over a
 * MessagePort with their buffers transferred, not copied.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ConsoleApi, ConsoleRequestName, SttSourceKind } from '../common/console-api';
import { consoleApiOver, createConsoleEventRegistry } from '../common/console-api-calls';
import type { ConsoleResult } from '../common/console-api-result';
import { CONSOLE_TRANSPORT } from '../common/console-transport';

const events = createConsoleEventRegistry();
ipcRenderer.on(CONSOLE_TRANSPORT.event, (_event, name: unknown, payload: unknown) => events.dispatch(name, payload));

function call<T>(method: ConsoleRequestName, args: unknown[]): Promise<ConsoleResult<T>> {
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return ipcRenderer.invoke(CONSOLE_TRANSPORT.call, method, args) as Promise<ConsoleResult<T>>;
}

let audioPort: MessagePort | null = null;
function audioChannel(): MessagePort {
  if (!audioPort) {
    const channel = new MessageChannel();
    ipcRenderer.postMessage(CONSOLE_TRANSPORT.audioPort, null, [channel.port2]);
    audioPort = channel.port1;
  }
  return audioPort;
}

const api: ConsoleApi = consoleApiOver(call, events, (source: SttSourceKind, frame: Float32Array) => {
  if (!(frame instanceof Float32Array) || frame.length === 0) return;
  // The frame arrived through the context bridge as this world's own copy: hand its buffer over, no copy.
  const own = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : frame.slice();
  audioChannel().postMessage({ source, frame: own }, [own.buffer as ArrayBuffer]);
});

contextBridge.exposeInMainWorld('tarjuman', api);
