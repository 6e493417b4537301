/**
 * The assist rail in the built console page, in Debian's Chromium with a fake console API: floor captions in
 * English and Arabic put numbers (in the Russian booth's conventions), terms (with the Russian equivalent) and
 * names on the rail, newest on top; the transcript highlights the same number words and inflected terms; the
 * booth switches how figures are written; the glossary tab lists and searches the glossary. Leaves screenshots
 * in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, installFakeApi, useConsolePageRig } from './test-support/console-page';

const GLOSSARY = [
  { en: 'Tashkent Declaration', ru: 'Ташкентская декларация', ar: 'إعلان طشقند' },
  { en: 'Shanghai Cooperation Organisation (SCO)', ru: 'Шанхайская организация сотрудничества (ШОС)', ar: 'منظمة شنغهاي للتعاون' },
  { en: 'counter-terrorism', ru: 'противодействие терроризму', ar: 'مكافحة الإرهاب' },
  { en: 'member state', ru: 'государство-член', ar: 'دولة عضو|الدول الأعضاء' },
];

describe('assist rail in Chromium (fake API)', () => {
  const rig = useConsolePageRig();

  it('shows floor numbers, terms and names newest on top in the booth language, and a searchable glossary', async () => {
    const { context, page, problems } = await rig().openPage({ width: 1440, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    await page.addInitScript(installFakeApi, { channel: 'ru', glossary: GLOSSARY });
    await page.goto(`${rig().url}/index.html`);
    const rail = page.getByTestId('assist-rail');
    await rail.waitFor();
    const emit = (caption: object): Promise<void> =>
      page.evaluate((c) => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit('stt:caption', c), caption);
    // Figures group with no-break spaces; compared with plain ones.
    const items = async (): Promise<string[]> => (await rail.getByTestId('assist-item').locator('.primary').allTextContents()).map((t) => t.replace(/[\u00a0\u202f]/g, ' '));

    // A partial grows into a final: its items are replaced in place.
    await emit({ source: 'floor', id: 'f1', state: 'partial', text: 'The Tashkent Declaration pledges three hundred', start: 0, end: 3, lang: 'en' });
    await expect.poll(items).toEqual(['300', 'Ташкентская декларация']);
    await emit({ source: 'floor', id: 'f1', state: 'final', text: 'The Tashkent Declaration pledges three hundred and forty million dollars, said Maria Sanchez.', start: 0, end: 5, lang: 'en' });
    await expect.poll(items).toEqual(['Maria Sanchez', '340 000 000 долларов США', 'Ташкентская декларация']);
    // A new line goes on top: Arabic words for 2.5 million, an inflected term and an acronym.
    await emit({ source: 'floor', id: 'f2', state: 'final', text: 'خصصت الدول الأعضاء مليونين ونصف المليون دولار لمكافحة الإرهاب في الرابع من مارس', start: 6, end: 9, lang: 'ar' });
    await emit({ source: 'floor', id: 'f3', state: 'final', text: 'The SCO met on 15 May 2025.', start: 10, end: 12, lang: 'en' });
    await expect.poll(items).toEqual([
      '2025',
      '15 мая',
      'ШОС',
      '4 марта',
      'противодействие терроризму',
      '2 500 000 долларов США',
      'государство-член',
      'Maria Sanchez',
      '340 000 000 долларов США',
      'Ташкентская декларация',
    ]);
    const kinds = await rail.getByTestId('assist-item').evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
    expect(kinds.slice(0, 3)).toEqual(['number', 'number', 'term']);
    // Items are big enough to read at a glance, and Arabic stays right to left where it is heard.
    const fontSize = await rail.getByTestId('assist-item').first().locator('.primary').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(20);
    expect(await rail.locator('.heard [lang="ar"]').first().getAttribute('dir')).toBe('rtl');

    // The transcript highlights come from the same pass: number words and inflected terms.
    const floor = page.getByTestId('floor-transcript');
    expect(await floor.locator('[data-kind="number"]').allTextContents()).toContain('three hundred and forty million dollars');
    expect(await floor.locator('[data-kind="term"]').allTextContents()).toContain('لمكافحة الإرهاب');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-assist-rail.png') });

    // The booth prefers scale words.
    await rail.getByTestId('style-scale').click();
    await expect.poll(async () => (await items()).at(-2)).toBe('340 миллионов долларов США');

    // The glossary tab: every row, searchable in any language and form.
    await rail.getByTestId('glossary-tab').click();
    await expect.poll(() => rail.getByTestId('glossary-row').count()).toBe(4);
    await rail.getByTestId('glossary-search').fill('декларации');
    await expect.poll(() => rail.getByTestId('glossary-row').count()).toBe(1);
    expect(await rail.getByTestId('glossary-row').first().textContent()).toContain('Tashkent Declaration');
    await rail.getByTestId('glossary-search').fill('الإرهاب');
    await expect.poll(() => rail.getByTestId('glossary-row').allTextContents()).toEqual([expect.stringContaining('противодействие терроризму')]);
    await rail.getByTestId('glossary-search').fill('');
    await page.screenshot({ path: join(ARTIFACTS, 'console-assist-glossary.png') });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
