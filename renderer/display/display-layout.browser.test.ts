/**
 * The wall display's layout in Chromium, in the shipped fonts, at a 720p and a 1080p screen and a phone: rows
 * never wrap (capitals, Arabic, Cyrillic, wide glyphs), stacked channels are never clipped, partials look
 * different from finals in every theme and script, punctuation of a Latin line on the Arabic channel stays
 * where it was written, the quiet states (waiting, reconnecting) and the title-safe margin. Ends with the
 * screenshots of every theme at every size (test-artifacts/), to look at.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { breakIntoLines, lineLengthFor } from '../../electron/common/line-breaking';
import { DISPLAY_THEMES } from './display-params';
import { ARTIFACTS, useDisplayHarness, LONG_LINES, POLL, VIEWPORTS, publish, waitForRowText, waitLive } from './test-support/display-harness';

const harness = useDisplayHarness();

/** The widest text each language's captions carry: capitals, and for Arabic its widest letters. */
const WIDE_TEXT: Readonly<Record<'ar' | 'en' | 'ru', string>> = {
  en: 'UNITED NATIONS OFFICE OF COUNTER-TERRORISM MEMBER STATES WELCOME THE WORLD HEALTH ORGANIZATION QUORUM',
  ru: 'ОРГАНИЗАЦИЯ ОБЪЕДИНЁННЫХ НАЦИЙ ПО ВОПРОСАМ ОБРАЗОВАНИЯ ЩЕДРЫЕ ПОЖЕРТВОВАНИЯ ШТАБ-КВАРТИРЫ ЖЕНЕВЫ',
  ar: 'مكتب الأمم المتحدة لمكافحة الإرهاب يعقد اجتماعه السنوي في فيينا بمشاركة الدول الأعضاء والمنظمات الإقليمية شرقاً وغرباً',
};

/** A line still being spoken, per language. */
const PARTIALS: Readonly<Record<'ar' | 'en' | 'ru', string>> = { ar: 'ننتقل الآن إلى البند', en: 'We now turn to item', ru: 'Переходим к пункту' };

/** For each row of a channel: does it sit on one line, inside its box? */
function rowFits(page: Page): Promise<Array<{ text: string; lines: number; overflow: number; height: number; rowHeight: number; rects: string }>> {
  // One evaluation that queries and measures: between a query and a later evaluation the roll-up may move on.
  return page.evaluate(() =>
    [...document.querySelectorAll('.row')].map((row) => {
      const text = row.querySelector('.text') ?? row;
      const range = document.createRange();
      range.selectNodeContents(text);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      const box = row.getBoundingClientRect();
      const drawn = range.getBoundingClientRect();
      const style = getComputedStyle(row);
      return {
        text: row.textContent ?? '',
        lines: tops.size,
        // How far the drawn text reaches outside the row's box, either side.
        overflow: Math.max(0, box.left - drawn.left, drawn.right - box.right),
        height: box.height,
        rowHeight: parseFloat(style.lineHeight),
        rects: JSON.stringify([...range.getClientRects()].map((r) => [r.left, r.top, r.width, r.height])),
      };
    }),
  );
}

/** WCAG contrast ratio of two CSS colours (`rgb()`/`rgba()`), the second composited over `background`. */
function contrast(a: string, b: string, background: string): number {
  const parse = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
  const over = (c: number[], bg: number[]): number[] => {
    const alpha = c[3] ?? 1;
    return [0, 1, 2].map((i) => (c[i] ?? 0) * alpha + (bg[i] ?? 0) * (1 - alpha));
  };
  const luminance = (c: number[]): number => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const bg = parse(background);
  const [la, lb] = [luminance(over(parse(a), bg)), luminance(over(parse(b), bg))];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

describe('wall display layout in Chromium', () => {
  it('never wraps a row: capitals, Arabic, Cyrillic and wide glyphs at 1280x720, 1920x1080 and 390x844', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const rowsByLang: Record<string, string[]> = {};
    for (const lang of ['en', 'ru', 'ar'] as const) {
      // Every row exactly as the display breaks it, each sent as its own final so each is one display row.
      const rows = breakIntoLines(WIDE_TEXT[lang], lineLengthFor(lang));
      if (lang === 'en') rows.push('W'.repeat(20) + ' ' + 'M'.repeat(21));
      rowsByLang[lang] = rows;
      for (const row of rows) await publish(op, lang, row);
    }
    for (const viewport of VIEWPORTS) {
      const { page } = await harness().open(hub, 'room=main&channels=en', viewport);
      for (const lang of ['en', 'ru', 'ar'] as const) {
        const rows = rowsByLang[lang] ?? [];
        await page.goto(`${hub.url}/display?room=main&channels=${lang}&lines=${rows.length}`);
        await waitLive(page);
        await waitForRowText(page, lang, rows.at(-1) ?? '');
        const fits = await rowFits(page);
        const where = `${lang} at ${viewport.width}x${viewport.height}`;
        expect(fits.map((f) => f.text), where).toEqual(rows);
        for (const fit of fits) {
          expect(fit.lines, `${where}: "${fit.text}" wraps`).toBe(1);
          expect(fit.overflow, `${where}: "${fit.text}" overflows its box`).toBeLessThanOrEqual(1);
          expect(fit.height, `${where}: "${fit.text}" is taller than a row`).toBeLessThanOrEqual(fit.rowHeight + 1);
        }
        // The widest ordinary row uses the width: the text is not needlessly small.
        const widest = await page.$$eval('.row', (els) => {
          const range = document.createRange();
          return Math.max(
            ...els.map((el) => {
              range.selectNodeContents(el.querySelector('.text') ?? el);
              return range.getBoundingClientRect().width / el.getBoundingClientRect().width;
            }),
          );
        });
        expect(widest, where).toBeGreaterThan(0.75);
      }
      await page.context().close();
    }
  });

  it('fits three stacked channels of three lines, labels included, at every size', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    for (const lang of ['ar', 'en', 'ru'] as const) {
      for (const row of breakIntoLines(WIDE_TEXT[lang], lineLengthFor(lang)).slice(0, 3)) await publish(op, lang, row);
    }
    for (const viewport of VIEWPORTS) {
      const { page } = await harness().open(hub, 'room=main&channels=ar,en,ru&lines=3', viewport);
      await waitLive(page);
      await page.waitForFunction(() => document.querySelectorAll('.row').length === 9, undefined, POLL);
      const boxes = await page.evaluate(() => ({
        labels: [...document.querySelectorAll('.label')].map((el) => {
          const r = el.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, size: parseFloat(getComputedStyle(el).fontSize), text: el.textContent };
        }),
        rows: [...document.querySelectorAll('.row')].map((el) => el.getBoundingClientRect().bottom),
        wraps: [...document.querySelectorAll('.row .text')].filter((el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
        }).length,
      }));
      const where = `${viewport.width}x${viewport.height}`;
      expect(boxes.labels.map((l) => l.text)).toEqual(['العربية', 'English', 'Русский']);
      expect(boxes.labels[0]?.top, `${where}: the top label is clipped`).toBeGreaterThanOrEqual(0);
      for (const label of boxes.labels) expect(label.size, where).toBeGreaterThanOrEqual(12);
      expect(Math.max(...boxes.rows), where).toBeLessThanOrEqual(viewport.height);
      expect(boxes.wraps, where).toBe(0);
      if (viewport.width === 1280) await page.screenshot({ path: join(ARTIFACTS, 'layout-stacked-3x3-1280x720.png') });
      await page.context().close();
    }
  });

  it("marks a partial apart from a final in every theme and every script, Arabic included; a partial's settled words look committed", async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    // Each partial's first words are settled (speech-to-text committed them; the line is still open).
    const samples = {
      ar: ['تم اعتماد القرار بالإجماع.', 'ننتقل الآن ', 'إلى البند'],
      en: ['The resolution is adopted.', 'We now turn ', 'to item'],
      ru: ['Резолюция принята.', 'Переходим к ', 'пункту'],
    };
    for (const [lang, [final, settled, pending]] of Object.entries(samples)) {
      await publish(op, lang, final ?? '');
      await publish(op, lang, `${settled}${pending}`, 'partial', undefined, { source: 'floor-stt', stableChars: settled?.length ?? 0 });
    }
    for (const theme of DISPLAY_THEMES) {
      const { page } = await harness().open(hub, `room=main&channels=ar,en,ru&theme=${theme}`);
      await waitLive(page);
      await page.waitForFunction(() => document.querySelectorAll('.row.partial').length === 3, undefined, POLL);
      const styles = await page.$$eval('section.channel', (sections) =>
        sections.map((section) => {
          const look = (el: Element | null): { color: string; decoration: string; style: string; left: number; right: number } => {
            const s = el ? getComputedStyle(el) : null;
            const box = el?.getBoundingClientRect();
            return { color: s?.color ?? '', decoration: `${s?.textDecorationLine} ${s?.textDecorationStyle}`, style: s?.fontStyle ?? '', left: box?.left ?? NaN, right: box?.right ?? NaN };
          };
          return {
            channel: section.getAttribute('data-channel'),
            dir: getComputedStyle(section.querySelector('.row.partial') as Element).direction,
            final: look(section.querySelector('.row:not(.partial) .text')),
            partialText: look(section.querySelector('.row.partial .text')),
            settled: look(section.querySelector('.row.partial .settled')),
            partial: look(section.querySelector('.row.partial .pending')),
            background: getComputedStyle(document.querySelector('main') as Element).backgroundColor,
          };
        }),
      );
      for (const s of styles) {
        const where = `${theme}/${s.channel}`;
        // Over video the background is unknown: judge against black, what the text's outline shows it on.
        const background = s.background === 'rgba(0, 0, 0, 0)' ? 'rgb(0, 0, 0)' : s.background;
        expect(contrast(s.final.color, s.partial.color, background), `${where}: colour contrast`).toBeGreaterThanOrEqual(1.8);
        expect(s.partial.decoration, `${where}: partial marker`).toMatch(/underline/);
        expect(s.final.decoration, `${where}: final unmarked`).not.toMatch(/underline/);
        // The settled words: the committed colour, no marker (none on the row's text either, which would reach
        // them), and first in reading order (on the right in Arabic).
        expect(s.settled.color, `${where}: settled colour`).toBe(s.final.color);
        expect(`${s.settled.decoration} ${s.partialText.decoration}`, `${where}: settled unmarked`).not.toMatch(/underline/);
        if (s.dir === 'rtl') expect(s.settled.left, `${where}: settled on the right`).toBeGreaterThanOrEqual(s.partial.right - 1);
        else expect(s.settled.right, `${where}: settled on the left`).toBeLessThanOrEqual(s.partial.left + 1);
      }
      await page.screenshot({ path: join(ARTIFACTS, `partial-${theme}.png`) });
      await page.context().close();
    }
  });

  it('keeps the final period of an all-Latin line on the Arabic channel where its writer put it', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const { page } = await harness().open(hub, 'room=main&channels=ar');
    await waitLive(page);
    const id = await publish(op, 'ar', 'Thank you, Mr. President.');
    await waitForRowText(page, 'ar', 'Thank you, Mr. President.');
    const layout = await page.$eval(`.row[data-line-id="${id}"]`, (row) => {
      const node = (row.querySelector('.text') ?? row).firstChild as Text;
      const text = node.data;
      const rangeOf = (from: number, to: number): DOMRect => {
        const r = document.createRange();
        r.setStart(node, from);
        r.setEnd(node, to);
        return r.getBoundingClientRect();
      };
      const word = text.indexOf('President');
      return {
        rowRight: row.getBoundingClientRect().right,
        textRight: rangeOf(0, text.length).right,
        president: rangeOf(word, word + 'President'.length),
        period: rangeOf(text.length - 1, text.length),
        thank: rangeOf(0, 5),
      };
    });
    // Aligned like the Arabic channel (to the right)...
    expect(Math.abs(layout.textRight - layout.rowRight)).toBeLessThan(2);
    // ...and read left to right, the period right after "President", not at the far left.
    expect(layout.period.left).toBeGreaterThanOrEqual(layout.president.right - 1);
    expect(layout.thank.left).toBeLessThan(layout.president.left);
    await page.screenshot({ path: join(ARTIFACTS, 'latin-on-arabic.png') });
  });

  it('shows a quiet sign while connected and waiting, except over video, and keeps a title-safe margin', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const { page } = await harness().open(hub, 'room=main&channels=en');
    await waitLive(page);
    await page.waitForSelector('.waiting', { timeout: POLL.timeout });
    const sign = await page.$eval('.waiting', (el) => ({ text: el.textContent ?? '', size: parseFloat(getComputedStyle(el).fontSize), opacity: getComputedStyle(el).color }));
    expect(sign.text).toContain('waiting');
    expect(sign.size).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: join(ARTIFACTS, 'waiting-dark.png') });
    await publish(op, 'en', 'Good morning.');
    await page.waitForSelector('.waiting', { state: 'detached', timeout: POLL.timeout });

    for (const theme of ['transparent', 'green']) {
      const { page: video } = await harness().open(hub, `room=main&channels=ru&theme=${theme}`);
      await waitLive(video);
      expect(await video.$$eval('.waiting', (els) => els.length), theme).toBe(0);
    }

    const safe = await harness().open(hub, 'room=main&channels=en&safe=title', { width: 1920, height: 1080 });
    await waitLive(safe.page);
    await waitForRowText(safe.page, 'en', 'Good morning.');
    const text = await safe.page.$eval('.row .text', (el) => el.getBoundingClientRect().left);
    const row = await safe.page.$eval('.row', (el) => el.getBoundingClientRect().bottom);
    expect(text).toBeGreaterThanOrEqual(192 - 1);
    expect(row).toBeLessThanOrEqual(1080 - 108 + 1);
    await safe.page.screenshot({ path: join(ARTIFACTS, 'safe-title-1920x1080.png') });
  });

  it('says it is reconnecting in a bar a phone can read', async () => {
    const hub = await harness().startHub();
    const { page } = await harness().open(hub, 'room=main&channels=en', { width: 390, height: 844 });
    await waitLive(page);
    await harness().stopHub(hub);
    await page.waitForSelector('.status.lost', { timeout: POLL.timeout });
    const bar = await page.$eval('.status', (el) => ({ ...el.getBoundingClientRect().toJSON(), size: parseFloat(getComputedStyle(el).fontSize), text: el.textContent }));
    expect(bar.text).toContain('reconnecting');
    expect(bar.left).toBeGreaterThanOrEqual(0);
    expect(bar.right).toBeLessThanOrEqual(390);
    expect(bar.size).toBeGreaterThanOrEqual(14);
    await page.screenshot({ path: join(ARTIFACTS, 'reconnecting-390x844.png') });
  });

  it('draws every theme at every size with stacked ar/en/ru and a 270-character line in each (screenshots)', { timeout: 240_000 }, async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    // Every page is open before the lines arrive, so each rolls them up as a room screen would.
    const pages: Array<{ name: string; page: Page; errors: string[] }> = [];
    for (const theme of DISPLAY_THEMES) {
      for (const viewport of VIEWPORTS) {
        const { page, errors } = await harness().open(hub, `room=main&channels=ar,en,ru&theme=${theme}`, viewport);
        await waitLive(page);
        pages.push({ name: `${theme}-${viewport.width}x${viewport.height}`, page, errors });
      }
    }
    for (const lang of ['ar', 'en', 'ru'] as const) await publish(op, lang, LONG_LINES[lang]);
    await pages[0]?.page.waitForTimeout(4_000);
    // All at once: the frames show the same moment of the roll-up.
    await Promise.all(pages.map(({ name, page }) => page.screenshot({ path: join(ARTIFACTS, `display-${name}.png`) })));
    for (const { name, page } of pages) {
      for (const fit of await rowFits(page)) expect(fit.lines, `${name}: ${fit.text} ${fit.rects}`).toBe(1);
    }
    for (const lang of ['ar', 'en', 'ru'] as const) await publish(op, lang, PARTIALS[lang], 'partial');
    for (const { name, page, errors } of pages) {
      await page.waitForFunction(() => document.querySelectorAll('.row.partial').length === 3, undefined, POLL);
      await page.screenshot({ path: join(ARTIFACTS, `display-${name}-partial.png`) });
      for (const fit of await rowFits(page)) expect(fit.lines, `${name}: ${fit.text}`).toBe(1);
      expect(errors, name).toEqual([]);
    }
  });
});
