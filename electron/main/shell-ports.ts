/**
 * The parts of Electron's objects the shell uses (app, session, ipcMain, BrowserWindow, screen), as narrow
 * interfaces. The shell functions take these as parameters: electron/main/index.ts passes Electron's own objects
 * (the compiler checks they fit), the tests pass small fakes, so every guard runs in plain Node.
 */

/** An event whose default a handler can cancel (navigation, webview attach). */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of a WebContents the app-wide guards touch. */
export interface ShellWebContents {
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
  on(event: string, listener: (event: PreventableEvent, url: string) => void): unknown;
}

/** The part of `app` the guards use. */
export interface ShellApp {
  on(event: 'web-contents-created', listener: (event: unknown, contents: ShellWebContents) => void): unknown;
}

/** Response headers as Electron's webRequest hands them over. */
export type ResponseHeaders = Record<string, string | string[]>;

/** The part of a Session the guards use. */
export interface ShellSession {
  webRequest: {
    onHeadersReceived(
      listener: (details: { url: string; responseHeaders?: ResponseHeaders }, callback: (response: { responseHeaders?: ResponseHeaders }) => void) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string; mediaTypes?: string[] }) => void,
  ): void;
  setPermissionCheckHandler(
    handler: (contents: unknown, permission: string, requestingOrigin: string, details: { requestingUrl?: string; mediaType?: string }) => boolean,
  ): void;
}

/** Who sent an IPC message: the web contents and the frame the message came from. */
export interface IpcSender {
  sender: { readonly id: number };
  senderFrame: { readonly url: string } | null;
}

/** The main-process end of a MessageChannel the page handed over. */
export interface ShellMessagePort {
  on(event: 'message', listener: (message: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** The part of `ipcMain` the console bridge uses. */
export interface ShellIpcMain {
  handle(channel: string, listener: (event: IpcSender, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcSender & { ports: ShellMessagePort[] }) => void): unknown;
  off(channel: string, listener: (event: IpcSender & { ports: ShellMessagePort[] }) => void): unknown;
}

/** The part of a BrowserWindow the shell uses. */
export interface ShellWindow {
  readonly webContents: { readonly id: number; send(channel: string, ...args: unknown[]): void };
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  show(): void;
  setMenuBarVisibility(visible: boolean): void;
  loadURL(url: string): Promise<void>;
  loadFile(path: string): Promise<void>;
}

/** `BrowserWindow` itself: windows are made with `new`. */
export type ShellWindowClass<W extends ShellWindow, O> = new (options: O) => W;

/** A monitor as `screen` describes it. */
export interface ShellDisplay {
  id: number;
  label: string;
  size: { width: number; height: number };
  bounds: { x: number; y: number; width: number; height: number };
}

/** The part of `screen` the display windows use. */
export interface ShellScreen {
  getPrimaryDisplay(): ShellDisplay;
  getAllDisplays(): ShellDisplay[];
}
