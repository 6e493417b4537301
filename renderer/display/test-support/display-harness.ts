/**
 * Fixtures of the display's browser tests: Debian's Chromium, a real hub on a free loopback port serving the
 * built page, real socket.io operator clients, and probes of what the page shows. Everything opened is closed
 * by {@link DisplayHarness.cleanup} (after each test) and {@link DisplayHarness.close} (after all).
 *
 * Needs the built renderer (out/renderer, `npm run build`, which `npm test` runs first); when it is missing the
 * harness builds it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { PublishLine } from '../../../electron/common/protocol';
import { startCaptionHub, silentHubLogger, type CaptionHub, type HubOptions } from '../../../electron/hub';
import { connectHubClient, hubRequest, type HubClientSocket } from '../../../electron/hub/hub-client';

export const REPO = resolve(import.meta.dirname, '../../..');
export const STATIC_DIR = join(REPO, 'out/renderer');
/** Screenshots go here (git-ignored). */
export const ARTIFACTS = join(REPO, 'test-artifacts');
export const SECRET = 'display-test-secret-5521';
const ROOMS = [{ id: 'main', secret: SECRET }];
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Poll on a timer, not on animation frames (which a hidden headless page may not run). */
export const POLL = { polling: 100, timeout: 30_000 } as const;

/** The viewports every layout is checked at: a 720p and a 1080p screen, and a phone. */
export const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
] as const;

export type Viewport = { width: number; height: number };

/** 270-character finals, one per language, as a voice or floor line arrives. */
export const LONG_LINES: Readonly<Record<'ar' | 'en' | 'ru', string>> = {
  ar:
    'افتتح وكيل الأمين العام الدورة الرابعة للجنة في فيينا صباح اليوم وشكر الدول الأعضاء على دعمها المتواصل لبرنامج ' +
    'العمل الذي يشمل الآن الوقاية وحماية الضحايا والتعاون الدولي في مكافحة الإرهاب وتبادل المعلومات بين الأجهزة ' +
    'المختصة في المنطقة.',
  en:
    'The Under-Secretary-General opened the fourth session of the Committee in Vienna this morning and thanked the ' +
    'Member States for their continued support of the programme of work, which now covers prevention, protection ' +
    'of victims and cooperation.',
  ru:
    'Заместитель Генерального секретаря открыл четвёртую сессию Комитета в Вене сегодня утром и поблагодарил ' +
    'государства-члены за их неизменную поддержку программы работы, которая теперь охватывает предупреждение, защиту ' +
    'жертв и сотрудничество.',
};

/** A page the harness opened, with the alert dialogs and page errors it raised. */
export interface OpenedPage {
  page: Page;
  dialogs: string[];
  errors: string[];
}

/** One browser for a test file, and the hubs, clients and pages of the test under way. */
export class DisplayHarness {
  private readonly hubs: CaptionHub[] = [];
  private readonly sockets: HubClientSocket[] = [];
  private readonly contexts: BrowserContext[] = [];

  private constructor(readonly browser: Browser) {}

  static async launch(): Promise<DisplayHarness> {
    if (!existsSync(join(STATIC_DIR, 'display.html'))) {
      execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO, stdio: 'inherit' });
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    return new DisplayHarness(await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }));
  }

  async startHub(options: Partial<HubOptions> = {}): Promise<CaptionHub> {
    const hub = await startCaptionHub({ host: '127.0.0.1', port: 0, rooms: ROOMS, staticDir: STATIC_DIR, logger: silentHubLogger, ...options });
    this.hubs.push(hub);
    return hub;
  }

  /** Stops a hub now (a restart test); it is not closed again at cleanup. */
  async stopHub(hub: CaptionHub): Promise<void> {
    await hub.close();
    this.hubs.splice(this.hubs.indexOf(hub), 1);
  }

  async operator(hub: CaptionHub): Promise<HubClientSocket> {
    const r = await connectHubClient(hub.url, { role: 'operator', room: 'main', secret: SECRET }, { transports: ['websocket'] });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    this.sockets.push(r.value);
    return r.value;
  }

  /** Opens `/display?<query>` in a new browser context of the given size. */
  async open(hub: CaptionHub, query: string, viewport: Viewport = { width: 1280, height: 720 }, init?: () => void): Promise<OpenedPage> {
    const context = await this.browser.newContext({ viewport, deviceScaleFactor: 1 });
    this.contexts.push(context);
    const page = await context.newPage();
    if (init) await page.addInitScript(init);
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${hub.url}/display?${query}`);
    return { page, dialogs, errors };
  }

  async cleanup(): Promise<void> {
    for (const s of this.sockets.splice(0)) s.disconnect();
    for (const c of this.contexts.splice(0)) await c.close();
    for (const h of this.hubs.splice(0)) await h.close();
  }

  async close(): Promise<void> {
    await this.cleanup();
    await this.browser.close();
  }
}

let n = 0;
/** Publishes a line as an operator and checks the hub accepted it; returns its id. */
export async function publish(
  op: HubClientSocket,
  channel: string,
  text: string,
  state: 'partial' | 'final' = 'final',
  id = `t${++n}`,
  extra: Partial<PublishLine> = {},
): Promise<string> {
  const line: PublishLine = { id, channel, text, state, source: 'typed', ...extra };
  const r = await hubRequest(op, 'caption:publish', line);
  expect(r.ok, JSON.stringify(r)).toBe(true);
  return id;
}

/** Waits until the display is subscribed (no connecting/reconnecting indicator, no error) and its fonts are in. */
export async function waitLive(page: Page): Promise<void> {
  try {
    await page.waitForFunction(
      () => document.querySelector('main')?.dataset.status === 'live' && document.querySelector('.status, .banner') === null,
      undefined,
      POLL,
    );
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
  } catch (err) {
    const state = await page.evaluate(() => ({ status: document.querySelector('main')?.dataset.status, text: document.body.innerText }));
    throw new Error(`display not live: ${JSON.stringify(state)}`, { cause: err });
  }
}

/** The rows of a channel as [line id, text, partial]. */
export function rowsOf(page: Page, channel: string): Promise<Array<[string, string, boolean]>> {
  return page.evaluate((c) =>
    [...document.querySelectorAll(`section[data-channel="${c}"] .row`)].map(
      (el) => [el.getAttribute('data-line-id') ?? '', el.textContent ?? '', el.classList.contains('partial')] as [string, string, boolean],
    ),
  channel);
}

/** Waits until a row of `channel` shows exactly `text`. */
export async function waitForRowText(page: Page, channel: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([c, t]) => [...document.querySelectorAll(`section[data-channel="${c}"] .row`)].some((el) => el.textContent === t),
    [channel, text] as const,
    POLL,
  );
}

/** Waits until the rows of `channel` stop changing for `quietMs` (the roll-up has caught up). */
export async function waitRowsSettled(page: Page, channel: string, quietMs = 3_000): Promise<void> {
  let last = '';
  let since = Date.now();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = JSON.stringify(await rowsOf(page, channel));
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    if (Date.now() > deadline) throw new Error(`rows of ${channel} never settled: ${now}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Launches the harness before the file's tests, cleans up after each and closes it after all; the function
 * returned gives it inside a test.
 */
export function useDisplayHarness(): () => DisplayHarness {
  let harness: DisplayHarness | undefined;
  beforeAll(async () => {
    harness = await DisplayHarness.launch();
  });
  afterEach(async () => {
    await harness?.cleanup();
  });
  afterAll(async () => {
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the display harness is not launched (use it inside a test)');
    return harness;
  };
}
