/** The preload of the console window: the console API bridge (console-bridge.ts) over Electron's own objects. */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeConsoleApi } from './console-bridge';

exposeConsoleApi(contextBridge, ipcRenderer);
