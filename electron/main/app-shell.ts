/**
 * The thin Electron layer around the console core: the console window, the IPC bridge (sender checked,
 * arguments parsed), audio over a MessagePort, the session hardening (CSP, permissions, navigation, new
 * windows), and display windows on chosen monitors. Every option and check comes from window-security.ts,
 * where a test reads it.
 */
import { BrowserWindow, ipcMain, screen, session, type IpcMainInvokeEvent, type MessagePortMain, type WebContents } from 'electron';
import { CONSOLE_TRANSPORT, type MonitorInfo, type OpenDisplay } from '../common/console-api';
import { acceptAudioFrame, dispatchConsoleCall, forwardConsoleEvents } from '../common/console-api-dispatch';
import { CONSOLE_ERROR_CODES, fail as consoleFail, type ConsoleResult } from '../common/console-api-result';
import { fail, ok, type Result } from '../common/result';
import type { ConsoleCore, DisplayWindowOpener } from '../console/console-core';
import {
  consoleWindowOptions,
  displayWindowOptions,
  isAppUrl,
  isDisplayUrl,
  permissionAllowed,
  WINDOW_OPEN_POLICY,
  type AppOrigin,
} from './window-security';
import { CONSOLE_CSP } from '../console/console-csp';

/**
 * Applies the app-wide guards: CSP header on the app's own responses (the dev server; file:// loads use the
 * page's meta tag), permissions (audio capture for the console only), and for every web contents: no
 * navigation away, no new windows, no webviews.
 */
export function hardenApp(app: Electron.App, origin: AppOrigin, hubBaseUrl: () => string | null): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, origin)) return callback({});
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONSOLE_CSP] } });
  });
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details && Array.isArray(details.mediaTypes) ? details.mediaTypes : [];
    callback(permissionAllowed(permission, details.requestingUrl, origin, mediaTypes));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    const mediaType = (details as { mediaType?: string }).mediaType;
    const url = (details as { requestingUrl?: string }).requestingUrl ?? requestingOrigin;
    return permissionAllowed(permission, url, origin, mediaType ? [mediaType] : []);
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => WINDOW_OPEN_POLICY);
    contents.on('will-navigate', (event, url) => {
      const hub = hubBaseUrl();
      if (isAppUrl(url, origin) || (hub !== null && isDisplayUrl(url, hub))) return;
      event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      const hub = hubBaseUrl();
      if (isAppUrl(url, origin) || (hub !== null && isDisplayUrl(url, hub))) return;
      event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** Opens the console window on the built page (or the dev server). */
export function createConsoleWindow(preloadPath: string, origin: AppOrigin, pageFile: string): BrowserWindow {
  const win = new BrowserWindow(consoleWindowOptions(preloadPath));
  win.once('ready-to-show', () => win.show());
  if (origin.devServerUrl) void win.loadURL(`${origin.devServerUrl.replace(/\/$/, '')}/index.html`);
  else void win.loadFile(pageFile);
  return win;
}

/** Whether an IPC message comes from the app's own page in one of the console windows. */
function fromConsole(event: { sender: WebContents; senderFrame: Electron.WebFrameMain | null }, origin: AppOrigin, consoles: () => readonly BrowserWindow[]): boolean {
  const frame = event.senderFrame;
  if (!frame || !isAppUrl(frame.url, origin)) return false;
  return consoles().some((w) => !w.isDestroyed() && w.webContents.id === event.sender.id);
}

/**
 * Serves the console API over IPC: `invoke(call, method, args)` with the sender checked and the arguments
 * parsed, events pushed to every console window, audio from the preload's MessagePort. Returns an unregister
 * function.
 */
export function registerConsoleIpc(core: ConsoleCore, origin: AppOrigin, consoles: () => readonly BrowserWindow[]): () => void {
  ipcMain.handle(CONSOLE_TRANSPORT.call, async (event: IpcMainInvokeEvent, method: unknown, args: unknown): Promise<ConsoleResult<unknown>> => {
    if (!fromConsole(event, origin, consoles)) return consoleFail('FORBIDDEN', 'Only the console page may call the console.');
    return dispatchConsoleCall(core, method, args);
  });

  const ports = new Set<MessagePortMain>();
  const onPort = (event: Electron.IpcMainEvent): void => {
    if (!fromConsole(event, origin, consoles)) return;
    const port = event.ports[0];
    if (!port) return;
    ports.add(port);
    port.on('message', (message) => {
      const data = message.data as { source?: unknown; frame?: unknown } | null;
      const audio = acceptAudioFrame(data?.source, data?.frame);
      if (audio) core.pushAudio(audio.source, audio.frame);
    });
    port.on('close', () => ports.delete(port));
    port.start();
  };
  ipcMain.on(CONSOLE_TRANSPORT.audioPort, onPort);

  const stopEvents = forwardConsoleEvents(core, (name, payload) => {
    for (const w of consoles()) if (!w.isDestroyed()) w.webContents.send(CONSOLE_TRANSPORT.event, name, payload);
  });
  return () => {
    ipcMain.removeHandler(CONSOLE_TRANSPORT.call);
    ipcMain.off(CONSOLE_TRANSPORT.audioPort, onPort);
    for (const p of ports) p.close();
    stopEvents();
  };
}

/** Display windows on chosen monitors, opened by the main process only. */
export function displayWindowOpener(hubBaseUrl: () => string | null): DisplayWindowOpener {
  const windows = new Set<BrowserWindow>();
  return {
    listMonitors(): MonitorInfo[] {
      const primary = screen.getPrimaryDisplay().id;
      return screen.getAllDisplays().map((d, i) => ({
        id: d.id,
        label: d.label || `Screen ${i + 1}`,
        width: d.size.width,
        height: d.size.height,
        primary: d.id === primary,
      }));
    },
    open(url: string, opts: OpenDisplay): Result<void> {
      const hub = hubBaseUrl();
      if (!hub || !isDisplayUrl(url, hub)) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub before opening a display.');
      const displays = screen.getAllDisplays();
      const primary = screen.getPrimaryDisplay();
      const target =
        (opts.monitor !== undefined ? displays.find((d) => d.id === opts.monitor) : undefined) ??
        displays.find((d) => d.id !== primary.id) ??
        primary;
      const win = new BrowserWindow(displayWindowOptions(target.bounds));
      win.setMenuBarVisibility(false);
      windows.add(win);
      win.on('closed', () => windows.delete(win));
      void win.loadURL(url);
      return ok(undefined);
    },
  };
}
