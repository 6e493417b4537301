/**
 * The Electron shell's guards and bridge, run for real against narrow fakes of app, session, ipcMain,
 * BrowserWindow and screen (the shell takes them as parameters): what a page may load, navigate to and be
 * permitted, who may call the console over IPC, and which windows get which options.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONSOLE_REQUEST_NAMES, CONSOLE_TRANSPORT, type HubStatus } from '../common/console-api';
import { recordingConsoleApi } from '../common/console-api-test-support';
import { CONSOLE_CSP } from '../console/console-csp';
import { createConsoleWindow, displayWindowOpener, hardenApp, registerConsoleIpc } from './app-shell';
import type { IpcSender, PreventableEvent, ResponseHeaders, ShellDisplay, ShellMessagePort, ShellWebContents } from './shell-ports';
import { consoleWindowOptions, displayWindowOptions } from './window-security';

const rendererDir = resolve(import.meta.dirname, '..', '..', 'out', 'renderer');
const origin = { rendererDir };
const appPage = pathToFileURL(join(rendererDir, 'index.html')).href;
const HUB = 'http://127.0.0.1:7300';

/** Everything hardenApp registered, callable as Electron would. */
function hardened(hub: string | null = HUB) {
  let headers!: (d: { url: string; responseHeaders?: ResponseHeaders }, cb: (r: { responseHeaders?: ResponseHeaders }) => void) => void;
  let request!: (c: unknown, p: string, cb: (granted: boolean) => void, d: { requestingUrl: string; mediaTypes?: string[] }) => void;
  let check!: (c: unknown, p: string, o: string, d: { requestingUrl?: string; mediaType?: string }) => boolean;
  let created!: (event: unknown, contents: ShellWebContents) => void;
  hardenApp(
    { on: (_e, fn) => (created = fn) },
    {
      webRequest: { onHeadersReceived: (fn) => (headers = fn) },
      setPermissionRequestHandler: (fn) => (request = fn),
      setPermissionCheckHandler: (fn) => (check = fn),
    },
    origin,
    () => hub,
  );
  return {
    headersFor(url: string): ResponseHeaders | undefined {
      let out: ResponseHeaders | undefined;
      headers({ url, responseHeaders: { 'X-Kept': ['1'] } }, (r) => (out = r.responseHeaders));
      return out;
    },
    requested(permission: string, url: string, mediaTypes?: string[]): boolean {
      let granted: boolean | undefined;
      request(null, permission, (g) => (granted = g), { requestingUrl: url, ...(mediaTypes ? { mediaTypes } : {}) });
      return granted!;
    },
    checked: (permission: string, originUrl: string, details: { requestingUrl?: string; mediaType?: string } = {}) => check(null, permission, originUrl, details),
    /** A new web contents as the app would announce it. */
    contents() {
      const listeners = new Map<string, (event: PreventableEvent, url: string) => void>();
      let openHandler: (() => { action: 'deny' }) | null = null;
      created(null, { setWindowOpenHandler: (h) => (openHandler = h), on: (e, fn) => listeners.set(e, fn) });
      return {
        openPolicy: () => openHandler?.(),
        /** Whether the guard cancelled `event` to `url`. */
        prevented(event: string, url = ''): boolean {
          let prevented = false;
          listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
          return prevented;
        },
      };
    },
  };
}

describe('session guards', () => {
  it('sends the console CSP with the app\'s own responses only', () => {
    const h = hardened();
    expect(h.headersFor(appPage)).toEqual({ 'X-Kept': ['1'], 'Content-Security-Policy': [CONSOLE_CSP] });
    expect(h.headersFor('http://127.0.0.1:7300/display?room=main')).toBeUndefined();
    expect(h.headersFor('https://example.com/')).toBeUndefined();
  });

  it('permits audio capture to the app\'s page and nothing else to anyone', () => {
    const h = hardened();
    expect(h.requested('media', appPage, ['audio'])).toBe(true);
    expect(h.requested('media', appPage, ['audio', 'video'])).toBe(false);
    expect(h.requested('media', 'https://example.com/', ['audio'])).toBe(false);
    expect(h.requested('geolocation', appPage)).toBe(false);
    expect(h.requested('notifications', appPage)).toBe(false);
    expect(h.checked('media', 'file://', { requestingUrl: appPage, mediaType: 'audio' })).toBe(true);
    expect(h.checked('media', 'file://', { requestingUrl: appPage, mediaType: 'video' })).toBe(false);
    expect(h.checked('media', 'https://example.com')).toBe(false);
    expect(h.checked('clipboard-read', 'file://', { requestingUrl: appPage })).toBe(false);
  });

  it('every web contents: no new windows, no navigation away, no webviews; a display may go to the hub\'s display page', () => {
    const c = hardened().contents();
    expect(c.openPolicy()).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect']) {
      expect(c.prevented(event, 'https://evil.example/')).toBe(true);
      expect(c.prevented(event, `${HUB}/export/main/en.txt`)).toBe(true);
      expect(c.prevented(event, 'http://127.0.0.1:7301/display')).toBe(true);
      expect(c.prevented(event, `${HUB}/display?room=main&channels=en`)).toBe(false);
      expect(c.prevented(event, appPage)).toBe(false);
    }
    expect(c.prevented('will-attach-webview')).toBe(true);
    expect(hardened(null).contents().prevented('will-navigate', `${HUB}/display?room=main`)).toBe(true);
  });
});

/** A window as the shell sees it, recording what it was asked. */
class FakeWindow {
  static made: FakeWindow[] = [];
  readonly loaded: string[] = [];
  destroyed = false;
  shown = false;
  readonly sent: unknown[][] = [];
  readonly webContents: { id: number; send: (channel: string, ...args: unknown[]) => void };
  private readyToShow: (() => void) | null = null;
  constructor(readonly options: unknown, id = FakeWindow.made.length + 1) {
    FakeWindow.made.push(this);
    this.webContents = { id, send: (...args) => this.sent.push(args) };
  }
  isDestroyed = () => this.destroyed;
  once = (_e: 'ready-to-show', fn: () => void) => (this.readyToShow = fn);
  on = () => this;
  show = () => (this.shown = true);
  setMenuBarVisibility = () => undefined;
  loadURL = async (url: string) => void this.loaded.push(url);
  loadFile = async (file: string) => void this.loaded.push(file);
  fireReady = () => this.readyToShow?.();
}

describe('windows', () => {
  it('the console window gets the hardened options with its preload and loads the built page (or the dev server)', () => {
    const win = createConsoleWindow(FakeWindow, '/app/out/preload/index.cjs', origin, join(rendererDir, 'index.html'));
    expect(win.options).toEqual(consoleWindowOptions('/app/out/preload/index.cjs'));
    expect(win.options).toMatchObject({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } });
    expect(win.loaded).toEqual([join(rendererDir, 'index.html')]);
    expect(win.shown).toBe(false);
    win.fireReady();
    expect(win.shown).toBe(true);
    const dev = createConsoleWindow(FakeWindow, '/p.cjs', { rendererDir, devServerUrl: 'http://localhost:5173/' }, 'unused');
    expect(dev.loaded).toEqual(['http://localhost:5173/index.html']);
  });

  it('display windows open full screen on the chosen (else a secondary) monitor, only on the hub\'s display page', () => {
    const displays: ShellDisplay[] = [
      { id: 1, label: 'Built-in', size: { width: 1440, height: 900 }, bounds: { x: 0, y: 0, width: 1440, height: 900 } },
      { id: 2, label: '', size: { width: 1920, height: 1080 }, bounds: { x: 1440, y: 0, width: 1920, height: 1080 } },
      { id: 3, label: 'Projector', size: { width: 1280, height: 720 }, bounds: { x: 3360, y: 0, width: 1280, height: 720 } },
    ];
    let hub: string | null = null;
    const opener = displayWindowOpener(FakeWindow, { getPrimaryDisplay: () => displays[0]!, getAllDisplays: () => displays }, () => hub);
    expect(opener.listMonitors()).toEqual([
      { id: 1, label: 'Built-in', width: 1440, height: 900, primary: true },
      { id: 2, label: 'Screen 2', width: 1920, height: 1080, primary: false },
      { id: 3, label: 'Projector', width: 1280, height: 720, primary: false },
    ]);
    const display = `${HUB}/display?room=main&channels=en`;
    const before = FakeWindow.made.length;
    expect(opener.open(display, { channels: ['en'] })).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
    hub = HUB;
    expect(opener.open('https://evil.example/display', { channels: ['en'] }).ok).toBe(false);
    expect(opener.open(`${HUB}/export/main/en.srt`, { channels: ['en'] }).ok).toBe(false);
    expect(FakeWindow.made.length).toBe(before);
    expect(opener.open(display, { channels: ['en'] }).ok).toBe(true);
    const secondary = FakeWindow.made.at(-1)!;
    expect(secondary.options).toEqual(displayWindowOptions(displays[1]!.bounds));
    expect(secondary.options).not.toHaveProperty('webPreferences.preload');
    expect(secondary.loaded).toEqual([display]);
    expect(opener.open(display, { channels: ['en'], monitor: 3 }).ok).toBe(true);
    expect(FakeWindow.made.at(-1)!.options).toMatchObject({ x: 3360, width: 1280, fullscreen: true });
  });
});

describe('console IPC', () => {
  function setup() {
    const { api: core, calls, audio, events } = recordingConsoleApi();
    let handler!: (event: IpcSender, ...args: unknown[]) => unknown;
    const portListeners = new Set<(event: IpcSender & { ports: ShellMessagePort[] }) => void>();
    const removed: string[] = [];
    const consoleWin = new FakeWindow({}, 11);
    const closedWin = new FakeWindow({}, 12);
    closedWin.destroyed = true;
    const unregister = registerConsoleIpc(
      {
        handle: (channel, fn) => {
          expect(channel).toBe(CONSOLE_TRANSPORT.call);
          handler = fn;
        },
        removeHandler: (channel) => removed.push(channel),
        on: (channel, fn) => {
          expect(channel).toBe(CONSOLE_TRANSPORT.audioPort);
          portListeners.add(fn);
        },
        off: (_channel, fn) => portListeners.delete(fn),
      },
      core,
      origin,
      () => [consoleWin, closedWin],
    );
    const invoke = (sender: number, url: string | null, method: unknown, args: unknown) =>
      handler({ sender: { id: sender }, senderFrame: url === null ? null : { url } }, method, args) as Promise<unknown>;
    /** Hands a port over as the preload does; returns what the port saw. */
    const handPort = (sender: number, url: string) => {
      const port = { started: false, closed: false, onMessage: null as ((m: { data: unknown }) => void) | null };
      const shellPort: ShellMessagePort = {
        on: ((event: string, fn: (m: { data: unknown }) => void) => {
          if (event === 'message') port.onMessage = fn;
        }) as ShellMessagePort['on'],
        start: () => (port.started = true),
        close: () => (port.closed = true),
      };
      for (const l of portListeners) l({ sender: { id: sender }, senderFrame: { url }, ports: [shellPort] });
      return port;
    };
    return { calls, audio, events, consoleWin, closedWin, invoke, handPort, unregister, removed, portListeners };
  }

  it('answers only the console window\'s own page, with parsed arguments, through the one dispatcher', async () => {
    const s = setup();
    expect(await s.invoke(11, appPage, 'showNotice', ['Please sit', 60_000])).toEqual({ ok: true, value: undefined });
    expect(s.calls).toEqual([{ method: 'showNotice', args: ['Please sit', 60_000] }]);
    for (const [sender, url] of [
      [11, 'https://evil.example/'],
      [11, null],
      [12, appPage],
      [99, appPage],
    ] as const) {
      expect(await s.invoke(sender, url, 'getState', [])).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await s.invoke(11, appPage, 'publish', [{ channel: 'en', text: 1 }])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(await s.invoke(11, appPage, 'constructor', [])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(s.calls).toHaveLength(1);
    for (const name of CONSOLE_REQUEST_NAMES.filter((n) => n === 'getState' || n === 'listModels')) {
      expect(await s.invoke(11, appPage, name, [])).toEqual({ ok: true, value: undefined });
    }
  });

  it('pushes events to live console windows, takes audio through the console page\'s port, and unregisters', () => {
    const s = setup();
    const status = { state: 'connected' } as HubStatus;
    s.events.dispatch('hub:status', status);
    expect(s.consoleWin.sent).toEqual([[CONSOLE_TRANSPORT.event, 'hub:status', status]]);
    expect(s.closedWin.sent).toEqual([]);

    const foreign = s.handPort(11, 'https://evil.example/');
    expect(foreign.started).toBe(false);
    const port = s.handPort(11, appPage);
    expect(port.started).toBe(true);
    port.onMessage!({ data: { source: 'floor', frame: new Float32Array(1600) } });
    port.onMessage!({ data: { source: 'mic', frame: new Float32Array(1600) } });
    port.onMessage!({ data: { source: 'voice', frame: [0.1, 0.2] } });
    port.onMessage!({ data: null });
    expect(s.audio).toEqual([{ source: 'floor', samples: 1600 }]);

    s.unregister();
    expect(s.removed).toEqual([CONSOLE_TRANSPORT.call]);
    expect(s.portListeners.size).toBe(0);
    expect(port.closed).toBe(true);
    s.events.dispatch('hub:status', status);
    expect(s.consoleWin.sent).toHaveLength(1);
  });
});
