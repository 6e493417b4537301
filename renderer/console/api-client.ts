/**
 * The console page's one way to the core: the Electron preload bridge when the page runs in the app, else the
 * same API over socket.io to the console server that served the page (browser-only console, tests).
 *
 * The console server always wants its access token. The link it prints carries it after `#` (a fragment never
 * reaches a server, a log or a Referer); the page moves it into this tab's sessionStorage, takes it out of the
 * address bar, and presents it in the socket handshake only. A reload keeps working; another tab needs the link.
 */
import { io } from 'socket.io-client';
import type { ConsoleApi, ConsoleError } from '../../electron/common/console-api';
import { createSocketConsoleApi } from '../../electron/common/console-api-socket';
import { consoleError } from '../../electron/common/console-api-result';

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
  /** Calls `fn` when the console server refuses this page (no token, a wrong one...): it will not retry by itself. */
  onAccessRefused(fn: (error: ConsoleError) => void): () => void;
}

/** sessionStorage key of the access token (one tab's). */
const TOKEN_KEY = 'tarjuman.console.token';

/** The access token: from the link's `#token=` (then kept for this tab and taken out of the address bar), else this tab's. */
export function consoleToken(location: Pick<Location, 'hash' | 'pathname' | 'search'>, storage: Pick<Storage, 'getItem' | 'setItem'>, history: Pick<History, 'replaceState'> | null): string | null {
  const fromLink = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromLink) {
    try {
      storage.setItem(TOKEN_KEY, fromLink);
    } catch {
      // Storage refused (private mode quota): the token still works for this page load.
    }
    history?.replaceState(null, '', `${location.pathname}${location.search}`);
    return fromLink;
  }
  try {
    return storage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** `window.tarjuman` when present (Electron preload), else a socket.io connection to the page's own origin. */
export function getConsoleApi(): ConsoleApiConnection {
  if (isConsoleApi(window.tarjuman)) {
    return { api: window.tarjuman, transport: 'bridge', onTransportChange: () => () => undefined, onAccessRefused: () => () => undefined };
  }
  const token = consoleToken(window.location, window.sessionStorage, window.history);
  const socket = io(window.location.origin, { transports: ['websocket'], reconnectionDelayMax: 5000, auth: { token: token ?? '' } });
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
    onAccessRefused(fn) {
      const refused = (err: Error & { data?: { code?: unknown; message?: unknown } }): void => {
        const { code, message } = err.data ?? {};
        if (typeof code === 'string' && code.startsWith('ACCESS_')) fn(consoleError({ code, message: typeof message === 'string' ? message : err.message }));
      };
      socket.on('connect_error', refused);
      return () => socket.off('connect_error', refused);
    },
  };
}
