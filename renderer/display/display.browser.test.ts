/**
 * The room display in Debian's Chromium, against a real hub on a free loopback port, fed by a real socket.io
 * operator client: right-to-left layout, text-only rendering, in-place revisions, partial then final, clear,
 * notices, bad URLs, shipped fonts, and recovery after a hub restart. Screenshots go to test-artifacts/.
 *
 * Needs the built renderer (out/renderer, `npm run build`, which `npm test` runs first); when it is missing the
 * test builds it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishLine } from '../../electron/common/protocol';
import { startCaptionHub, silentHubLogger, type CaptionHub } from '../../electron/hub';
import { connectHubClient, hubRequest, type HubClientSocket } from '../../electron/hub/hub-client';

const REPO = resolve(import.meta.dirname, '../..');
const STATIC_DIR = join(REPO, 'out/renderer');
const ARTIFACTS = join(REPO, 'test-artifacts');
const SECRET = 'display-test-secret-5521';
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
const POLL = { polling: 100, timeout: 30_000 } as const;

let browser: Browser;
const hubs: CaptionHub[] = [];
const sockets: HubClientSocket[] = [];
const contexts: BrowserContext[] = [];
const tempDirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(STATIC_DIR, 'display.html'))) {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: REPO, stdio: 'inherit' });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const c of contexts.splice(0)) await c.close();
  for (const h of hubs.splice(0)) await h.close();
});

afterAll(async () => {
  await browser?.close();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

async function startHub(options: { port?: number; dataDir?: string } = {}): Promise<CaptionHub> {
  const hub = await startCaptionHub({ host: '127.0.0.1', port: 0, rooms: ROOMS, staticDir: STATIC_DIR, logger: silentHubLogger, ...options });
  hubs.push(hub);
  return hub;
}

async function operator(hub: CaptionHub): Promise<HubClientSocket> {
  const r = await connectHubClient(hub.url, { role: 'operator', room: 'main', secret: SECRET }, { transports: ['websocket'] });
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  sockets.push(r.value);
  return r.value;
}

let n = 0;
async function publish(op: HubClientSocket, channel: string, text: string, state: 'partial' | 'final' = 'final', id = `t${++n}`): Promise<string> {
  const line: PublishLine = { id, channel, text, state, source: 'typed' };
  const r = await hubRequest(op, 'caption:publish', line);
  expect(r.ok, JSON.stringify(r)).toBe(true);
  return id;
}

/** Opens a display page; records alert dialogs and page errors. */
async function openDisplay(hub: CaptionHub, query: string): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  contexts.push(context);
  const page = await context.newPage();
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

/** Waits until the display is subscribed (no connecting/reconnecting indicator, no error). */
async function waitLive(page: Page): Promise<void> {
  try {
    await page.waitForFunction(
      () => document.querySelector('main')?.dataset.status === 'live' && document.querySelector('.status') === null,
      undefined,
      POLL,
    );
  } catch (err) {
    const state = await page.evaluate(() => ({ status: document.querySelector('main')?.dataset.status, text: document.body.innerText }));
    throw new Error(`display not live: ${JSON.stringify(state)}`, { cause: err });
  }
}

/** The rows of a channel as [line id, text, partial]. */
function rowsOf(page: Page, channel: string): Promise<Array<[string, string, boolean]>> {
  return page.$$eval(`section[data-channel="${channel}"] .row`, (els) =>
    els.map((el) => [el.getAttribute('data-line-id') ?? '', el.textContent ?? '', el.classList.contains('partial')] as [string, string, boolean]),
  );
}

async function waitForRowText(page: Page, channel: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([c, t]) => [...document.querySelectorAll(`section[data-channel="${c}"] .row`)].some((el) => el.textContent === t),
    [channel, text] as const,
    POLL,
  );
}

describe('room display in Chromium', () => {
  it('lays out an Arabic line that starts with a Latin acronym right to left, in the shipped Noto face, and updates in place', async () => {
    const hub = await startHub();
    const op = await operator(hub);
    const { page, errors } = await openDisplay(hub, 'room=main&channels=ar');
    await waitLive(page);

    const text = 'UNOCT يعقد اجتماعه السنوي في فيينا';
    const id = await publish(op, 'ar', text);
    await waitForRowText(page, 'ar', text);

    const layout = await page.$eval(`.row[data-line-id="${id}"]`, (row) => {
      const style = getComputedStyle(row);
      const textNode = row.querySelector('.text')?.firstChild as Text;
      const whole = document.createRange();
      whole.selectNodeContents(row);
      const acronym = document.createRange();
      acronym.setStart(textNode, 0);
      acronym.setEnd(textNode, 'UNOCT'.length);
      const box = row.getBoundingClientRect();
      return {
        dir: row.getAttribute('dir'),
        lang: row.closest('[lang]')?.getAttribute('lang'),
        direction: style.direction,
        textAlign: style.textAlign,
        fontSizePx: parseFloat(style.fontSize),
        rowLeft: box.left,
        rowRight: box.right,
        textLeft: whole.getBoundingClientRect().left,
        textRight: whole.getBoundingClientRect().right,
        acronymRight: acronym.getBoundingClientRect().right,
      };
    });
    expect(layout.dir).toBe('rtl');
    expect(layout.lang).toBe('ar');
    expect(layout.direction).toBe('rtl');
    expect(['start', 'right']).toContain(layout.textAlign);
    // Right aligned: the text ends at the row's right edge and leaves room on the left...
    expect(Math.abs(layout.textRight - layout.rowRight)).toBeLessThan(2);
    expect(layout.textLeft - layout.rowLeft).toBeGreaterThan(100);
    // ...and the acronym, first in logical order, is laid out at the right end, as in a right-to-left line.
    expect(Math.abs(layout.acronymRight - layout.rowRight)).toBeLessThan(2);
    // Readable across a hall: 3.8vw of 1280 px.
    expect(layout.fontSizePx).toBeGreaterThan(40);

    // The Arabic is drawn with the Noto Sans Arabic face the page ships (a web font, not a system one).
    await page.evaluate(() => document.fonts.ready);
    const faces = await page.evaluate(() =>
      [...document.fonts].map((f) => ({ family: f.family.replace(/["']/g, ''), status: f.status, range: f.unicodeRange })),
    );
    expect(faces.some((f) => f.family === 'Noto Sans Arabic' && f.status === 'loaded')).toBe(true);
    expect(faces.some((f) => f.family === 'Noto Sans' && f.status === 'loaded' && f.range.includes('400-45F'))).toBe(true);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: `.row[data-line-id="${id}"]` });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    // Chromium reports the face's full name ("Noto Sans Arabic Medium").
    const arabicFace = fonts.find((f) => f.familyName.startsWith('Noto Sans Arabic'));
    expect(arabicFace, JSON.stringify(fonts)).toBeDefined();
    expect(arabicFace?.isCustomFont).toBe(true);
    const latinFace = fonts.find((f) => f.familyName.startsWith('Noto Sans') && !f.familyName.includes('Arabic'));
    expect(latinFace?.isCustomFont, JSON.stringify(fonts)).toBe(true);

    // A partial is shown distinct from committed lines, then the final takes the same element.
    const pid = await publish(op, 'ar', '2026 عام التعاون', 'partial');
    await waitForRowText(page, 'ar', '2026 عام التعاون');
    const partialRow = await page.$eval(`.row[data-line-id="${pid}"]`, (el) => {
      (el as HTMLElement & { marker?: string }).marker = 'same-element';
      const committed = document.querySelector('.row:not(.partial)');
      return {
        partial: el.classList.contains('partial'),
        direction: getComputedStyle(el).direction,
        color: getComputedStyle(el).color,
        committedColor: committed ? getComputedStyle(committed).color : '',
      };
    });
    expect(partialRow.partial).toBe(true);
    expect(partialRow.direction).toBe('rtl');
    expect(partialRow.color).not.toBe(partialRow.committedColor);
    await publish(op, 'ar', '2026 عام التعاون الدولي', 'final', pid);
    await waitForRowText(page, 'ar', '2026 عام التعاون الدولي');
    const finalRow = await page.$eval(`.row[data-line-id="${pid}"]`, (el) => ({
      marker: (el as HTMLElement & { marker?: string }).marker,
      partial: el.classList.contains('partial'),
    }));
    expect(finalRow).toEqual({ marker: 'same-element', partial: false });

    // An operator's correction changes the line in place: same element, new text.
    const revised = await hubRequest(op, 'caption:revise', { channel: 'ar', id: pid, text: '2026 عام التعاون الإقليمي' });
    expect(revised.ok).toBe(true);
    await waitForRowText(page, 'ar', '2026 عام التعاون الإقليمي');
    expect(await page.$eval(`.row[data-line-id="${pid}"]`, (el) => (el as HTMLElement & { marker?: string }).marker)).toBe('same-element');
    expect(await rowsOf(page, 'ar')).toEqual([
      [id, text, false],
      [pid, '2026 عام التعاون الإقليمي', false],
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'display-ar.png') });

    // Clear empties the channel.
    const cleared = await hubRequest(op, 'channel:clear', { channel: 'ar' });
    expect(cleared.ok).toBe(true);
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 0, undefined, POLL);
    expect(errors).toEqual([]);
  });

  it('renders caption text as text, never as HTML', async () => {
    const hub = await startHub();
    const op = await operator(hub);
    const { page, dialogs, errors } = await openDisplay(hub, 'room=main&channels=en&theme=light');
    await waitLive(page);
    const payload = '<img src=x onerror=alert(1)>';
    await publish(op, 'en', payload);
    await publish(op, 'en', '<b>bold?</b> <script>alert(2)</script>', 'partial');
    await waitForRowText(page, 'en', payload);
    await waitForRowText(page, 'en', '<b>bold?</b> <script>alert(2)</script>');
    expect(await page.$$eval('img, b, script:not([src]), .row .text *', (els) => els.length)).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'display-en-light-partial.png') });
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows English, Russian and stacked displays with their own direction, language and line length', async () => {
    const hub = await startHub();
    const op = await operator(hub);
    const en = 'The Under-Secretary-General opened the fourth session of the Committee in Vienna this morning.';
    const ru = 'Генеральный секретарь открыл четвёртую сессию Комитета в Вене сегодня утром.';
    const ar = '2026: افتتح وكيل الأمين العام الدورة الرابعة للجنة في فيينا صباح اليوم.';
    await publish(op, 'en', en);
    await publish(op, 'ru', ru);
    await publish(op, 'ar', ar);
    const notice = await hubRequest(op, 'notice:show', { text: 'Please take your seats — الرجاء الجلوس' });
    expect(notice.ok).toBe(true);

    const { page } = await openDisplay(hub, 'room=main&channels=en');
    for (const [channel, text, limit] of [
      ['en', en, 42],
      ['ru', ru, 39],
    ] as const) {
      await page.goto(`${hub.url}/display?room=main&channels=${channel}`);
      await waitLive(page);
      await page.waitForFunction((c) => document.querySelectorAll(`section[data-channel="${c}"] .row`).length === 2, channel, POLL);
      const rows = await page.$$eval('.row', (els) => els.map((el) => ({ text: el.textContent ?? '', dir: getComputedStyle(el).direction, textAlign: getComputedStyle(el).textAlign, lang: el.getAttribute('lang') })));
      // The last two rows of the roll-up, each within the language's limit, words unbroken.
      for (const row of rows) {
        expect(row.dir).toBe('ltr');
        expect(row.lang).toBe(channel);
        expect([...row.text].length).toBeLessThanOrEqual(limit);
        expect(text.split(' ')).toEqual(expect.arrayContaining(row.text.split(' ')));
      }
      expect(text.endsWith(rows.map((r) => r.text).join(' '))).toBe(true);
      await page.waitForSelector('.notice', { timeout: POLL.timeout });
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: join(ARTIFACTS, `display-${channel}.png`) });
    }

    await page.goto(`${hub.url}/display?room=main&channels=ar,en,ru&lines=2`);
    await waitLive(page);
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 6, undefined, POLL);
    const blocks = await page.$$eval('section.channel', (els) =>
      els.map((el) => ({ channel: el.getAttribute('data-channel'), lang: el.getAttribute('lang'), dir: el.getAttribute('dir'), label: el.querySelector('.label')?.textContent })),
    );
    expect(blocks).toEqual([
      { channel: 'ar', lang: 'ar', dir: 'rtl', label: 'العربية' },
      { channel: 'en', lang: 'en', dir: 'ltr', label: 'English' },
      { channel: 'ru', lang: 'ru', dir: 'ltr', label: 'Русский' },
    ]);
    const arRows = await page.$$eval('section[data-channel="ar"] .row', (els) => els.map((el) => getComputedStyle(el).direction));
    expect(arRows).toEqual(['rtl', 'rtl']);
    // Everything fits on the screen.
    const bottom = await page.$eval('.channels', (el) => el.getBoundingClientRect().bottom);
    const top = await page.$eval('.channels', (el) => el.getBoundingClientRect().top);
    expect(bottom).toBeLessThanOrEqual(720);
    expect(top).toBeGreaterThanOrEqual(0);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: join(ARTIFACTS, 'display-stacked.png') });

    await page.goto(`${hub.url}/display?room=main&channels=ar&theme=green`);
    await waitLive(page);
    expect(await page.$eval('main', (el) => getComputedStyle(el).backgroundColor)).toBe('rgb(0, 177, 64)');
    await page.goto(`${hub.url}/display?room=main&channels=ar&theme=transparent`);
    await waitLive(page);
    expect(await page.$eval('main', (el) => getComputedStyle(el).backgroundColor)).toBe('rgba(0, 0, 0, 0)');
  });

  it('explains a bad address instead of showing a blank screen', async () => {
    const hub = await startHub();
    const { page } = await openDisplay(hub, 'channels=ar');
    for (const [query, expected] of [
      ['channels=ar', 'room='],
      ['room=main&channels=xx', 'no channel xx'],
      ['room=nowhere&channels=ar', 'no room nowhere'],
      ['room=main&channels=ar&theme=neon', 'theme=neon'],
    ] as const) {
      await page.goto(`${hub.url}/display?${query}`);
      await page.waitForSelector('[role="alert"]', { timeout: POLL.timeout });
      const message = await page.$eval('[role="alert"]', (el) => el.textContent ?? '');
      expect(message, query).toContain('This display cannot show captions');
      expect(message, query).toContain(expected);
      const size = await page.$eval('.error-message', (el) => parseFloat(getComputedStyle(el).fontSize));
      expect(size).toBeGreaterThanOrEqual(18);
      if (query.includes('xx')) await page.screenshot({ path: join(ARTIFACTS, 'display-error.png') });
    }
  });

  it('recovers after the hub restarts: old lines, then new ones, none doubled', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tarjuman-display-'));
    tempDirs.push(dataDir);
    const first = await startHub({ dataDir });
    const port = first.port;
    let op = await operator(first);
    const { page, errors } = await openDisplay(first, 'room=main&channels=en&lines=8');
    await waitLive(page);
    const ids = [await publish(op, 'en', 'Line one before the restart.'), await publish(op, 'en', 'Line two before the restart.')];
    await waitForRowText(page, 'en', 'Line two before the restart.');

    await first.close();
    hubs.splice(hubs.indexOf(first), 1);
    await page.waitForSelector('.status.lost', { timeout: POLL.timeout });
    expect(await page.$eval('.status', (el) => el.textContent)).toContain('reconnecting');
    expect((await rowsOf(page, 'en')).map((r) => r[0])).toEqual(ids);

    const second = await startHub({ port, dataDir });
    op = await operator(second);
    // Published at once, most likely before the display is back: it arrives by catch-up (`since`).
    ids.push(await publish(op, 'en', 'Line three, right after the restart.'));
    await waitLive(page);
    await waitForRowText(page, 'en', 'Line three, right after the restart.');
    ids.push(await publish(op, 'en', 'Line four, live again.'));
    await waitForRowText(page, 'en', 'Line four, live again.');
    const rows = await rowsOf(page, 'en');
    expect(rows.map((r) => r[0])).toEqual(ids);
    expect(rows.map((r) => r[1])).toEqual([
      'Line one before the restart.',
      'Line two before the restart.',
      'Line three, right after the restart.',
      'Line four, live again.',
    ]);
    expect(errors).toEqual([]);
  });
});
