/**
 * The built console page in Debian's Chromium with a fake console API injected as `window.tarjuman` (as the
 * preload would): typing shows a live partial, Enter commits, Arabic lays out right to left, floor lines show
 * numbers and glossary terms as highlighted text spans, and the real AudioWorklet from the production build
 * captures the fake microphone as 16 kHz frames. Leaves a screenshot in test-artifacts/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, installFakeApi, useConsolePageRig } from './test-support/console-page';

type Published = { id: string; state: string; text: string; source: string; lang?: string };
const publishes = (page: Page): Promise<Published[]> =>
  page.evaluate(() => ((window as unknown as { __calls: { method: string; args: unknown[] }[] }).__calls).filter((c) => c.method === 'publish').map((c) => c.args[0] as Published));

describe('console page in Chromium (fake API)', () => {
  const rig = useConsolePageRig();

  it('types a live partial, commits with Enter, lays Arabic out rtl, highlights floor numbers and terms, captures audio', async () => {
    const { context, page, problems } = await rig().openPage({ width: 1440, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()} ${m.location().url}`);
    });
    await page.addInitScript(installFakeApi, { channel: 'ar' });
    await page.goto(`${rig().url}/index.html`);

    // Arabic channel: the input lays out right to left.
    const input = page.getByTestId('typed-input');
    await input.waitFor();
    expect(await input.getAttribute('dir')).toBe('rtl');
    expect(await input.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await page.getByTestId('on-air').textContent()).toBe('ON AIR');

    // Typing shows the live partial, on the page and on the wire.
    await input.click();
    await input.pressSequentially('مرحبا بكم في 2025', { delay: 15 });
    await expect.poll(() => page.getByTestId('typed-partial').textContent()).toContain('مرحبا بكم في 2025');
    await expect.poll(async () => (await publishes(page)).at(-1)).toMatchObject({ state: 'partial', text: 'مرحبا بكم في 2025', source: 'typed', lang: 'ar' });
    await expect.poll(() => page.getByTestId('preview-ar').textContent()).toContain('مرحبا بكم في 2025');
    const partialRow = page.getByTestId('preview-ar').locator('.row').last();
    expect(await partialRow.getAttribute('dir')).toBe('rtl');

    // Enter commits under the same id and empties the input.
    await input.press('Enter');
    await expect.poll(async () => (await publishes(page)).at(-1)?.state).toBe('final');
    const sent = await publishes(page);
    expect(sent.at(-1)).toMatchObject({ text: 'مرحبا بكم في 2025', state: 'final' });
    expect(new Set(sent.map((p) => p.id)).size).toBe(1);
    expect(await input.inputValue()).toBe('');
    await expect.poll(() => page.getByTestId('sent-line').count()).toBe(1);
    expect(await page.getByTestId('sent-line').first().textContent()).toContain('مرحبا بكم في 2025');

    // Floor transcript: numbers, names and glossary terms as text spans; markup stays text.
    await page.evaluate(() => {
      const emit = (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit;
      emit('stt:caption', { source: 'floor', id: 'f1', state: 'final', text: 'In 2024 Maria Sanchez pledged 12.5% more climate finance <b>now</b>', start: 3, end: 7, lang: 'en', uncertain: [[60, 63]] });
      emit('stt:caption', { source: 'floor', id: 'f2', state: 'final', text: 'نحتاج إلى تمويل المناخ بقيمة ٣٠٠ مليار دولار', start: 8, end: 12, lang: 'ar' });
      emit('stt:caption', { source: 'floor', id: 'f3', state: 'partial', text: 'and the next speaker', start: 13, end: 14, lang: 'en', stableChars: 8 });
    });
    const floor = page.getByTestId('floor-transcript');
    await expect.poll(() => floor.locator('[data-kind="number"]').allTextContents()).toEqual(['2024', '12.5%', '٣٠٠ مليار دولار']);
    expect(await floor.locator('[data-kind="term"]').allTextContents()).toEqual(['climate finance', 'تمويل المناخ']);
    expect(await floor.locator('[data-kind="name"]').allTextContents()).toEqual(['Maria Sanchez']);
    expect(await floor.locator('[data-kind="term"]').first().evaluate((el) => el.tagName)).toBe('SPAN');
    expect(await floor.locator('b').count()).toBe(0);
    expect(await floor.textContent()).toContain('<b>now</b>');
    expect(await floor.locator('.uncertain').count()).toBeGreaterThan(0);
    expect(await floor.locator('p.line').nth(1).getAttribute('dir')).toBe('rtl');
    expect(await page.getByTestId('floor-partial').textContent()).toContain('and the next speaker');
    // Its committed words ("and the ") look like the lines above; only "next speaker" is marked as still changing.
    const partialLook = await page.getByTestId('floor-partial').evaluate((p) => {
      const text = p.querySelector('.text') as Element;
      const pending = [...text.querySelectorAll('.pending')];
      return { pending: pending.map((el) => el.textContent).join(''), pendingStyle: pending[0] && getComputedStyle(pending[0]).fontStyle, textStyle: getComputedStyle(text).fontStyle };
    });
    expect(partialLook).toEqual({ pending: 'next speaker', pendingStyle: 'italic', textStyle: 'normal' });

    // The production AudioWorklet captures the fake microphone as 16 kHz, 100 ms frames.
    await page.getByRole('button', { name: 'Start floor' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { __audio: unknown[] }).__audio.length), { timeout: 20_000 }).toBeGreaterThan(5);
    const frames = await page.evaluate(() => (window as unknown as { __audio: { source: string; length: number; rms: number }[] }).__audio);
    expect(frames.every((f) => f.source === 'floor' && f.length === 1600)).toBe(true);
    expect(Math.max(...frames.map((f) => f.rms))).toBeGreaterThan(0.01);
    await expect.poll(() => page.locator('.capture .state').first().textContent()).toContain('live');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-booth.png') });
    await page.keyboard.press('Alt+O');
    await page.getByTestId('op-ar').waitFor();
    expect(await page.getByTestId('op-ar').textContent()).toContain('مرحبا بكم في 2025');
    await page.screenshot({ path: join(ARTIFACTS, 'console-operator.png') });
    writeFileSync(join(ARTIFACTS, 'console-page-errors.txt'), problems.join('\n'));
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('never shows plain ON AIR while lines do not reach the hub; shows delivery figures; held lines wait for release or discard', async () => {
    const { context, page, problems } = await rig().openPage({ width: 1280, height: 720 });
    await page.addInitScript(installFakeApi, { channel: 'en' });
    await page.goto(`${rig().url}/index.html`);
    const badge = page.getByTestId('on-air');
    await badge.waitFor();
    const emit = (event: string, payload: unknown): Promise<void> =>
      page.evaluate(([e, p]) => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit(e as string, p), [event, payload] as const);
    const hub = await page.evaluate(() => (window as unknown as { __snapshot: { hub: Record<string, unknown> } }).__snapshot.hub);
    const figures = (): Promise<string[]> => page.getByTestId('delivery-status').locator('[data-figure]').allTextContents();

    expect(await badge.textContent()).toBe('ON AIR');
    expect(await figures()).toEqual(['hub 3 ms', '1 display']);

    // A line unacknowledged for over a second, then the link lost: the indicator says so, in both places.
    await emit('hub:status', { ...hub, outboxPending: 1, delivery: { state: 'late', reason: 'No answer from the hub for 1.2 s; lines wait in the outbox.', oldestPendingMs: 1200 } });
    await expect.poll(() => badge.textContent()).toBe('ON AIR · NOT CONFIRMED');
    await emit('hub:status', { ...hub, state: 'connecting', latencyMs: null, outboxPending: 3, delivery: { state: 'failing', reason: 'Lost the hub (transport close); reconnecting. Lines wait in the outbox.', oldestPendingMs: 4000 } });
    await expect.poll(() => badge.textContent()).toBe('ON AIR · NOT DELIVERED');
    expect(await page.getByTestId('on-air-compact').textContent()).toBe('ON AIR · NOT DELIVERED');
    expect(await page.getByTestId('delivery-status').getByRole('status').textContent()).toContain('Lost the hub');
    // Speech-to-text behind and dropping audio.
    await emit('stt:status', { source: 'floor', status: 'busy', lagSeconds: 4.2, droppedFrames: 32_000 });
    await expect.poll(figures).toEqual(['hub —', '1 display', 'floor 4.2 s behind', 'floor 2.0 s dropped']);
    expect(await page.locator('[data-figure="lag-floor"]').evaluate((el) => el.classList.contains('warn'))).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'console-not-delivered.png') });
    // The verdict names both levers, the model and the glossary, and stays inside the floor panel.
    const realtime = { verdict: 'behind', level: 'shorter-buffer', stepSeconds: 3, bufferCapSeconds: 4, rtf: 0.53, measuredSeconds: 60, lagSeconds: 3.1, maxLagSeconds: 4.6, droppedSeconds: 0, glossaryTerms: 15 };
    await emit('stt:status', { source: 'floor', status: 'busy', lagSeconds: 3.1, realtime });
    const verdict = page.getByTestId('floor-realtime');
    await expect.poll(() => verdict.textContent()).toBe(
      'cannot keep up with this model on this machine: choose a smaller model or a shorter glossary (the prompt carries 15 glossary terms, decoded again in every pass); now shorter buffer, step 3.0 s',
    );
    const panel = await page.getByRole('region', { name: 'Floor transcript' }).boundingBox();
    const box = await verdict.boundingBox();
    expect(box && panel && box.x >= panel.x && box.x + box.width <= panel.x + panel.width + 0.5).toBe(true);
    await page.getByRole('region', { name: 'Floor transcript' }).screenshot({ path: join(ARTIFACTS, 'console-floor-verdict-glossary.png') });
    await emit('hub:status', hub);
    await expect.poll(() => badge.textContent()).toBe('ON AIR');

    // The operator mutes EN: two lines wait, visible with their text; Release waits for the unmute, Discard does not.
    const snapshot = await page.evaluate(() => (window as unknown as { __snapshot: Record<string, unknown> }).__snapshot);
    const held = [
      { id: 'h1', channel: 'en', text: 'Held while muted, one.', source: 'typed', committedAt: Date.now() - 5000, clientId: 'console-a', label: 'English booth A' },
      { id: 'h2', channel: 'en', text: 'Held while muted, two.', source: 'voice-stt', committedAt: Date.now() - 2000, clientId: 'console-a', label: 'English booth A' },
    ];
    await emit('state:changed', { ...snapshot, held, heldByMute: { en: 2 }, hubMutedChannels: ['en'] });
    const list = page.getByTestId('held-lines');
    await expect.poll(() => list.getByTestId('held-line').allTextContents()).toEqual([expect.stringContaining('Held while muted, one.'), expect.stringContaining('Held while muted, two.')]);
    expect(await list.getByRole('button', { name: 'Release all' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'console-held-lines.png') });
    await list.getByTestId('held-line').first().getByRole('button', { name: 'Discard' }).click();
    await emit('state:changed', { ...snapshot, held: held.slice(1), heldByMute: { en: 1 }, hubMutedChannels: [] });
    await expect.poll(() => list.getByTestId('held-line').count()).toBe(1);
    await list.getByRole('button', { name: 'Release all' }).click();
    const calls = await page.evaluate(() => (window as unknown as { __calls: { method: string; args: unknown[] }[] }).__calls.filter((c) => c.method === 'releaseHeld' || c.method === 'discardHeld'));
    expect(calls).toEqual([
      { method: 'discardHeld', args: [{ channel: 'en', ids: ['h1'] }] },
      { method: 'releaseHeld', args: [{ channel: 'en' }] },
    ]);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
