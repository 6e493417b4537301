/**
 * The host console's settings in Debian's Chromium (built page, fake console API): the hosted hub's platform
 * outputs are listed, added and removed there; a stored credential shows as "stored" and never as its value; a
 * mistake is said at Save in the schema's words and the edit stays; join mode hides the section.
 * Leaves a screenshot in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, installFakeApi, useConsolePageRig } from './test-support/console-page';

const ZOOM_TOKEN = 'https://wmcc.zoom.us/closedcaption?id=991&ns=Rm9v&expire=86400&sig=SECRETSIG42';

describe('settings: platform outputs of the hosted hub (Chromium)', () => {
  const rig = useConsolePageRig();

  it('lists, adds and removes outputs, keeps credentials write-only, and says what is wrong at Save', async () => {
    const { context, page, problems } = await rig().openPage({ width: 1280, height: 900 });
    await page.addInitScript(installFakeApi, {
      channel: 'en',
      role: 'operator' as const,
      settings: {
        // As the console gives them: credentials masked.
        outputs: [
          { kind: 'youtube', id: 'yt-en', room: 'main', channel: 'en', url: 'http://upload.youtube.com/closedcaption?…' },
          { kind: 'obs', id: 'obs-en', room: 'main', channel: 'en', url: 'ws://127.0.0.1:4455', password: '•stored•' },
        ],
      },
    });
    await page.goto(`${rig().url}/index.html`);
    await page.getByTestId('outputs-panel').waitFor();
    await page.keyboard.press('Alt+S');
    const section = page.getByTestId('output-settings');
    await section.waitFor();

    const ytUrl = page.getByLabel('Ingestion URL of yt-en');
    expect(await ytUrl.getAttribute('type')).toBe('password');
    expect(await ytUrl.inputValue()).toBe('');
    expect(await ytUrl.getAttribute('placeholder')).toBe('stored (type to replace)');
    expect(await page.getByTestId('output-row-yt-en').getByTestId('stored-target').textContent()).toBe('stored: http://upload.youtube.com/closedcaption?…');
    const obsPassword = page.getByLabel('Password of obs-en');
    expect(await obsPassword.inputValue()).toBe('');
    expect(await obsPassword.getAttribute('placeholder')).toBe('stored (type to replace)');

    await page.getByLabel('Kind of output').selectOption('zoom');
    await page.getByRole('button', { name: 'Add output' }).click();
    const zoom = page.getByTestId('output-row-zoom-ar');
    await zoom.waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.locator('aside[aria-label="Settings"] [role=alert]');
    await expect.poll(() => alert.textContent()).toBe('Output zoom-ar: paste the Caption API token URL.');
    const token = page.getByLabel('Caption API token URL of zoom-ar');
    await token.fill('wmcc.zoom.us/closedcaption');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => alert.textContent()).toBe('Output zoom-ar: Caption API token URL: an http(s) URL');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-output-settings-error.png') });
    const calls = (): Promise<unknown[][]> =>
      page.evaluate(() => (window as unknown as { __calls: { method: string; args: unknown[] }[] }).__calls.filter((c) => c.method === 'updateSettings').map((c) => c.args));
    expect(await calls()).toEqual([]);

    // Nothing lost: the typed token is still there to correct.
    expect(await token.inputValue()).toBe('wmcc.zoom.us/closedcaption');
    await token.fill(ZOOM_TOKEN);
    await zoom.getByLabel('Channel').selectOption('ru');
    await page.getByTestId('output-row-obs-en').getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(calls).toEqual([[{
      outputs: [
        { kind: 'youtube', id: 'yt-en', room: 'main', channel: 'en', url: 'http://upload.youtube.com/closedcaption?…' },
        { kind: 'zoom', id: 'zoom-ar', room: 'main', channel: 'ru', url: ZOOM_TOKEN },
      ],
    }]]);
    expect(await alert.count()).toBe(0);
    // Saved: the token shows as stored, never as its value.
    const savedToken = page.getByLabel('Caption API token URL of zoom-ar');
    await expect.poll(() => savedToken.getAttribute('placeholder')).toBe('stored (type to replace)');
    expect(await savedToken.inputValue()).toBe('');
    expect(await page.locator('aside[aria-label="Settings"]').innerHTML()).not.toContain('SECRETSIG42');
    expect(await page.getByTestId('output-row-obs-en').count()).toBe(0);
    await page.getByTestId('output-settings').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'console-output-settings.png') });

    // A console that joins a hub elsewhere configures no outputs here.
    await page.getByText('Join a hub').click();
    await expect.poll(() => page.getByTestId('output-settings').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
