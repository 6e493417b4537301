/**
 * The console page's bridge to the main process: exactly the {@link ConsoleApi} functions on `window.tarjuman`,
 * nothing raw (no ipcRenderer, no process, no event objects). Requests go through `ipcRenderer.invoke` (the main
 * process checks the sender and parses the arguments); events arrive on one channel; audio frames go over a
 * MessagePort with their buffers transferred, not copied.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { ConsoleApi, ConsoleEventName, ConsoleEvents, ConsoleRequestName, SttSourceKind } from '../common/console-api';
import type { Result } from '../common/result';
import { CONSOLE_EVENT_NAMES, CONSOLE_TRANSPORT } from '../common/console-transport';

const handlers = new Map<ConsoleEventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(CONSOLE_TRANSPORT.event, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string' || !(CONSOLE_EVENT_NAMES as readonly string[]).includes(name)) return;
  for (const fn of [...(handlers.get(name as ConsoleEventName) ?? [])]) fn(payload);
});

function call<T>(method: ConsoleRequestName, args: unknown[]): Promise<Result<T>> {
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return ipcRenderer.invoke(CONSOLE_TRANSPORT.call, method, args) as Promise<Result<T>>;
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

const api: ConsoleApi = {
  getState: () => call('getState', []),
  updateSettings: (patch) => call('updateSettings', [patch]),
  connectHub: () => call('connectHub', []),
  disconnectHub: () => call('disconnectHub', []),
  getRoomView: () => call('getRoomView', []),
  publish: (line) => call('publish', [line]),
  revise: (req) => call('revise', [req]),
  clearChannel: (channel) => call('clearChannel', [channel]),
  clearAllChannels: () => call('clearAllChannels', []),
  showNotice: (text, ttlMs) => call('showNotice', [text, ttlMs]),
  setAutoRouting: (on) => call('setAutoRouting', [on]),
  setChannelMuted: (channel, muted) => call('setChannelMuted', [channel, muted]),
  startSource: (source, opts) => call('startSource', [source, opts]),
  stopSource: (source) => call('stopSource', [source]),
  pushAudio: (source: SttSourceKind, frame: Float32Array) => {
    if (!(frame instanceof Float32Array) || frame.length === 0) return;
    // The frame arrived through the context bridge as this world's own copy: hand its buffer over, no copy.
    const own = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : frame.slice();
    audioChannel().postMessage({ source, frame: own }, [own.buffer as ArrayBuffer]);
  },
  sendVoiceNow: (id) => call('sendVoiceNow', [id]),
  cancelVoice: (id) => call('cancelVoice', [id]),
  importGlossary: (csvText) => call('importGlossary', [csvText]),
  requestHandover: () => call('requestHandover', []),
  respondHandover: (accept) => call('respondHandover', [accept]),
  exportSession: (channel, format) => call('exportSession', [channel, format]),
  listMonitors: () => call('listMonitors', []),
  openDisplayWindow: (opts) => call('openDisplayWindow', [opts]),
  startNewSession: () => call('startNewSession', []),
  on<E extends ConsoleEventName>(event: E, fn: ConsoleEvents[E]): () => void {
    if (!(CONSOLE_EVENT_NAMES as readonly string[]).includes(event) || typeof fn !== 'function') return () => undefined;
    let set = handlers.get(event);
    if (!set) handlers.set(event, (set = new Set()));
    const listener = fn as unknown as (payload: unknown) => void;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('tarjuman', api);
