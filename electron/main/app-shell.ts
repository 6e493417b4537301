/**
 * The thin Electron layer around the console core: the console window, the IPC bridge (sender checked, then the
 * shared dispatcher), audio over a MessagePort, the session hardening (CSP, permissions, navigation, new
 * windows), and display windows on chosen monitors. Options and URL checks come from window-security.ts. Every
 * function takes the Electron objects it uses as parameters (shell-ports.ts), so app-shell.test.ts runs the real
 * guards against fakes, without the Electron binary.
 */
import { CONSOLE_TRANSPORT, type ConsoleApi, type MonitorInfo, type OpenDisplay } from '../common/console-api';
import { acceptAudioFrame, dispatchConsoleCall, forwardConsoleEvents } from '../common/console-api-dispatch';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { Result } from '../common/result';
import type { DisplayWindowOpener } from '../console/console-core';
import { CONSOLE_CSP } from '../console/console-csp';
import type { IpcSender, ShellApp, ShellIpcMain, ShellMessagePort, ShellScreen, ShellSession, ShellWindow, ShellWindowClass } from './shell-ports';
import {
  consoleWindowOptions,
  displayWindowOptions,
  isAppUrl,
  isDisplayUrl,
  permissionAllowed,
  WINDOW_OPEN_POLICY,
  type AppOrigin,
} from './window-security';

/**
 * Applies the app-wide guards: CSP header on the app's own responses (the dev server; file:// loads use the
 * page's meta tag), permissions (audio capture for the console only), and for every web contents: no
 * navigation away (except a display window to its hub's display page), no new windows, no webviews.
 */
export function hardenApp(app: ShellApp, ses: ShellSession, origin: AppOrigin, hubBaseUrl: () => string | null): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!isAppUrl(details.url, origin)) return callback({});
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONSOLE_CSP] } });
  });
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionAllowed(permission, details.requestingUrl, origin, Array.isArray(details.mediaTypes) ? details.mediaTypes : []));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    return permissionAllowed(permission, details.requestingUrl ?? requestingOrigin, origin, details.mediaType ? [details.mediaType] : []);
  });
  const mayGo = (url: string): boolean => {
    const hub = hubBaseUrl();
    return isAppUrl(url, origin) || (hub !== null && isDisplayUrl(url, hub));
  };
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => WINDOW_OPEN_POLICY);
    contents.on('will-navigate', (event, url) => {
      if (!mayGo(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!mayGo(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** Opens the console window on the built page (or the dev server). */
export function createConsoleWindow<W extends ShellWindow>(
  Window: ShellWindowClass<W, ReturnType<typeof consoleWindowOptions>>,
  preloadPath: string,
  origin: AppOrigin,
  pageFile: string,
): W {
  const win = new Window(consoleWindowOptions(preloadPath));
  win.once('ready-to-show', () => win.show());
  if (origin.devServerUrl) void win.loadURL(`${origin.devServerUrl.replace(/\/$/, '')}/index.html`);
  else void win.loadFile(pageFile);
  return win;
}

/** Whether an IPC message comes from the app's own page in one of the console windows. */
function fromConsole(event: IpcSender, origin: AppOrigin, consoles: () => readonly ShellWindow[]): boolean {
  const frame = event.senderFrame;
  if (!frame || !isAppUrl(frame.url, origin)) return false;
  return consoles().some((w) => !w.isDestroyed() && w.webContents.id === event.sender.id);
}

/**
 * Serves the console API over IPC: `invoke(call, method, args)` from a console window's own page goes to the
 * shared dispatcher (anything else is `FORBIDDEN`), events go to every console window, audio comes from the
 * preload's MessagePort. Returns an unregister function.
 */
export function registerConsoleIpc(ipcMain: ShellIpcMain, core: ConsoleApi, origin: AppOrigin, consoles: () => readonly ShellWindow[]): () => void {
  ipcMain.handle(CONSOLE_TRANSPORT.call, async (event, method, args): Promise<ConsoleResult<unknown>> => {
    if (!fromConsole(event, origin, consoles)) return fail('FORBIDDEN', 'Only the console page may call the console.');
    return dispatchConsoleCall(core, method, args);
  });

  const ports = new Set<ShellMessagePort>();
  const onPort = (event: IpcSender & { ports: ShellMessagePort[] }): void => {
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

/** Display windows on chosen monitors, opened by the main process only, and only on the hub's display page. */
export function displayWindowOpener<W extends ShellWindow>(
  Window: ShellWindowClass<W, ReturnType<typeof displayWindowOptions>>,
  screen: ShellScreen,
  hubBaseUrl: () => string | null,
): DisplayWindowOpener {
  const windows = new Set<W>();
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
      const win = new Window(displayWindowOptions(target.bounds));
      win.setMenuBarVisibility(false);
      windows.add(win);
      win.on('closed', () => windows.delete(win));
      void win.loadURL(url);
      return ok(undefined);
    },
  };
}
