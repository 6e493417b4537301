/**
 * The paced roll-up in Chromium against a real hub: a 270-character final on a two-line display scrolls up row
 * by row at reading pace with every row on screen at some point, and a display that falls behind catches up
 * within the bound without passing over a row. Records what the page shows with a MutationObserver and the
 * page's own clock; timing assertions have wide margins (the machine is shared).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { breakIntoLines, lineLengthFor } from '../../electron/common/line-breaking';
import { ARTIFACTS, useDisplayHarness, LONG_LINES, POLL, publish, waitForRowText, waitLive } from './test-support/display-harness';

const harness = useDisplayHarness();

interface Sample {
  /** Page time (ms). */
  t: number;
  rows: Record<string, string[]>;
  catchingUp: string[];
}

/** Starts recording every change of the rows on screen. */
async function record(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { samples: Sample[] };
    w.samples = [];
    const take = (): void => {
      const rows: Record<string, string[]> = {};
      const catchingUp: string[] = [];
      for (const section of document.querySelectorAll<HTMLElement>('section.channel')) {
        const channel = section.dataset.channel ?? '';
        rows[channel] = [...section.querySelectorAll('.row')].map((el) => el.textContent ?? '');
        if (section.dataset.catchingUp === 'true') catchingUp.push(channel);
      }
      w.samples.push({ t: performance.now(), rows, catchingUp });
    };
    new MutationObserver(take).observe(document.querySelector('.channels') as Node, { subtree: true, childList: true, characterData: true, attributes: true });
    take();
  });
}

const samples = (page: Page): Promise<Sample[]> => page.evaluate(() => (window as unknown as { samples: Sample[] }).samples);
const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now());

/** When each of `rows` first came on screen in `channel` (page time), or undefined if it never did. */
function firstSeen(all: Sample[], channel: string, rows: string[]): Array<number | undefined> {
  return rows.map((row) => all.find((s) => s.rows[channel]?.includes(row))?.t);
}

describe('paced roll-up in Chromium', () => {
  it('scrolls a 270-character final up row by row at reading pace in ar, en and ru, every row on screen', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const { page } = await harness().open(hub, 'room=main&channels=ar,en,ru&lines=2');
    await waitLive(page);
    for (const lang of ['ar', 'en', 'ru'] as const) await publish(op, lang, lang === 'ar' ? 'صباح الخير.' : 'Good morning.');
    await waitForRowText(page, 'ru', 'Good morning.');
    await record(page);
    const start = await pageNow(page);
    for (const lang of ['ar', 'en', 'ru'] as const) await publish(op, lang, LONG_LINES[lang]);

    const expected = Object.fromEntries((['ar', 'en', 'ru'] as const).map((lang) => [lang, breakIntoLines(LONG_LINES[lang], lineLengthFor(lang))]));
    await page.waitForTimeout(4_000);
    await page.screenshot({ path: join(ARTIFACTS, 'roll-up-mid-1280x720.png') });
    for (const lang of ['ar', 'en', 'ru'] as const) await waitForRowText(page, lang, expected[lang]?.at(-1) ?? '');
    const all = await samples(page);

    for (const lang of ['ar', 'en', 'ru'] as const) {
      const rows = expected[lang] ?? [];
      expect(rows.length, lang).toBeGreaterThanOrEqual(6);
      const seen = firstSeen(all, lang, rows);
      expect(seen.map((t, i) => (t === undefined ? rows[i] : 'seen')), `${lang}: rows never on screen`).toEqual(rows.map(() => 'seen'));
      const times = seen as number[];
      // The first two rows at once (not the last two), then one row each time one has been read.
      expect((times[1] ?? 0) - start, lang).toBeLessThan(3_000);
      for (let k = 2; k < rows.length; k += 1) {
        // 17 characters per second: a 35-42 character row takes 2-2.5 s; never less than ~1.5 s.
        expect((times[k] ?? 0) - (times[k - 1] ?? 0), `${lang}: row ${k} came too soon after row ${k - 1}`).toBeGreaterThan(1_200);
      }
      const characters = rows.slice(0, -2).reduce((n, r) => n + [...r].length, 0);
      const took = (times.at(-1) ?? 0) - (times[1] ?? 0);
      expect(took, lang).toBeGreaterThan((characters / 17) * 1000 * 0.8);
      expect(took, lang).toBeLessThan((characters / 17) * 1000 * 1.6 + 3_000);
      // Never more than two rows of the channel on screen.
      expect(Math.max(...all.map((s) => s.rows[lang]?.length ?? 0))).toBeLessThanOrEqual(2);
    }
  });

  it('catches up visibly when a second long final arrives, the newest within the bound, no row unseen', async () => {
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const { page } = await harness().open(hub, 'room=main&channels=en&lines=2');
    await waitLive(page);
    await record(page);
    const second = 'Turning to the budget, the Committee approved the estimates for the biennium and asked the secretariat to report on the savings achieved through the new procurement rules, the shared services centre in Tashkent and the review of travel.';
    await publish(op, 'en', LONG_LINES.en);
    const arrived = await pageNow(page);
    await publish(op, 'en', second);
    const firstRows = breakIntoLines(LONG_LINES.en, 42);
    const secondRows = breakIntoLines(second, 42);
    await waitForRowText(page, 'en', secondRows.at(-1) ?? '');
    const all = await samples(page);

    const seenFirst = firstSeen(all, 'en', firstRows);
    expect(seenFirst.every((t) => t !== undefined), 'every row of the first final came on screen').toBe(true);
    const secondStart = firstSeen(all, 'en', secondRows)[0] ?? Infinity;
    // Within the 6 s bound (and a wide margin), where reading the first final whole would take ~12 s.
    expect(secondStart - arrived).toBeLessThan(9_000);
    expect(all.some((s) => s.catchingUp.includes('en')), 'the page says it is catching up').toBe(true);
    // Faster than reading pace while catching up, but each row still on screen for about 1.5 s.
    const gaps = (seenFirst as number[]).slice(2).map((t, i) => t - ((seenFirst as number[])[i + 1] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThan(400);
    expect(Math.min(...gaps)).toBeLessThan(1_800);
    await page.waitForFunction(() => document.querySelector('section[data-catching-up="true"]') === null, undefined, POLL);
  });

  it('flows a live source\'s short lines into full rows: every row on screen whole, read at pace, no catch-up', async () => {
    // A voice source on a slow machine sends a line per pass: two to four words every 1.2 s or so, each first as a
    // partial. A row per line would fill a two-row wall with a few words; flowed, each row is full.
    const hub = await harness().startHub();
    const op = await harness().operator(hub);
    const { page } = await harness().open(hub, 'room=main&channels=en&lines=2');
    await waitLive(page);
    await record(page);
    const lines = [
      'Good morning,', 'distinguished delegates,', 'and welcome to', 'the second session', 'of the Committee.',
      'The Chair will', 'now give the', 'floor to the', 'delegation of the', 'Russian Federation.',
      'We have studied', 'the report with', 'great care.',
    ];
    for (const [i, text] of lines.entries()) {
      const id = `v${i + 1}`;
      const first = text.split(' ')[0] ?? text;
      await publish(op, 'en', first, 'partial', id, { source: 'voice-stt', stableChars: 0 });
      await page.waitForTimeout(400);
      await publish(op, 'en', text, 'final', id, { source: 'voice-stt' });
      await page.waitForTimeout(800);
      if (i === 6) await page.screenshot({ path: join(ARTIFACTS, 'roll-up-flow-1280x720.png') });
    }
    const rows = breakIntoLines(lines.join(' '), 42);
    await waitForRowText(page, 'en', rows.at(-1) ?? '');
    const all = await samples(page);
    // Every row was on screen whole (a row grows as the next line goes on in it), and full but the last.
    const seen = firstSeen(all, 'en', rows);
    expect(seen.map((t, i) => (t === undefined ? rows[i] : 'seen'))).toEqual(rows.map(() => 'seen'));
    for (const row of rows.slice(0, -1)) expect(row.length).toBeGreaterThanOrEqual(34);
    expect(rows.length).toBeLessThan(lines.length / 2);
    expect(Math.max(...all.map((s) => s.rows.en?.length ?? 0))).toBeLessThanOrEqual(2);
    expect(all.some((s) => s.catchingUp.includes('en'))).toBe(false);
  });
});
