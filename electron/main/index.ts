import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';

/** Opens the booth console window. Everything it shows comes from the renderer over the preload bridge. */
function createConsoleWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Tarjuman',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (devUrl) void win.loadURL(`${devUrl}/index.html`);
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return win;
}

void app.whenReady().then(() => {
  createConsoleWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createConsoleWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
