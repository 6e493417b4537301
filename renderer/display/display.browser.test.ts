/**
 * The room display in Debian's Chromium, against a real hub on a free loopback port, fed by a real socket.io
 * operator client: right-to-left layout, text-only rendering, in-place revisions, partial then final, clear,
 * notices, bad URLs, shipped fonts, and recovery after a hub restart. Screenshots go to test-artifacts/.
 *
 * Needs the built renderer (out/renderer, `npm run build`, which `npm test` runs first); when it is missing the
 * test builds it.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptionHub } from '../../electron/hub';
import { hubRequest, type HubClientSocket } from '../../electron/hub/hub-client';
import { ARTIFACTS, STATIC_DIR, useDisplayHarness, POLL, publish, rowsOf, waitForRowText, waitLive, type OpenedPage } from './test-support/display-harness';

const harness = useDisplayHarness();
const tempDirs: string[] = [];

afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

const startHub = (options: { port?: number; dataDir?: string; staticDir?: string } = {}): Promise<CaptionHub> => harness().startHub(options);
const operator = (hub: CaptionHub): Promise<HubClientSocket> => harness().operator(hub);
const openDisplay = (hub: CaptionHub, query: string): Promise<OpenedPage> => harness().open(hub, query);

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
        color: getComputedStyle(el.querySelector('.pending') ?? el).color,
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
    // The only elements in a row's text are the partial's own two parts, and they hold text alone.
    expect(await page.$$eval('img, b, script:not([src]), .row .text :not(.settled, .pending), .settled *, .pending *', (els) => els.length)).toBe(0);
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

    // Three stacked channels of three lines at 720p: every label and row on the screen, the top label too.
    await publish(op, 'en', en);
    await publish(op, 'ru', ru);
    await publish(op, 'ar', ar);
    await page.goto(`${hub.url}/display?room=main&channels=ar,en,ru&lines=3`);
    await waitLive(page);
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 9, undefined, POLL);
    await page.evaluate(() => document.fonts.ready);
    const boxes = await page.$$eval('.label, .row', (els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom })));
    expect(Math.min(...boxes.map((b) => b.top))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...boxes.map((b) => b.bottom))).toBeLessThanOrEqual(720);
    await page.screenshot({ path: join(ARTIFACTS, 'display-stacked-3-lines.png') });

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

    await harness().stopHub(first);
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

  it('reloads itself when the restarted hub serves a new build, and only then', async () => {
    // The hub serves a copy of the built page, which the test then "upgrades": the module script under a new name.
    const staticDir = mkdtempSync(join(tmpdir(), 'tarjuman-display-build-'));
    tempDirs.push(staticDir);
    cpSync(STATIC_DIR, staticDir, { recursive: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'tarjuman-display-'));
    tempDirs.push(dataDir);
    const first = await startHub({ dataDir, staticDir });
    const port = first.port;
    let op = await operator(first);
    const { page, errors } = await openDisplay(first, 'room=main&channels=en&lines=8');
    await waitLive(page);
    await publish(op, 'en', 'Before the upgrade.');
    await waitForRowText(page, 'en', 'Before the upgrade.');
    await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));
    const samePage = (): Promise<boolean> => page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage === true);
    const script = (): Promise<string> => page.evaluate(() => document.querySelector<HTMLScriptElement>('script[type="module"][src]')?.src ?? '');
    const oldScript = await script();

    // A restart on the same build: the page carries on (no reload).
    await harness().stopHub(first);
    await page.waitForSelector('.status.lost', { timeout: POLL.timeout });
    const second = await startHub({ port, dataDir, staticDir });
    await waitLive(page);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await samePage()).toBe(true);

    // The upgrade: the hub restarts serving another build; the page reloads into it and shows the room again.
    await harness().stopHub(second);
    await page.waitForSelector('.status.lost', { timeout: POLL.timeout });
    const html = readFileSync(join(staticDir, 'display.html'), 'utf8');
    const oldName = /assets\/(display-[^"]+\.js)/.exec(html)![1]!;
    copyFileSync(join(staticDir, 'assets', oldName), join(staticDir, 'assets', 'display-NEWBUILD.js'));
    writeFileSync(join(staticDir, 'display.html'), html.replace(oldName, 'display-NEWBUILD.js'));
    const third = await startHub({ port, dataDir, staticDir });
    op = await operator(third);
    await page.waitForFunction(() => (window as unknown as { __samePage?: boolean }).__samePage !== true, undefined, POLL);
    await waitLive(page);
    expect(await script()).toMatch(/\/assets\/display-NEWBUILD\.js$/);
    expect(await script()).not.toBe(oldScript);
    await waitForRowText(page, 'en', 'Before the upgrade.');
    await publish(op, 'en', 'After the upgrade.');
    await waitForRowText(page, 'en', 'After the upgrade.');
    expect(errors).toEqual([]);
  });

  it('shows a notice with a time-to-live on a display whose clock runs 10 minutes fast', async () => {
    const hub = await startHub();
    const op = await operator(hub);
    const shown = await hubRequest(op, 'notice:show', { text: 'Coffee break until 11:00', ttlMs: 120_000 });
    expect(shown.ok).toBe(true);
    const { page } = await harness().open(hub, 'room=main&channels=en', { width: 1280, height: 720 }, () => {
      const realNow = Date.now;
      Date.now = () => realNow() + 10 * 60_000;
    });
    await waitLive(page);
    expect(await page.evaluate(() => Date.now() - performance.timeOrigin)).toBeGreaterThan(9 * 60_000);
    await page.waitForSelector('.notice', { timeout: POLL.timeout });
    expect(await page.$eval('.notice', (el) => el.textContent)).toBe('Coffee break until 11:00');
    // ...and it still goes when its time is up, by the hub's count: a short one published now.
    await hubRequest(op, 'notice:show', { text: 'Two seconds', ttlMs: 2_000 });
    await page.waitForFunction(() => document.querySelector('.notice')?.textContent === 'Two seconds', undefined, POLL);
    await page.waitForSelector('.notice', { state: 'detached', timeout: POLL.timeout });
  });

  it('cannot be framed by another site unless the hub names it', async () => {
    const parent = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>venue</title><iframe src="${target.replace(/"/g, '')}" width="800" height="450"></iframe>`);
    });
    await new Promise<void>((resolve) => parent.listen(0, '127.0.0.1', resolve));
    const parentOrigin = `http://127.0.0.1:${(parent.address() as AddressInfo).port}`;
    try {
      const framedBy = async (hub: CaptionHub): Promise<boolean> => {
        const context = await harness().browser.newContext();
        try {
          const page = await context.newPage();
          await page.goto(`${parentOrigin}/?src=${encodeURIComponent(`${hub.url}/display?room=main&channels=en`)}`);
          const frame = page.frames().find((f) => f !== page.mainFrame());
          if (!frame) return false;
          return await frame
            .waitForFunction(() => document.querySelector('main')?.dataset.status === 'live', undefined, { polling: 100, timeout: 8_000 })
            .then(() => true)
            .catch(() => false);
        } finally {
          await context.close();
        }
      };
      expect(await framedBy(await startHub()), 'a foreign site framed the display').toBe(false);
      const allowing = await harness().startHub({ frameAncestors: [parentOrigin] });
      expect(await framedBy(allowing), 'the named venue page could not frame the display').toBe(true);
    } finally {
      await new Promise((resolve) => parent.close(resolve));
    }
  });
});
