/**
 * The phone page in Chromium at 390x844 against a real hub: the viewer's language and text size (remembered),
 * captions that use the screen with the session scrollable above the live line, a screen wake lock, a
 * reconnect message in words, and a small touch screen opening a wall link getting the phone page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, useDisplayHarness, LONG_LINES, POLL, publish } from './test-support/display-harness';

const harness = useDisplayHarness();
const tempDirs: string[] = [];

afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

const PHONE = { width: 390, height: 844 };

/** Counts the page's screen wake lock requests (Chromium headless has no screen to keep on). */
function stubWakeLock(): void {
  const w = window as unknown as { wakeLocks: number };
  w.wakeLocks = 0;
  Object.defineProperty(navigator, 'wakeLock', {
    configurable: true,
    value: {
      request: () => {
        w.wakeLocks += 1;
        return Promise.resolve({ released: false, release: () => Promise.resolve(), addEventListener: () => undefined });
      },
    },
  });
}

async function waitPhoneLive(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('main.phone')?.getAttribute('data-status') === 'live' && !document.querySelector('.banner'), undefined, POLL);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

const lineTexts = (page: Page): Promise<string[]> => page.$$eval('.transcript .line', (els) => els.map((el) => el.textContent ?? ''));

describe('phone page in Chromium', () => {
  it('shows the phone its language, big enough, using the screen, with the session scrollable above the live line', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const english = Array.from({ length: 30 }, (_, i) => `Line ${i + 1}: the delegate of country ${i + 1} takes the floor.`);
    for (const text of english) await publish(op, 'en', text);
    await publish(op, 'en', LONG_LINES.en);
    await publish(op, 'ar', LONG_LINES.ar);
    // Speech-to-text has committed "We now turn"; "to item" may still change.
    await publish(op, 'en', 'We now turn to item', 'partial', undefined, { source: 'floor-stt', stableChars: 'We now turn '.length });

    const { page, errors } = await harness().open(hub, 'room=main&channels=floor,ar,en,ru&view=phone', PHONE, stubWakeLock);
    await waitPhoneLive(page);
    // The phone's language (Chromium's default locale is en-US) among the room's channels.
    expect(await page.$eval('select', (el) => (el as HTMLSelectElement).value)).toBe('en');
    expect(await page.$$eval('select option', (els) => els.map((el) => el.textContent))).toEqual(['Floor', 'العربية', 'English', 'Русский']);
    await page.waitForFunction(() => document.querySelectorAll('.transcript .line').length === 32, undefined, POLL);
    expect((await lineTexts(page)).slice(0, 2)).toEqual(english.slice(0, 2));

    const look = await page.evaluate(() => {
      const transcript = document.querySelector('.transcript') as HTMLElement;
      const last = [...document.querySelectorAll('.transcript .line')].at(-1) as HTMLElement;
      const small = [...document.querySelectorAll('header *, .caption, select, button')].map((el) => parseFloat(getComputedStyle(el).fontSize));
      return {
        captionPx: parseFloat(getComputedStyle(document.querySelector('.transcript .line') as Element).fontSize),
        smallestLabelPx: Math.min(...small),
        transcriptHeight: transcript.getBoundingClientRect().height,
        horizontalOverflow: transcript.scrollWidth - transcript.clientWidth,
        lastVisible: last.getBoundingClientRect().bottom <= window.innerHeight && last.getBoundingClientRect().top >= 0,
        lastPartial: last.classList.contains('partial'),
        lastParts: [last.querySelector('.settled'), last.querySelector('.pending')].map((el) => [el?.textContent, el && getComputedStyle(el).color]),
        committedColor: getComputedStyle(document.querySelector('.transcript .line .text') as Element).color,
        scrollable: transcript.scrollHeight > transcript.clientHeight,
      };
    });
    expect(look.captionPx).toBeGreaterThanOrEqual(18);
    expect(look.smallestLabelPx).toBeGreaterThanOrEqual(12);
    expect(look.transcriptHeight).toBeGreaterThan(PHONE.height * 0.8);
    expect(look.horizontalOverflow).toBeLessThanOrEqual(0);
    expect(look.lastVisible).toBe(true);
    expect(look.lastPartial).toBe(true);
    // The settled words in the committed colour, the rest in the partial's.
    expect(look.lastParts.map(([text]) => text)).toEqual(['We now turn ', 'to item']);
    expect(look.lastParts[0]?.[1]).toBe(look.committedColor);
    expect(look.lastParts[1]?.[1]).not.toBe(look.committedColor);
    expect(look.scrollable).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { wakeLocks: number }).wakeLocks)).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-en-390x844.png') });

    // Scrolled back to read: new text does not pull the viewer away; "Back to live" does.
    await page.$eval('.transcript', (el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.waitForSelector('button.live', { timeout: POLL.timeout });
    await publish(op, 'en', 'A new line while the viewer reads back.');
    await page.waitForFunction(() => [...document.querySelectorAll('.transcript .line')].some((el) => el.textContent?.includes('reads back')), undefined, POLL);
    expect(await page.$eval('.transcript', (el) => el.scrollTop)).toBeLessThan(50);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-history-390x844.png') });
    await page.click('button.live');
    await page.waitForFunction(() => {
      const el = document.querySelector('.transcript') as HTMLElement;
      return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
    }, undefined, POLL);

    // Another language and a larger size, both remembered across a reload.
    const before = await page.$eval('.transcript .line', (el) => parseFloat(getComputedStyle(el).fontSize));
    await page.selectOption('select', 'ar');
    await page.click('button.larger');
    await page.click('button.larger');
    await page.waitForFunction(() => document.querySelector('.transcript')?.getAttribute('data-channel') === 'ar', undefined, POLL);
    expect(await page.$eval('.transcript .line', (el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThan(before);
    await page.reload();
    await waitPhoneLive(page);
    expect(await page.$eval('select', (el) => (el as HTMLSelectElement).value)).toBe('ar');
    await page.waitForFunction(() => document.querySelectorAll('.transcript .line').length === 1, undefined, POLL);
    const arabic = await page.$eval('.transcript .line', (el) => ({ dir: getComputedStyle(el).direction, px: parseFloat(getComputedStyle(el).fontSize), text: el.textContent }));
    expect(arabic).toEqual({ dir: 'rtl', px: expect.any(Number), text: LONG_LINES.ar });
    expect(arabic.px).toBeGreaterThan(before);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-ar-390x844.png') });
    expect(errors).toEqual([]);
  });

  it('tells a phone in words that it is reconnecting, and carries on', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tarjuman-phone-'));
    tempDirs.push(dataDir);
    const first = await harness().startHub({ dataDir });
    const op = await harness().operator(first);
    await publish(op, 'ru', 'Доброе утро.');
    const { page } = await harness().open(first, 'room=main&channels=ar,ru&view=phone&lang=ru', PHONE);
    await waitPhoneLive(page);
    await harness().stopHub(first);
    await page.waitForSelector('.banner.lost', { timeout: POLL.timeout });
    const banner = await page.$eval('.banner', (el) => ({ ...el.getBoundingClientRect().toJSON(), size: parseFloat(getComputedStyle(el).fontSize), text: el.textContent ?? '' }));
    expect(banner.text).toMatch(/Reconnecting.*continue/);
    expect(banner.size).toBeGreaterThanOrEqual(14);
    expect(banner.right).toBeLessThanOrEqual(PHONE.width);
    // What was already there stays readable.
    expect(await lineTexts(page)).toEqual(['Доброе утро.']);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-reconnecting-390x844.png') });

    const second = await harness().startHub({ port: first.port, dataDir });
    const op2 = await harness().operator(second);
    await waitPhoneLive(page);
    await publish(op2, 'ru', 'Заседание продолжается.');
    await page.waitForFunction(() => document.querySelectorAll('.transcript .line').length === 2, undefined, POLL);
    expect(await lineTexts(page)).toEqual(['Доброе утро.', 'Заседание продолжается.']);
  });

  it('gives a small touch screen that opens a wall link the phone page, and waits quietly when nothing is said yet', async () => {
    const hub = await harness().startHub();
    const context = await harness().browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true, locale: 'ru-RU' });
    try {
      const page = await context.newPage();
      await page.goto(`${hub.url}/display?room=main&channels=ar,en,ru`);
      await waitPhoneLive(page);
      expect(await page.$eval('select', (el) => (el as HTMLSelectElement).value)).toBe('ru');
      const waiting = await page.$eval('.waiting', (el) => ({ text: el.textContent ?? '', size: parseFloat(getComputedStyle(el).fontSize) }));
      expect(waiting.text).toContain('waiting');
      expect(waiting.size).toBeGreaterThanOrEqual(12);
      // A wall link explicitly asked for stays a wall.
      await page.goto(`${hub.url}/display?room=main&channels=ar,en,ru&view=wall`);
      await page.waitForSelector('main.display', { timeout: POLL.timeout });
    } finally {
      await context.close();
    }
  });
});
