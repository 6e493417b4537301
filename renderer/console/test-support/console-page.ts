/**
 * What the console page's browser tests and the assist benchmark share: the built renderer served from
 * 127.0.0.1, Debian's Chromium, and a fake console API installed as `window.tarjuman` before the page loads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { OutputStatus } from '../../../electron/common/caption-outputs';

/**
 * Options of {@link installFakeApi}: the booth's channel and, optionally, its glossary, other settings, and other
 * parts of the snapshot (`handover`, `hub`, `stt`...; each replaces the default part).
 */
export interface FakeApiOptions {
  channel: string;
  /** Default booth. */
  role?: 'booth' | 'operator';
  /** What `listOutputs` answers (OutputStatus objects); `setOutputEnabled` switches them. */
  outputs?: OutputStatus[];
  glossary?: { en?: string; ru?: string; ar?: string }[];
  settings?: Record<string, unknown>;
  snapshot?: Record<string, unknown>;
  /** What `listModels` answers (ConsoleModelInfo objects). */
  models?: Record<string, unknown>[];
}

const ROOT = join(import.meta.dirname, '../../..');
const OUT = join(ROOT, 'out/renderer');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
};

/** Serves the built renderer from 127.0.0.1 on a free port. */
export async function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(OUT, path === '/' ? 'index.html' : path);
    if (!file.startsWith(OUT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Installed in the page before it loads: a ConsoleApi that answers like the core (publishes echo back as hub
 * events, so the display preview shows them) and records calls in `window.__calls`. Self-contained: it is
 * serialised into the page.
 */
export function installFakeApi(options: FakeApiOptions): void {
  type Fn = (payload: unknown) => void;
  const w = window as unknown as Record<string, unknown>;
  const calls: { method: string; args: unknown[] }[] = [];
  const audio: { source: string; length: number; rms: number }[] = [];
  const handlers = new Map<string, Set<Fn>>();
  const emit = (event: string, payload: unknown): void => {
    for (const fn of handlers.get(event) ?? []) fn(payload);
  };
  const cursors: Record<string, number> = {};
  const outputs = options.outputs ?? [];
  const channels = ['floor', 'ar', 'en', 'ru'];
  const snapshot = {
    settings: {
      hubMode: 'host', hubUrl: 'http://127.0.0.1:7300', hostPort: 7300, hostAddress: '0.0.0.0', hostChannels: channels, room: 'main',
      role: options.role ?? 'booth', channel: options.channel, label: 'Arabic booth A', floorDeviceId: null, voiceDeviceId: null, floorLanguage: 'auto',
      voiceLanguage: options.channel, model: '', glossary: options.glossary ?? [{ en: 'climate finance', ru: 'климатическое финансирование', ar: 'تمويل المناخ' }],
      autoRouting: false, mutedChannels: [], voiceReviewMs: 1500, publishFloor: true, hasSecret: true, hasHostSecret: true, enterOnlyChannels: [], outputs: [],
      ...options.settings,
    },
    hub: { mode: 'host', state: 'connected', url: 'http://127.0.0.1:7300', latencyMs: 3, error: null, displayUrls: ['http://192.168.1.20:7300/display'], qrDataUrl: null, displayLinks: {}, outboxPending: 0,
      delivery: { state: 'ok', reason: null, oldestPendingMs: null }, displays: { floor: 0, ar: 2, en: 1, ru: 1 } },
    stt: { floor: { source: 'floor', status: 'stopped' }, voice: { source: 'voice', status: 'stopped' } },
    handover: { onAir: true, outgoing: null, incoming: null, partners: [], booths: {} },
    alerts: [],
    pendingVoice: [],
    session: { id: 'test', file: '/tmp/test.jsonl', startedAt: 0, lines: {}, error: null, recovered: 0 },
    heldByMute: {},
    held: [],
    roomHeld: [],
    channels,
    shell: 'electron',
    clientId: 'console-a',
    label: 'Arabic booth A',
    watchedRooms: [] as { room: string; state: string; error: unknown; channels: { channel: string }[]; notice: string | null; staleForMs: number | null }[],
    ...options.snapshot,
  };
  /** Set `window.__failNext[method] = { code, message }` to make the next call of `method` fail. */
  const failNext: Record<string, { code: string; message: string }> = {};
  const ok = (value: unknown) => Promise.resolve({ ok: true, value });
  const record = (method: string, args: unknown[], value: unknown = undefined) => {
    calls.push({ method, args });
    const error = failNext[method];
    if (error) {
      delete failNext[method];
      return Promise.resolve({ ok: false, error });
    }
    return ok(value);
  };
  const line = (l: { id: string; channel: string; text: string; state: string; source: string; lang?: string }, revision = 0) => ({
    id: l.id, room: 'main', channel: l.channel, seq: 1, text: l.text, state: l.state, revision, source: l.source, lang: l.lang,
    startedAt: Date.now(), updatedAt: Date.now(), committedAt: l.state === 'final' ? Date.now() : undefined,
  });
  w['tarjuman'] = {
    getState: () => record('getState', [], snapshot),
    updateSettings: (p: object) => record('updateSettings', [p], { ...snapshot.settings, ...p }),
    connectHub: () => record('connectHub', [], snapshot.hub),
    disconnectHub: () => record('disconnectHub', []),
    getRoomView: () =>
      record('getRoomView', [], { room: snapshot.settings.room, notice: null, channels: snapshot.channels.map((c) => ({ channel: c, cursor: 0, reset: false, changes: [], partial: null })) }),
    publish: (l: { id: string; channel: string; text: string; state: string; source: string; lang?: string }) => {
      if (failNext['publish']) return record('publish', [l]);
      const cursor = cursors[l.channel] ?? 0;
      if (l.state === 'partial') emit('hub:partial', { room: 'main', channel: l.channel, cursor, line: line(l) });
      else {
        cursors[l.channel] = cursor + 1;
        emit('hub:changed', { kind: 'committed', room: 'main', channel: l.channel, cursor: cursor + 1, line: line(l) });
      }
      // As from the core: publish answers once recorded and queued; the hub's ack follows as an event.
      if (l.state === 'final') setTimeout(() => emit('line:delivery', { channel: l.channel, id: l.id, what: 'line', status: 'sent' }), 0);
      return record('publish', [l], { id: l.id, status: 'queued', saved: l.state === 'final' });
    },
    revise: (r: { id: string }) => record('revise', [r], { id: r.id, status: 'queued', saved: true }),
    releaseHeld: (r: { ids?: string[] }) => record('releaseHeld', [r], { lines: r.ids?.length ?? 0 }),
    discardHeld: (r: { ids?: string[] }) => record('discardHeld', [r], { lines: r.ids?.length ?? 0 }),
    clearChannel: (c: string) => record('clearChannel', [c]),
    clearAllChannels: () => record('clearAllChannels', []),
    showNotice: (t: string | null) => record('showNotice', [t]),
    setAutoRouting: (on: boolean) => record('setAutoRouting', [on]),
    setChannelMuted: (c: string, m: boolean) => record('setChannelMuted', [c, m]),
    startSource: (s: string, o: object) => {
      if (!failNext['startSource']) setTimeout(() => emit('stt:status', { source: s, status: 'ready' }), 0);
      return record('startSource', [s, o]);
    },
    stopSource: (s: string) => record('stopSource', [s]),
    pushAudio: (source: string, frame: Float32Array) => {
      let sq = 0;
      for (const v of frame) sq += v * v;
      audio.push({ source, length: frame.length, rms: Math.sqrt(sq / frame.length) });
    },
    sendVoiceNow: (id: string) => record('sendVoiceNow', [id]),
    cancelVoice: (id: string) => record('cancelVoice', [id]),
    importGlossary: (csv: string) => {
      // As the console answers (electron/stt/prompt.ts): a glossary past the prompt's budget, its first 20 rows.
      const rows = csv.trim().split('\n').length - 1;
      return record('importGlossary', [csv], { terms: rows, promptCarries: rows > 20 ? [{ lang: 'en', rows: 20, of: rows }] : [] });
    },
    requestHandover: () => record('requestHandover', []),
    offerHandover: () => record('offerHandover', []),
    cancelHandover: () => record('cancelHandover', []),
    respondHandover: (a: boolean) => record('respondHandover', [a]),
    exportSession: (c: string, f: string) => record('exportSession', [c, f], ''),
    listMonitors: () => record('listMonitors', [], []),
    openDisplayWindow: (o: object) => record('openDisplayWindow', [o]),
    startNewSession: () => record('startNewSession', [], snapshot.session),
    getJoinDetails: () =>
      record('getJoinDetails', [], {
        hubUrl: 'http://192.168.1.20:7300', room: 'main', secret: 'Xk3-room-secret', link: 'http://192.168.1.20:7300/?room=main#secret=Xk3-room-secret',
        qrDataUrl: 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=',
      }),
    listModels: () => record('listModels', [], options.models ?? []),
    importModel: (path: string) => record('importModel', [path], { file: 'x.bin', path, valid: true, description: 'test' }),
    listOutputs: () => record('listOutputs', [], structuredClone(outputs)),
    setOutputEnabled: (id: string, enabled: boolean) => {
      const found = outputs.find((o) => o.id === id);
      if (!found) return Promise.resolve({ ok: false, error: { code: 'INVALID_ARGUMENTS', message: `NOT_FOUND: no output ${id}` } });
      Object.assign(found, { enabled, state: enabled ? 'sending' : 'stopped', message: enabled ? undefined : 'switched off' });
      return record('setOutputEnabled', [id, enabled], structuredClone(found));
    },
    // As the core: the followed room becomes the active one (its channels), the room left takes its row; the new
    // state goes out before the answer.
    switchRoom: (room: string) => {
      if (failNext['switchRoom']) return record('switchRoom', [room]);
      const settings = snapshot.settings as { room: string; watchRooms?: { room: string; hasSecret: boolean; mutedChannels: string[] }[]; mutedChannels: string[]; hostChannels: string[] };
      const at = snapshot.watchedRooms.findIndex((r) => r.room === room);
      const target = snapshot.watchedRooms[at];
      if (!target) return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `${room} is not followed` } });
      const left = { room: settings.room, state: 'connected', error: null, notice: null, staleForMs: null, channels: snapshot.channels.map((c) => ({ channel: c, booth: [], muted: false, lastLineAgeMs: null })) };
      snapshot.watchedRooms = snapshot.watchedRooms.map((r, i) => (i === at ? left : r));
      settings.watchRooms = (settings.watchRooms ?? []).map((w) => (w.room === room ? { room: left.room, hasSecret: true, mutedChannels: settings.mutedChannels } : w));
      settings.room = room;
      settings.mutedChannels = [];
      snapshot.channels = target.channels.map((c) => c.channel);
      settings.hostChannels = snapshot.channels;
      snapshot.handover = { ...snapshot.handover, booths: {} };
      emit('state:changed', structuredClone(snapshot));
      return record('switchRoom', [room]);
    },
    on: (event: string, fn: Fn) => {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(fn);
      return () => set.delete(fn);
    },
  };
  w['__calls'] = calls;
  w['__snapshot'] = snapshot;
  w['__failNext'] = failNext;
  w['__audio'] = audio;
  w['__emit'] = emit;
}

/** Builds the renderer once if no build is there. */
export function ensureRendererBuilt(): void {
  if (!existsSync(join(OUT, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

/** Debian's Chromium, headless, with a fake microphone. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** The built page served on loopback and a Chromium for it: what a describe block of the page's tests opens first. */
export interface ConsolePageRig {
  browser: Browser;
  /** Where the built page is served. */
  url: string;
  /** A page in a context of its own at this viewport; the page's uncaught errors are collected in `problems`. */
  openPage(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; problems: string[] }>;
  close(): Promise<void>;
}

/** Builds the page if needed, serves it, launches Chromium; `close()` stops both. */
export async function openConsolePageRig(): Promise<ConsolePageRig> {
  ensureRendererBuilt();
  const { server, url } = await serveRenderer();
  const browser = await launchChromium();
  return {
    browser,
    url,
    openPage: async (viewport) => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      return { context, page, problems };
    },
    close: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens the rig before the describe block's tests and closes it after them; the function returned gives it. */
export function useConsolePageRig(): () => ConsolePageRig {
  let rig: ConsolePageRig | undefined;
  beforeAll(async () => {
    rig = await openConsolePageRig();
  });
  afterAll(() => rig?.close());
  return () => {
    if (!rig) throw new Error('the console page rig is not open (use it inside a test)');
    return rig;
  };
}
