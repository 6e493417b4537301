/**
 * The console page's one way to the core: the Electron preload bridge when the page runs in the app, else the
 * same API over socket.io to the console server that served the page (browser-only console, tests).
 */
import { io } from 'socket.io-client';
import type { ConsoleApi } from '../../electron/common/console-api';
import { createSocketConsoleApi } from '../../electron/common/console-api-socket';

declare global {
  interface Window {
    /** Set by the preload bridge in Electron (or by a test page). */
    tarjuman?: ConsoleApi;
  }
}

/** Has the preload (or a test) installed a full API on `window.tarjuman`? */
function isConsoleApi(value: unknown): value is ConsoleApi {
  return typeof value === 'object' && value !== null && typeof (value as ConsoleApi).getState === 'function' && typeof (value as ConsoleApi).on === 'function';
}

/** Where the page can reach its API, and whether the socket is up (browser console only). */
export interface ConsoleApiConnection {
  api: ConsoleApi;
  transport: 'bridge' | 'socket';
  /** Calls `fn` when the socket to the console server goes up or down (the bridge is always up). */
  onTransportChange(fn: (connected: boolean) => void): () => void;
}

/** `window.tarjuman` when present (Electron preload), else a socket.io connection to the page's own origin. */
export function getConsoleApi(): ConsoleApiConnection {
  if (isConsoleApi(window.tarjuman)) {
    return { api: window.tarjuman, transport: 'bridge', onTransportChange: () => () => undefined };
  }
  // A console server that listens beyond loopback wants its access token (`?token=` on the page URL).
  const token = new URLSearchParams(window.location.search).get('token');
  const socket = io(window.location.origin, { transports: ['websocket'], reconnectionDelayMax: 5000, ...(token ? { auth: { token } } : {}) });
  return {
    api: createSocketConsoleApi(socket),
    transport: 'socket',
    onTransportChange(fn) {
      const up = (): void => fn(true);
      const down = (): void => fn(false);
      socket.on('connect', up);
      socket.on('disconnect', down);
      return () => {
        socket.off('connect', up);
        socket.off('disconnect', down);
      };
    },
  };
}
