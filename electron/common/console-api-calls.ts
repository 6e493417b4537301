/**
 * The one place that maps {@link ConsoleApi} methods onto a transport's request function and event registry.
 * Both transports use it: the preload bridge (ipcRenderer.invoke) and the socket client (console-api-socket.ts);
 * each supplies how a request travels and how audio frames go out.
 */
import type { ConsoleApi, ConsoleEventName, ConsoleEvents, ConsoleRequestName } from './console-api';
import type { ConsoleResult } from './console-api-result';
import { CONSOLE_EVENT_NAMES } from './console-transport';

/** Sends one request and resolves with its result. */
export type ConsoleCall = <T>(method: ConsoleRequestName, args: unknown[]) => Promise<ConsoleResult<T>>;

/** Event listeners by name, with the dispatch a transport calls when an event arrives. */
export interface ConsoleEventRegistry {
  on: ConsoleApi['on'];
  /** Hands an incoming event to its listeners; unknown names are ignored. */
  dispatch(name: unknown, payload: unknown): void;
}

/** Creates an event registry: `on` accepts only known event names and function listeners. */
export function createConsoleEventRegistry(): ConsoleEventRegistry {
  const handlers = new Map<ConsoleEventName, Set<(payload: unknown) => void>>();
  const known = (name: unknown): name is ConsoleEventName =>
    typeof name === 'string' && (CONSOLE_EVENT_NAMES as readonly string[]).includes(name);
  return {
    on<E extends ConsoleEventName>(event: E, fn: ConsoleEvents[E]): () => void {
      if (!known(event) || typeof fn !== 'function') return () => undefined;
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      const listener = fn as unknown as (payload: unknown) => void;
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    dispatch(name, payload) {
      if (!known(name)) return;
      for (const fn of [...(handlers.get(name) ?? [])]) fn(payload);
    },
  };
}

/** Builds a ConsoleApi whose requests go through `call`, events through `events`, audio through `pushAudio`. */
export function consoleApiOver(call: ConsoleCall, events: ConsoleEventRegistry, pushAudio: ConsoleApi['pushAudio']): ConsoleApi {
  return {
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
    releaseHeld: (req) => call('releaseHeld', [req]),
    discardHeld: (req) => call('discardHeld', [req]),
    startSource: (source, opts) => call('startSource', [source, opts]),
    stopSource: (source) => call('stopSource', [source]),
    pushAudio,
    sendVoiceNow: (id) => call('sendVoiceNow', [id]),
    cancelVoice: (id) => call('cancelVoice', [id]),
    importGlossary: (csvText) => call('importGlossary', [csvText]),
    requestHandover: () => call('requestHandover', []),
    offerHandover: () => call('offerHandover', []),
    cancelHandover: () => call('cancelHandover', []),
    respondHandover: (accept) => call('respondHandover', [accept]),
    exportSession: (channel, format) => call('exportSession', [channel, format]),
    listMonitors: () => call('listMonitors', []),
    openDisplayWindow: (opts) => call('openDisplayWindow', [opts]),
    startNewSession: () => call('startNewSession', []),
    getJoinDetails: () => call('getJoinDetails', []),
    listModels: () => call('listModels', []),
    importModel: (path) => call('importModel', [path]),
    listOutputs: () => call('listOutputs', []),
    setOutputEnabled: (id, enabled) => call('setOutputEnabled', [id, enabled]),
    switchRoom: (room) => call('switchRoom', [room]),
    on: events.on,
  };
}
