/**
 * The console's Electron hardening as plain data and pure checks, testable without the Electron binary: the
 * BrowserWindow options of the console and display windows and the URL checks the shell (app-shell.ts) applies
 * to navigation, new windows, permissions and IPC senders. Nothing here imports electron.
 */
import { pathToFileURL } from 'node:url';
import { resolve, sep } from 'node:path';

/** webPreferences every window of the app shares: Electron's security checklist, spelled out. */
const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const;

/**
 * BrowserWindow options of the booth console (the preload is the only bridge to the main process).
 * @param iconPath the app icon, `resources/icon-512.png` of the app
 */
export function consoleWindowOptions(preloadPath: string, iconPath?: string) {
  return {
    ...(iconPath ? { icon: iconPath } : {}),
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Tarjuman',
    show: false,
    backgroundColor: '#111418',
    autoHideMenuBar: true,
    webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: preloadPath },
  };
}

/** A rectangle of a monitor (Electron `Display.bounds`). */
export interface MonitorBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** BrowserWindow options of a room display: full screen on the chosen monitor, no preload, no Node. */
export function displayWindowOptions(bounds: MonitorBounds) {
  return {
    x: bounds.x,
    y: bounds.y,
    width: bounds.width,
    height: bounds.height,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    title: 'Tarjuman display',
    webPreferences: { ...HARDENED_WEB_PREFERENCES },
  };
}

/** Where the app's own page comes from: the built renderer folder, or the dev server in `npm run dev`. */
export interface AppOrigin {
  /** Absolute path of out/renderer. */
  rendererDir: string;
  /** `ELECTRON_RENDERER_URL` in development, else undefined. */
  devServerUrl?: string;
}

/**
 * Whether `url` is the console page itself (the only page whose IPC the main process answers, and the only
 * place the console window may be). file: URLs must lie inside the renderer folder; in development, the dev
 * server's exact origin.
 */
export function isAppUrl(url: string, origin: AppOrigin): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (origin.devServerUrl) {
    try {
      if (parsed.origin === new URL(origin.devServerUrl).origin) return true;
    } catch {
      // A malformed dev URL allows nothing.
    }
  }
  if (parsed.protocol !== 'file:') return false;
  const root = pathToFileURL(resolve(origin.rendererDir) + sep).href;
  const normalized = new URL(parsed.pathname, 'file://').href;
  return normalized.startsWith(root) && !decodeURIComponent(parsed.pathname).includes('..');
}

/** Whether a display window may be at `url`: the hub's own /display page (same origin as the hub). */
export function isDisplayUrl(url: string, hubBaseUrl: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.origin === new URL(hubBaseUrl).origin && parsed.pathname === '/display';
  } catch {
    return false;
  }
}

/** Permissions a page may get: the console captures audio; nothing else (no camera, geolocation, notifications...). */
export function permissionAllowed(permission: string, requestingUrl: string, origin: AppOrigin, mediaTypes: readonly string[] = []): boolean {
  if (!isAppUrl(requestingUrl, origin)) return false;
  if (permission === 'media') return mediaTypes.every((t) => t === 'audio');
  return false;
}

/** What `setWindowOpenHandler` answers: always deny (display windows are opened by the main process only). */
export const WINDOW_OPEN_POLICY = { action: 'deny' } as const;
