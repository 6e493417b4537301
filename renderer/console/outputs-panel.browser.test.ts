/**
 * The operator view's platform outputs panel in Debian's Chromium (built page, fake console API): each output's
 * state with the platform's code, last caption, backlog, drops; a failing output is counted as needing
 * attention; the switch goes to the API and the row shows the answer; Arabic on OBS cannot be switched on.
 * Leaves a screenshot in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutputStatus } from '../../electron/common/caption-outputs';
import { ARTIFACTS, installFakeApi, useConsolePageRig } from './test-support/console-page';

const base = { room: 'main', leader: true, retries: 0, dropped: { stale: 0, overflow: 0, refused: 0 } };

describe('operator view: platform outputs (Chromium)', () => {
  const rig = useConsolePageRig();

  it('shows each output and its state, counts the failing one, and switches an output off', async () => {
    const { context, page, problems } = await rig().openPage({ width: 1440, height: 900 });
    const now = Date.now();
    await page.addInitScript(installFakeApi, {
      channel: 'en',
      role: 'operator' as const,
      outputs: ([
        { ...base, id: 'yt-en', kind: 'youtube', channel: 'en', target: 'https://upload.youtube.com/closedcaption?…', enabled: true, state: 'sending', lastCaptionAt: now - 3000, backlog: 0, delivered: 42, seq: 42 },
        { ...base, id: 'zoom-ar', kind: 'zoom', channel: 'ar', target: 'https://wmcc.zoom.us/closedcaption?…', enabled: true, state: 'failing', code: '403', message: 'Zoom refused the caption token: copy a new API token into the output', lastCaptionAt: null, backlog: 7, delivered: 0, dropped: { stale: 2, overflow: 0, refused: 0 } },
        { ...base, id: 'teams-ru', kind: 'teams', channel: 'ru', target: 'https://api.captions.office.microsoft.com/cartcaption?…', enabled: true, state: 'failing', code: '404', message: 'Teams: the meeting has not started or CART captions are off (retry in 5 s)', lastCaptionAt: now - 125_000, backlog: 1, delivered: 9 },
        { ...base, id: 'obs-ar', kind: 'obs', channel: 'ar', target: 'ws://127.0.0.1:4455/', enabled: false, state: 'stopped', code: 'NOT_LATIN', message: 'CEA-608 stream captions carry Latin script only', lastCaptionAt: null, backlog: 0, delivered: 0 },
        { ...base, id: 'files-en', kind: 'file', channel: 'en', target: 'file:/srv/live', enabled: true, state: 'sending', lastCaptionAt: now - 1000, backlog: 0, delivered: 43 },
      ] satisfies OutputStatus[]),
    });
    await page.goto(`${rig().url}/index.html`);

    const panel = page.getByTestId('outputs-panel');
    await panel.waitFor();
    await expect.poll(() => panel.locator('tbody tr').count()).toBe(5);
    expect(await page.getByTestId('output-zoom-ar').getByTestId('output-state').textContent()).toBe('failing 403');
    expect(await page.getByTestId('output-zoom-ar').textContent()).toContain('copy a new API token');
    expect(await page.getByTestId('output-yt-en').textContent()).toMatch(/YouTube yt-en.*EN.*upload\.youtube\.com.*sending.*s ago.*42/);
    expect(await page.getByTestId('output-teams-ru').textContent()).toContain('2 min ago');
    expect(await page.getByTestId('outputs-attention').textContent()).toBe('3 need attention');
    // The failing badge stands out (not the same colour as a healthy one).
    const colours = await Promise.all(['yt-en', 'zoom-ar'].map((id) => page.getByTestId(`output-${id}`).getByTestId('output-state').evaluate((el) => getComputedStyle(el).backgroundColor)));
    expect(colours[0]).not.toBe(colours[1]);
    // A Latin-only OBS track refused for Arabic cannot be switched on from here.
    expect(await page.getByTestId('output-obs-ar').getByRole('button', { name: 'Switch on' }).isDisabled()).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-outputs.png') });

    await page.getByTestId('output-yt-en').getByRole('button', { name: 'Switch off' }).click();
    await expect.poll(() => page.getByTestId('output-yt-en').getByTestId('output-state').textContent()).toBe('stopped');
    const calls = await page.evaluate(() => (window as unknown as { __calls: { method: string; args: unknown[] }[] }).__calls.filter((c) => c.method === 'setOutputEnabled').map((c) => c.args));
    expect(calls).toEqual([['yt-en', false]]);
    await expect.poll(() => page.getByTestId('output-yt-en').getByRole('button', { name: 'Switch on' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
