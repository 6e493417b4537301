/**
 * Entry of the room display page (`/display?room=...&channels=...`, served by the hub): reads the URL, ships the
 * caption fonts, connects to the hub at the page's own origin and mounts the wall display, or the phone page
 * with `view=phone` (or on a small touch screen).
 */
import { mount } from 'svelte';
import { io } from 'socket.io-client';
import type { HubClientEvents, HubServerEvents } from '../../electron/common/protocol';
import type { Socket } from 'socket.io-client';
import DisplayApp from './DisplayApp.svelte';
import PhoneApp from './PhoneApp.svelte';
import { registerCaptionFonts } from './caption-fonts';
import { parseDisplayParams, resolveView } from './display-params';
import { DisplayState } from './display-state.svelte';
import { keepScreenAwake } from './wake-lock';
import { watchForNewBuild } from './page-update';

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
  const view = resolveView(params.view, window.matchMedia('(max-width: 600px) and (pointer: coarse)').matches);
  const display = new DisplayState({ ...params, view }, socket);
  if (view === 'phone') mount(PhoneApp, { target, props: { display } });
  else mount(DisplayApp, { target, props: { display } });
  watchForNewBuild(socket, () => ({
    href: window.location.href,
    ownScript: document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? null,
    fetchPage: (href) => fetch(href, { cache: 'no-store' }).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`)))),
    reload: () => window.location.reload(),
  }));
  display.start();
  keepScreenAwake();
}
