/**
 * Entry of the room display page (`/display?room=...&channels=...`, served by the hub): reads the URL, ships the
 * caption fonts, connects to the hub at the page's own origin and mounts the page.
 */
import { mount } from 'svelte';
import { io } from 'socket.io-client';
import type { HubClientEvents, HubServerEvents } from '../../electron/common/protocol';
import type { Socket } from 'socket.io-client';
import DisplayApp from './DisplayApp.svelte';
import { registerCaptionFonts } from './caption-fonts';
import { parseDisplayParams } from './display-params';
import { DisplayState } from './display-state.svelte';

void registerCaptionFonts();

const target = document.getElementById('app');
if (!target) throw new Error('display.html has no #app element');

const parsed = parseDisplayParams(window.location.search);
if (!parsed.ok) {
  mount(DisplayApp, { target, props: { urlError: parsed.error } });
} else {
  const params = parsed.value;
  document.title = `Tarjuman · ${params.room} · ${params.channels.join(', ')}`;
  // WebSocket first; long-polling when a venue network blocks WebSockets.
  const socket: Socket<HubServerEvents, HubClientEvents> = io({
    auth: { role: 'display', room: params.room },
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    autoConnect: false,
  });
  const display = new DisplayState(params, socket);
  mount(DisplayApp, { target, props: { display } });
  display.start();
  keepScreenAwake();
}

/**
 * Asks the browser to keep the screen on while the display is visible. Only available in a secure context
 * (https or localhost); elsewhere the venue PC's power settings decide.
 */
function keepScreenAwake(): void {
  if (!('wakeLock' in navigator)) return;
  const request = (): void => {
    if (document.visibilityState === 'visible') void navigator.wakeLock.request('screen').catch(() => undefined);
  };
  request();
  document.addEventListener('visibilitychange', request);
}
