/**
 * Electron main: wires the console core (electron/console, plain Node), the console window, IPC, and the
 * speech-to-text workers as utility processes. Everything it does beyond wiring lives in the core.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, screen, session } from 'electron';
import { ConsoleCore, stderrCoreLogger } from '../console/console-core';
import { modelResolver } from '../console/model-resolver';
import { supervisorSttFactory } from '../console/stt-supervisor-source';
import type { AppOrigin } from './window-security';
import { createConsoleWindow, displayWindowOpener, hardenApp, registerConsoleIpc } from './app-shell';
import { utilityWorkerSpawner } from './utility-worker';

const rendererDir = join(import.meta.dirname, '../renderer');
const origin: AppOrigin = {
  rendererDir,
  ...(!app.isPackaged && process.env['ELECTRON_RENDERER_URL'] ? { devServerUrl: process.env['ELECTRON_RENDERER_URL'] } : {}),
};
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
const consoleWindows: BrowserWindow[] = [];
let core: ConsoleCore | null = null;

function openConsole(): void {
  const win = createConsoleWindow(BrowserWindow, preloadPath, origin, join(rendererDir, 'index.html'));
  consoleWindows.push(win);
  win.on('closed', () => consoleWindows.splice(consoleWindows.indexOf(win), 1));
}

async function start(): Promise<void> {
  const userData = app.getPath('userData');
  // Imported models go to the first (the app's own folder is read-only once packaged).
  const modelDirs = [join(userData, 'models'), join(app.getAppPath(), 'models'), join(app.getAppPath(), 'models', 'generated')];
  let hubUrl: () => string | null = () => null;
  hardenApp(app, session.defaultSession, origin, () => hubUrl());
  core = await ConsoleCore.create({
    dataDir: userData,
    shell: 'electron',
    hubStaticDir: rendererDir,
    logger: stderrCoreLogger,
    sttFactory: supervisorSttFactory({ spawnWorker: utilityWorkerSpawner(join(import.meta.dirname, 'stt-worker.js')) }),
    resolveModel: modelResolver(modelDirs),
    modelDirs,
    displays: displayWindowOpener(BrowserWindow, screen, () => hubUrl()),
  });
  const running = core;
  hubUrl = () => running.hostedHubUrl ?? (running.currentHubUrl || null);
  registerConsoleIpc(ipcMain, running, origin, () => consoleWindows);
  openConsole();
}

const single = app.requestSingleInstanceLock();
if (!single) app.quit();
else {
  app.on('second-instance', () => {
    const win = consoleWindows[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  void app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      // e.g. another console (npm run console) uses this data folder: say so instead of an unhandled rejection.
      dialog.showErrorBox('Tarjuman did not start', err instanceof Error ? err.message : String(err));
      app.quit();
    });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && core) openConsole();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    void core.close().finally(() => app.quit());
  });
}
