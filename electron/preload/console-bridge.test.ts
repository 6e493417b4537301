/**
 * What the console page gets from the preload, checked by running the bridge against fakes of contextBridge and
 * ipcRenderer: one object on `window.tarjuman` holding exactly the console API's functions (nothing of IPC),
 * requests under their own names, events without Electron's event object, audio over a transferred MessagePort.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONSOLE_REQUEST_NAMES, CONSOLE_TRANSPORT, type ConsoleApi } from '../common/console-api';
import { BRIDGE_KEY, exposeConsoleApi, type BridgeIpc } from './console-bridge';

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

function bridge() {
  const exposed: { key: string; api: unknown }[] = [];
  const invoked: unknown[][] = [];
  const posted: { channel: string; message: unknown; transfer?: MessagePort[] }[] = [];
  let onEvent: ((event: unknown, ...args: unknown[]) => void) | null = null;
  const ipc: BridgeIpc = {
    invoke: async (...args) => {
      invoked.push(args);
      return { ok: true, value: 'answer' };
    },
    on: (channel, listener) => {
      expect(channel).toBe(CONSOLE_TRANSPORT.event);
      onEvent = listener;
    },
    postMessage: (channel, message, transfer) => {
      posted.push({ channel, message, ...(transfer ? { transfer } : {}) });
      ports.push(...(transfer ?? []));
    },
  };
  exposeConsoleApi({ exposeInMainWorld: (key, api) => exposed.push({ key, api }) }, ipc);
  return { exposed, invoked, posted, ipc, fire: (...args: unknown[]) => onEvent!({ sender: 'electron event object' }, ...args) };
}

describe('preload bridge', () => {
  it('exposes one object, window.tarjuman, with exactly the console API\'s functions and nothing of IPC', () => {
    const b = bridge();
    expect(b.exposed.map((e) => e.key)).toEqual([BRIDGE_KEY]);
    const api = b.exposed[0]!.api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...CONSOLE_REQUEST_NAMES, 'pushAudio', 'on'].sort());
    for (const value of Object.values(api)) {
      expect(typeof value).toBe('function');
      expect([b.ipc, b.ipc.invoke, b.ipc.on, b.ipc.postMessage]).not.toContain(value);
    }
  });

  it('sends every request under its own name, without trailing undefined arguments', async () => {
    const b = bridge();
    const api = b.exposed[0]!.api as ConsoleApi;
    expect(await api.getState()).toEqual({ ok: true, value: 'answer' });
    await api.showNotice('Please sit');
    await api.setChannelMuted('ru', true);
    expect(b.invoked).toEqual([
      [CONSOLE_TRANSPORT.call, 'getState', []],
      [CONSOLE_TRANSPORT.call, 'showNotice', ['Please sit']],
      [CONSOLE_TRANSPORT.call, 'setChannelMuted', ['ru', true]],
    ]);
    b.invoked.length = 0;
    for (const name of CONSOLE_REQUEST_NAMES) await (api[name] as () => Promise<unknown>)();
    expect(b.invoked.map((c) => c[1])).toEqual([...CONSOLE_REQUEST_NAMES]);
  });

  it('hands events to listeners as their payload alone; unknown names go nowhere', () => {
    const b = bridge();
    const api = b.exposed[0]!.api as ConsoleApi;
    const seen: unknown[][] = [];
    const off = api.on('console:error', (...args: unknown[]) => seen.push(args));
    b.fire('console:error', { code: 'INTERNAL', message: 'x' });
    b.fire('not:an-event', { code: 'X' });
    expect(seen).toEqual([[{ code: 'INTERNAL', message: 'x' }]]);
    off();
    b.fire('console:error', { code: 'INTERNAL', message: 'y' });
    expect(seen).toHaveLength(1);
    expect(api.on('nonsense' as never, (() => undefined) as never)).toBeTypeOf('function');
  });

  it('sends audio over one MessagePort, transferring whole buffers and copying views', async () => {
    const b = bridge();
    const api = b.exposed[0]!.api as ConsoleApi;
    const whole = new Float32Array([0.5, -0.5, 0.25]);
    api.pushAudio('floor', whole);
    const big = new Float32Array([1, 2, 3, 4, 5]);
    api.pushAudio('voice', big.subarray(1, 3));
    api.pushAudio('voice', new Float32Array(0));
    expect(b.posted).toHaveLength(1);
    expect(b.posted[0]).toMatchObject({ channel: CONSOLE_TRANSPORT.audioPort, message: null });
    const mainEnd = b.posted[0]!.transfer![0]!;
    expect(whole.byteLength).toBe(0); // transferred, not copied
    expect(big.length).toBe(5); // a view is copied: the page keeps its buffer
    const received: { source: string; frame: number[] }[] = [];
    await new Promise<void>((resolve) => {
      mainEnd.addEventListener('message', (e) => {
        const data = (e as MessageEvent<{ source: string; frame: Float32Array }>).data;
        received.push({ source: data.source, frame: [...data.frame] });
        if (received.length === 2) resolve();
      });
      mainEnd.start();
    });
    expect(received).toEqual([
      { source: 'floor', frame: [0.5, -0.5, 0.25] },
      { source: 'voice', frame: [2, 3] },
    ]);
  });
});
