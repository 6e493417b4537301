import { mount } from 'svelte';
import ConsoleApp from './ConsoleApp.svelte';
import { getConsoleApi } from './api-client';
import { createBrowserMediaEnvironment } from './audio/media-environment';
import { ConsoleStore } from './state/console-store.svelte';

const connection = getConsoleApi();
const store = new ConsoleStore(connection.api, createBrowserMediaEnvironment());
connection.onTransportChange((up) => store.setTransportUp(up));
// A refused page gets no state: say why instead of waiting for answers that will not come.
connection.onAccessRefused((error) => (store.loadError = error));
mount(ConsoleApp, { target: document.getElementById('app')!, props: { store } });
void store.init();
