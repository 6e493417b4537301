import { contextBridge } from 'electron';

/** The narrow API the console page sees. Filled in by the console's typed bridge. */
contextBridge.exposeInMainWorld('tarjuman', { version: '0.1.0' });
