/**
 * The console page in Chromium (fake console API, 1280x720) for live work: a handover never takes the keyboard of
 * the interpreter on air, errors show in one compact area and leave when their condition ends, the keyboard alone
 * does the job (confirmations, corrections, undo, Enter-only), the sent list is the interpreter's own history, host
 * mode can be joined, the operator follows several rooms, and the script preview breaks rows like the display.
 * Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ensureRendererBuilt, installFakeApi, launchChromium, serveRenderer, type FakeApiOptions } from './test-support/console-page';

type Call = { method: string; args: unknown[] };

let browser: Browser;
let server: Server;
let baseUrl: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureRendererBuilt();
  ({ server, url: baseUrl } = await serveRenderer());
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** Opens the console page at 1280x720 on a fake API; page errors fail the test at its end. */
async function openConsole(options: FakeApiOptions): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript(installFakeApi, options);
  await page.goto(`${baseUrl}/index.html`);
  return { page, problems };
}

const calls = (page: Page, method: string): Promise<unknown[][]> =>
  page.evaluate((m) => (window as unknown as { __calls: Call[] }).__calls.filter((c) => c.method === m).map((c) => c.args), method);
const emit = (page: Page, event: string, payload: unknown): Promise<void> =>
  page.evaluate(([e, p]) => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit(e as string, p), [event, payload] as const);
const focusedTestId = (page: Page): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);

describe('handover in the browser', () => {
  it('a request never takes the keyboard of the console on air: typing and Enter go on, only the handover keys answer', async () => {
    const { page, problems } = await openConsole({
      channel: 'en',
      settings: { label: 'English booth A' },
      snapshot: { handover: { onAir: true, outgoing: null, incoming: null, partners: [{ clientId: 'console-b', label: 'English booth B', online: true, onAir: false }] } },
    });
    const input = page.getByTestId('typed-input');
    await input.waitFor();
    await expect.poll(() => page.getByTestId('partner').textContent()).toContain('online · English booth B');
    // The top bar stays one row at 1280 px with the on-air status and the partner in it.
    expect((await page.locator('header.bar').boundingBox())!.height).toBeLessThanOrEqual(48);

    await input.click();
    await input.pressSequentially('Good morning dele', { delay: 10 });
    await emit(page, 'handover:requested', { requestId: 'r1', channel: 'en', kind: 'request', fromLabel: 'English booth B', fromClientId: 'console-b' });
    const banner = page.getByTestId('handover-banner');
    await expect.poll(() => banner.textContent()).toContain('English booth B asks to take over EN');
    // No dialog, no focus moved: the next keys land in the input, and Enter commits the line (it answers nothing).
    expect(await page.locator('[role=alertdialog], [aria-modal=true]').count()).toBe(0);
    expect(await focusedTestId(page)).toBe('typed-input');
    await page.keyboard.type('gates');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await calls(page, 'publish')).map((a) => a[0] as { state: string; text: string }).filter((p) => p.state === 'final').map((p) => p.text)).toEqual([
      'Good morning delegates',
    ]);
    expect(await calls(page, 'respondHandover')).toEqual([]);
    expect(await focusedTestId(page)).toBe('typed-input');
    await page.screenshot({ path: join(ARTIFACTS, 'live-handover-request.png') });

    // Its own key answers it.
    await page.keyboard.press('Alt+H');
    await expect.poll(() => calls(page, 'respondHandover')).toEqual([[true]]);
    await emit(page, 'handover:completed', { requestId: 'r1', channel: 'en', outcome: 'accepted', onAir: false });
    await expect.poll(() => banner.textContent()).toContain('Handover done: you are off air on EN.');
    expect(await focusedTestId(page)).toBe('typed-input');
    expect(problems).toEqual([]);
  });

  it('the console on air offers the channel with the same key; the one off air asks, and the decline key withdraws', async () => {
    const { page } = await openConsole({ channel: 'en' });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('Alt+H');
    await expect.poll(() => calls(page, 'offerHandover')).toHaveLength(1);
    await expect.poll(() => page.getByTestId('handover-banner').textContent()).toContain('Offering EN');
    await page.keyboard.press('Alt+Shift+H');
    await expect.poll(() => calls(page, 'cancelHandover')).toHaveLength(1);

    const off = await openConsole({
      channel: 'en',
      snapshot: { handover: { onAir: false, outgoing: null, incoming: null, partners: [{ clientId: 'console-b', label: 'English booth B', online: true, onAir: true }] } },
    });
    await off.page.getByTestId('typed-input').waitFor();
    await expect.poll(() => off.page.getByTestId('partner').textContent()).toContain('on air · English booth B');
    await off.page.keyboard.press('Alt+H');
    await expect.poll(() => calls(off.page, 'requestHandover')).toHaveLength(1);
    expect(await calls(off.page, 'offerHandover')).toEqual([]);
    // An offer from the console on air: Alt+H takes it.
    await emit(off.page, 'handover:completed', { requestId: 'x', channel: 'en', outcome: 'declined', onAir: false });
    await emit(off.page, 'handover:requested', { requestId: 'o1', channel: 'en', kind: 'offer', fromLabel: 'English booth B', fromClientId: 'console-b' });
    await expect.poll(() => off.page.getByTestId('handover-banner').textContent()).toContain('English booth B offers you EN');
    await off.page.keyboard.press('Alt+H');
    await expect.poll(() => calls(off.page, 'respondHandover')).toEqual([[true]]);
  });
});

describe('errors in the browser', () => {
  it('five errors take one compact strip at 1280x720, need no click, and leave as their conditions end', async () => {
    const { page, problems } = await openConsole({
      channel: 'en',
      snapshot: {
        hub: { mode: 'host', state: 'error', url: null, latencyMs: null, error: { code: 'HOST_FAILED', message: 'Port 7300 is in use on this machine: pick another port or join the hub that runs there.' }, displayUrls: [], qrDataUrl: null, displayLinks: {}, outboxPending: 0 },
        handover: { onAir: false, outgoing: null, incoming: null, partners: [], booths: {} },
        alerts: [
          { key: 'session', code: 'SESSION_WRITE_FAILED', message: 'The session record cannot be written: the disk is full.', since: 1 },
          { key: 'settings', code: 'SETTINGS_WRITE_FAILED', message: 'The settings file cannot be written.', since: 2 },
        ],
      },
    });
    const input = page.getByTestId('typed-input');
    await input.waitFor();
    await page.evaluate(() => {
      const fail = (window as unknown as { __failNext: Record<string, unknown> }).__failNext;
      fail['startSource'] = { code: 'STT_FAILED', message: 'The speech-to-text worker did not start.' };
      fail['publish'] = { code: 'NOT_ON_AIR', message: 'The other console of this booth is on air; request a handover first.' };
    });
    await page.getByRole('button', { name: 'Start floor' }).click();
    await input.click();
    await input.press('x');
    const strip = page.getByTestId('alerts');
    await expect.poll(async () => (await strip.textContent()) ?? '').toMatch(/\+\d more/);
    expect(await strip.textContent()).toContain('HOST_FAILED');
    // One strip, two rows at most, nothing to dismiss.
    const box = await strip.boundingBox();
    expect(box!.height).toBeLessThanOrEqual(48);
    expect(await page.getByRole('button', { name: /dismiss/i }).count()).toBe(0);
    await strip.getByRole('button', { name: /more/ }).click();
    const all = await strip.getByRole('listitem').allTextContents();
    expect(all.map((t) => t.split(' ')[0]).sort()).toEqual(['HOST_FAILED', 'NOT_ON_AIR', 'SESSION_WRITE_FAILED', 'SETTINGS_WRITE_FAILED', 'STT_FAILED']);
    // The page below did not move: the channel panel starts where it did with one alert.
    await page.screenshot({ path: join(ARTIFACTS, 'live-alerts.png') });

    // The conditions end one by one: connected, floor running, on air, files written.
    await emit(page, 'hub:status', { mode: 'host', state: 'connected', url: 'http://127.0.0.1:7300', latencyMs: 3, error: null, displayUrls: [], qrDataUrl: null, displayLinks: {}, outboxPending: 0 });
    await emit(page, 'stt:status', { source: 'floor', status: 'ready' });
    await expect.poll(async () => (await strip.textContent()) ?? '').not.toContain('HOST_FAILED');
    expect(await strip.textContent()).not.toContain('STT_FAILED');
    await page.evaluate(() => {
      const w = window as unknown as { __snapshot: Record<string, unknown>; __emit: (e: string, p: unknown) => void };
      const s = w.__snapshot;
      s['hub'] = { ...(s['hub'] as object), state: 'connected', error: null };
      s['handover'] = { onAir: true, outgoing: null, incoming: null, partners: [], booths: {} };
      s['alerts'] = [];
      w.__emit('state:changed', s);
    });
    await expect.poll(() => strip.count()).toBe(0);
    expect(problems).toEqual([]);
  });
});

describe('keyboard-only work', () => {
  const finals = async (page: Page): Promise<string[]> =>
    (await calls(page, 'publish')).map((a) => a[0] as { state: string; text: string }).filter((p) => p.state === 'final').map((p) => p.text);
  const lastPartial = async (page: Page): Promise<string | undefined> =>
    (await calls(page, 'publish')).map((a) => a[0] as { state: string; text: string }).filter((p) => p.state === 'partial').at(-1)?.text;

  it("F6's confirmation takes Enter and Esc, and the focus comes back to the input", async () => {
    const { page } = await openConsole({ channel: 'en' });
    const input = page.getByTestId('typed-input');
    await input.click();
    await page.keyboard.press('F6');
    await expect.poll(() => page.getByRole('group', { name: /Clear EN on all displays/ }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('group', { name: /Clear EN/ }).count()).toBe(0);
    expect(await calls(page, 'clearChannel')).toEqual([]);
    await expect.poll(() => focusedTestId(page)).toBe('typed-input');
    await page.keyboard.press('F6');
    await page.keyboard.press('Enter');
    await expect.poll(() => calls(page, 'clearChannel')).toEqual([['en']]);
    await expect.poll(() => focusedTestId(page)).toBe('typed-input');
    await page.keyboard.type('next line');
    expect(await input.inputValue()).toBe('next line');
  });

  it('after a correction (F4, then Enter or Esc) the next keys go to the input', async () => {
    const { page } = await openConsole({ channel: 'en' });
    const input = page.getByTestId('typed-input');
    await input.click();
    await page.keyboard.type('The meeting starts at ten');
    await page.keyboard.press('Enter');
    await page.keyboard.press('F4');
    const edit = page.getByLabel('Correct line');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Correct line');
    await edit.fill('The meeting starts at eleven');
    await page.keyboard.press('Enter');
    await expect.poll(() => calls(page, 'revise')).toHaveLength(1);
    await expect.poll(() => focusedTestId(page)).toBe('typed-input');
    await page.keyboard.press('F4');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Correct line');
    await page.keyboard.press('Escape');
    await expect.poll(() => focusedTestId(page)).toBe('typed-input');
    await page.keyboard.type('Then');
    expect(await input.inputValue()).toBe('Then');
  });

  it('Esc takes a draft off the displays and Ctrl+Z brings it back', async () => {
    const { page } = await openConsole({ channel: 'en' });
    const input = page.getByTestId('typed-input');
    await input.click();
    await page.keyboard.type('Distinguished delegates');
    await expect.poll(() => lastPartial(page)).toBe('Distinguished delegates');
    await page.keyboard.press('Escape');
    expect(await input.inputValue()).toBe('');
    await expect.poll(() => lastPartial(page)).toBe('');
    await expect.poll(() => page.getByTestId('typed-partial').textContent()).toContain('Ctrl+Z');
    await page.keyboard.press('Control+z');
    expect(await input.inputValue()).toBe('Distinguished delegates');
    await expect.poll(() => lastPartial(page)).toBe('Distinguished delegates');
    await page.keyboard.press('Enter');
    await expect.poll(() => finals(page)).toEqual(['Distinguished delegates']);
  });

  it('"Send on Enter only" keeps keystrokes home for that channel, and is remembered', async () => {
    const { page } = await openConsole({ channel: 'en' });
    const input = page.getByTestId('typed-input');
    await page.getByLabel('Send on Enter only').check();
    await expect.poll(() => calls(page, 'updateSettings')).toContainEqual([{ enterOnlyChannels: ['en'] }]);
    await input.click();
    await page.keyboard.type('Not live yet');
    await expect.poll(() => page.getByTestId('typed-partial').textContent()).toContain('NOT LIVE');
    expect(await calls(page, 'publish')).toEqual([]);
    await page.keyboard.press('Enter');
    await expect.poll(() => finals(page)).toEqual(['Not live yet']);
    expect((await calls(page, 'publish')).every((a) => (a[0] as { state: string }).state === 'final')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'live-enter-only.png') });
    // Set for this channel in the settings: on at the next start.
    const again = await openConsole({ channel: 'en', settings: { enterOnlyChannels: ['en'] } });
    await expect.poll(() => again.page.getByLabel('Send on Enter only').isChecked()).toBe(true);
  });
});

describe('the sent list', () => {
  it("is the interpreter's own history: it follows the newest line, leaves out other consoles, say and floor routing; F4 opens the own last line", async () => {
    const { page } = await openConsole({ channel: 'en' });
    const input = page.getByTestId('typed-input');
    await input.click();
    const committed = (id: string, text: string, source: string, cursor: number) => ({
      kind: 'committed', room: 'main', channel: 'en', cursor,
      line: { id, room: 'main', channel: 'en', seq: cursor, text, state: 'final', revision: 0, source, startedAt: 1, updatedAt: 1, committedAt: Date.now() },
    });
    for (let i = 1; i <= 30; i++) {
      await page.keyboard.type(`Own line ${i}`);
      await page.keyboard.press('Enter');
      await emit(page, 'hub:changed', committed(`c-other.${i}`, `Booth B line ${i}`, 'typed', 1000 + i));
      await emit(page, 'hub:changed', committed(`say-${i}`, `say line ${i}`, 'typed', 2000 + i));
      await emit(page, 'hub:changed', committed(`console-a.lx.f${i}.en`, `Auto-routed floor ${i}`, 'floor-stt', 3000 + i));
    }
    // A voice line of this console (the core published it) joins the list.
    await emit(page, 'hub:changed', committed('console-a.lx.v1', 'Spoken by me', 'voice-stt', 4000));
    const lines = page.getByTestId('sent-line');
    await expect.poll(() => lines.count()).toBe(31);
    const texts = await lines.allTextContents();
    expect(texts.some((t) => /Booth B|say line|Auto-routed/.test(t))).toBe(false);
    expect(texts.at(-1)).toContain('Spoken by me');
    // The newest line is in view.
    const list = page.getByTestId('sent-lines');
    await expect.poll(() => list.evaluate((el) => el.scrollHeight - el.clientHeight - el.scrollTop)).toBeLessThanOrEqual(2);
    expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'live-sent-list.png') });
    // F4: this interpreter's own last line, not a floor line.
    await page.keyboard.press('F4');
    await expect.poll(() => page.getByLabel('Correct line').inputValue()).toBe('Spoken by me');
  });
});

describe('script mode and file inputs', () => {
  const SCRIPT =
    'This is the first cue of the prepared speech, long enough to fill two lines. The second cue follows it here, and it is just as long as the first one.';

  it('the cue preview shows the rows the display will; F7 moves back without sending; an edited file loads again', async () => {
    const { page, problems } = await openConsole({ channel: 'en' });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('F3');
    const file = page.getByTestId('script-file');
    await file.setInputFiles({ name: 'speech.txt', mimeType: 'text/plain', buffer: Buffer.from(SCRIPT) });
    await page.getByTestId('cue-list').waitFor();
    const cueRows = (i: number) => page.locator(`[data-cue="${i}"] [data-testid="cue-rows"] > span`).allTextContents();
    // The display breaks "…follows it here, and it is / just as long…", not at the comma: the preview shows the same.
    expect(await cueRows(1)).toEqual(['The second cue follows it here, and it is', 'just as long as the first one.']);
    await page.keyboard.press('F8');
    await page.keyboard.press('F8');
    await expect.poll(async () => (await calls(page, 'publish')).length).toBe(2);
    const rowsOnPreview = async (): Promise<string[]> => (await page.getByTestId('preview-en').locator('.row').allTextContents()).map((t) => t.trim());
    await expect.poll(rowsOnPreview).toEqual(await cueRows(1));

    // Back twice: the position moves, nothing is sent (the record and the exports keep each cue once).
    await page.keyboard.press('F7');
    await page.keyboard.press('PageUp');
    await expect.poll(() => page.locator('[data-cue="0"].next').count()).toBe(1);
    expect(await calls(page, 'publish')).toHaveLength(2);
    await page.screenshot({ path: join(ARTIFACTS, 'live-script.png') });

    // The same file, edited and chosen again, loads again (and nothing throws).
    await file.setInputFiles({ name: 'speech.txt', mimeType: 'text/plain', buffer: Buffer.from('A new opening line. And a second sentence to close it.') });
    await expect.poll(() => cueRows(0)).toEqual(['A new opening line. And a second sentence', 'to close it.']);
    expect(problems).toEqual([]);
  });

  it('the glossary file input survives its await and loads an edited file again', async () => {
    const { page, problems } = await openConsole({ channel: 'en' });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('Alt+S');
    const file = page.getByTestId('glossary-file');
    await file.setInputFiles({ name: 'terms.csv', mimeType: 'text/csv', buffer: Buffer.from('en,ru,ar\nUN,ООН,الأمم المتحدة\n') });
    await expect.poll(() => calls(page, 'importGlossary')).toHaveLength(1);
    await file.setInputFiles({ name: 'terms.csv', mimeType: 'text/csv', buffer: Buffer.from('en,ru,ar\nUN,ООН,الأمم المتحدة\nWHO,ВОЗ,منظمة الصحة العالمية\n') });
    await expect.poll(() => calls(page, 'importGlossary')).toHaveLength(2);
    // An event-sized glossary: the panel says how much of it the speech-to-text prompt carries.
    const rows = Array.from({ length: 44 }, (_, i) => `Term ${i},Т ${i},م ${i}`).join('\n');
    await file.setInputFiles({ name: 'event.csv', mimeType: 'text/csv', buffer: Buffer.from(`en,ru,ar\n${rows}\n`) });
    const message = page.getByText(/^event\.csv: 44 terms imported\./);
    await message.waitFor();
    expect(await message.textContent()).toContain('Speech-to-text carries the first 20 of 44 English in its prompt');
    expect(await message.isVisible()).toBe(true);
    await message.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'glossary-prompt-note.png') });
    expect(problems).toEqual([]);
  });

  it('says before a start how this machine did with the chosen model last time: floor panel and model list', async () => {
    const at = new Date(2026, 11, 1, 14, 2).getTime();
    const small = { verdict: 'behind', rtf: 0.53, glossaryTerms: 15, at };
    const { page, problems } = await openConsole({
      channel: 'en',
      settings: { model: 'ggml-small-q5_1.bin' },
      snapshot: { modelRun: { model: 'ggml-small-q5_1.bin', ...small } },
      models: [
        { file: 'ggml-base-q8_0.bin', path: '/models/ggml-base-q8_0.bin', valid: true, description: 'base, multilingual, q8_0, 78 MiB', lastRun: { verdict: 'keeps-up', rtf: 0.27, at }, work: 1, multilingual: true },
        { file: 'ggml-small-q5_1.bin', path: '/models/ggml-small-q5_1.bin', valid: true, description: 'small, multilingual, q5_1, 181 MiB', lastRun: small, work: 4.5, multilingual: true },
        { file: 'ggml-medium.bin', path: '/models/ggml-medium.bin', valid: true, description: 'medium, multilingual, f16, 1.5 GiB', work: 16, multilingual: true },
      ],
    });
    const lastRun = page.getByTestId('floor-last-run');
    await lastRun.waitFor();
    // The time in the page's locale (Chromium here: "Dec 1, 14:02").
    expect(await lastRun.textContent()).toMatch(
      /^Last run of ggml-small-q5_1\.bin on this machine \((Dec 1|1 Dec), 14:02\): could not keep up \(decoding 53% of speech time, 15 glossary terms in its prompt\): choose a smaller model or a shorter glossary$/,
    );
    const panel = await page.getByRole('region', { name: 'Floor transcript' }).boundingBox();
    const box = await lastRun.boundingBox();
    expect(box && panel && box.x >= panel.x && box.x + box.width <= panel.x + panel.width + 0.5).toBe(true);
    // The next smaller installed model, one click away (the floor is stopped: nothing restarts).
    const useSmaller = page.getByTestId('use-smaller-model');
    await expect.poll(() => useSmaller.textContent()).toBe('Use ggml-base-q8_0.bin');
    expect(await useSmaller.getAttribute('title')).toBe('base, multilingual, q8_0, 78 MiB; kept up here. Saved as the Model setting; a running voice source restarts on it too.');
    await page.getByRole('region', { name: 'Floor transcript' }).screenshot({ path: join(ARTIFACTS, 'floor-last-run.png') });
    await useSmaller.click();
    await expect.poll(() => calls(page, 'updateSettings')).toContainEqual([{ model: 'ggml-base-q8_0.bin' }]);
    expect(await calls(page, 'startSource')).toEqual([]);

    // The settings list every model with how it went here; the chosen one's sentence is under the list.
    await page.keyboard.press('Alt+S');
    const options = page.getByRole('combobox', { name: 'Installed models' }).locator('option');
    await expect.poll(() => options.allTextContents()).toEqual([
      'default (base, tiny, small… first found)',
      'ggml-base-q8_0.bin: base, multilingual, q8_0, 78 MiB · kept up here',
      'ggml-small-q5_1.bin: small, multilingual, q5_1, 181 MiB · fell behind here',
      'ggml-medium.bin: medium, multilingual, f16, 1.5 GiB',
    ]);
    const chosen = page.getByTestId('model-last-run');
    expect(await chosen.textContent()).toMatch(/^Last run of ggml-small-q5_1\.bin on this machine \((Dec 1|1 Dec), 14:02\): could not keep up/);
    await chosen.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-model-last-run.png') });
    // Another model chosen: its own run, or nothing for one never run here.
    await page.getByRole('combobox', { name: 'Installed models' }).selectOption('ggml-base-q8_0.bin');
    await expect.poll(() => chosen.textContent()).toMatch(/^Last run of ggml-base-q8_0\.bin on this machine \((Dec 1|1 Dec), 14:02\): kept up in real time \(decoding 27% of speech time\)$/);
    await page.getByRole('combobox', { name: 'Installed models' }).selectOption('ggml-medium.bin');
    await expect.poll(() => chosen.count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('combobox', { name: 'Installed models' }).count()).toBe(0);

    // Once the floor runs, its live report replaces last time's.
    await page.evaluate(() => {
      const emit = (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit;
      emit('stt:status', { source: 'floor', status: 'busy', realtime: { verdict: 'measuring', level: 'normal', stepSeconds: 1, bufferCapSeconds: 8, rtf: 0.31, measuredSeconds: 12, lagSeconds: 1, maxLagSeconds: 1, droppedSeconds: 0 } });
    });
    await expect.poll(() => page.getByTestId('floor-realtime').textContent()).toContain('measuring real time (12 of 60 s of speech');
    expect(await lastRun.count()).toBe(0);
    expect(await useSmaller.count()).toBe(0);
    // The running floor falls behind: the offer comes back, and taking it restarts the floor on the smaller model.
    await page.evaluate(() => {
      const emit = (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit;
      emit('stt:status', { source: 'floor', status: 'busy', realtime: { verdict: 'behind', level: 'dropping', stepSeconds: 3, bufferCapSeconds: 4, rtf: 0.62, measuredSeconds: 40, lagSeconds: 4, maxLagSeconds: 4.5, droppedSeconds: 1.2 } });
    });
    await expect.poll(() => useSmaller.getAttribute('title')).toContain('the floor restarts on it now');
    await useSmaller.click();
    await expect.poll(() => calls(page, 'startSource')).toEqual([['floor', { language: 'auto' }]]);
    // Stop asked: the floor finishes its last words; the button says so and cannot be pressed again.
    await page.evaluate(() => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit('stt:status', { source: 'floor', status: 'stopping' }));
    const stopping = page.getByRole('button', { name: 'Stopping…' });
    await stopping.waitFor();
    expect(await stopping.isDisabled()).toBe(true);
    await page.evaluate(() => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit('stt:status', { source: 'floor', status: 'busy' }));
    // The interpreter's voice source says the same of itself, in the Voice panel.
    await page.getByRole('region', { name: 'Interpreter channel' }).getByRole('tab', { name: /^Voice/ }).click();
    await page.evaluate(() => {
      const emit = (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit;
      emit('stt:status', { source: 'voice', status: 'busy', realtime: { verdict: 'tight', level: 'longer-step', stepSeconds: 2.6, bufferCapSeconds: 8, rtf: 0.49, measuredSeconds: 60, lagSeconds: 3, maxLagSeconds: 3.9, droppedSeconds: 0 } });
    });
    await expect.poll(() => page.getByTestId('voice-realtime').textContent()).toBe('· keeps up with longer steps: captions come later (decoding 49% of speech time); now longer step, step 2.6 s');
    await page.getByRole('region', { name: 'Interpreter channel' }).screenshot({ path: join(ARTIFACTS, 'voice-realtime.png') });
    // With the voice source running too (the Voice tab started it), the switch restarts both on the smaller model.
    const before = (await calls(page, 'startSource')).length;
    await useSmaller.click();
    await expect.poll(async () => (await calls(page, 'startSource')).slice(before)).toEqual([['floor', { language: 'auto' }], ['voice', { language: 'en' }]]);
    expect(problems).toEqual([]);
  });

  it('the voice review countdown starts at the window, whatever the two clocks say', async () => {
    const { page } = await openConsole({ channel: 'en', settings: { voiceReviewMs: 8000 } });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('F2');
    await page.waitForTimeout(1500);
    // The core's clock runs 15 s ahead of the page's: its sendAt is far off, the time left is what counts.
    const shown = await page.evaluate(async () => {
      const w = window as unknown as { __emit: (e: string, p: unknown) => void };
      w.__emit('voice:pending', [{ id: 'v1', channel: 'en', text: 'Voice line', lang: 'en', sendAt: Date.now() + 23_000, leftMs: 8000 }]);
      await new Promise((r) => setTimeout(r, 0));
      return document.querySelector('[data-testid="review-left"]')?.textContent;
    });
    expect(Number.parseFloat(shown ?? 'NaN')).toBeGreaterThan(7);
    expect(Number.parseFloat(shown ?? 'NaN')).toBeLessThanOrEqual(8);
  });
});

describe('host mode can be joined', () => {
  const QR = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=';

  it('the host shows the display QR where it looks, and the secret (reveal, copy) and join link for other consoles', async () => {
    const { page, problems } = await openConsole({
      channel: 'en',
      snapshot: {
        hub: {
          mode: 'host', state: 'connected', url: 'http://127.0.0.1:7300', latencyMs: 3, error: null, displayUrls: ['http://192.168.1.20:7300/'], qrDataUrl: QR,
          displayLinks: { en: 'http://192.168.1.20:7300/display?room=main&channels=en' }, outboxPending: 0,
        },
      },
    });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('Alt+J');
    const qr = page.getByTestId('display-qr');
    await qr.waitFor();
    // The whole display QR is on screen at 1280x720, without scrolling.
    const box = await qr.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(720);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    const secret = page.getByTestId('room-secret');
    await expect.poll(() => secret.textContent()).toBe('••••••••••');
    expect(await page.getByTestId('join-qr').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'live-share-room.png') });
    await page.getByRole('button', { name: 'Reveal' }).click();
    expect(await secret.textContent()).toBe('Xk3-room-secret');
    await page.getByTestId('join-qr').waitFor();
    await page.getByRole('button', { name: 'Copy join link' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('http://192.168.1.20:7300/?room=main#secret=Xk3-room-secret');
    expect(problems).toEqual([]);
  });

  it('a joining console takes the join link in its settings: hub, room and secret in one paste', async () => {
    const { page } = await openConsole({ channel: 'en', settings: { hubMode: 'join', hubUrl: 'http://10.0.0.1:7300', room: 'other', hasSecret: false } });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('Alt+S');
    const link = page.getByLabel('Join link');
    await link.fill('not a link');
    await link.press('Tab');
    await expect.poll(() => page.locator('aside[aria-label="Settings"] [role=alert]').textContent()).toContain('not a join link');
    await link.fill('http://192.168.1.20:7300/?room=main#secret=Xk3-room-secret');
    await link.press('Tab');
    await page.getByRole('button', { name: 'Save' }).click();
    // The secret goes to a new host: the panel asks first.
    await page.getByRole('button', { name: 'Send the secret to 192.168.1.20' }).click();
    await expect.poll(() => calls(page, 'updateSettings')).toContainEqual([{ hubUrl: 'http://192.168.1.20:7300', room: 'main', secret: 'Xk3-room-secret' }]);
  });

  it('a hub address is checked at Save: a wrong one is said in words, host:port is taken as http://', async () => {
    const { page } = await openConsole({ channel: 'en', settings: { hubMode: 'join', hubUrl: 'http://10.0.0.1:7300' } });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('Alt+S');
    const address = page.getByLabel('Hub address');
    await address.fill('ftp://10.0.0.9');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('aside[aria-label="Settings"] [role=alert]').textContent()).toContain('http://');
    expect(await calls(page, 'updateSettings')).toEqual([]);
    await address.fill('10.0.0.9:7300');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => calls(page, 'updateSettings')).toEqual([[{ hubUrl: 'http://10.0.0.9:7300' }]]);
  });

  it('the speech-to-text commit rule is a setting: Final words, after one pass', async () => {
    const { page } = await openConsole({ channel: 'en' });
    await page.getByTestId('typed-input').waitFor();
    await page.keyboard.press('Alt+S');
    const rule = page.getByLabel('Final words');
    expect(await rule.inputValue()).toBe('agreement');
    await rule.selectOption('one-pass');
    await rule.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'console-settings-final-words.png') });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => calls(page, 'updateSettings')).toEqual([[{ sttCommit: 'one-pass' }]]);
    // The floor panel says which rule is on, so nobody wonders later why finals come sooner.
    expect(await page.getByTestId('floor-commit-rule').count()).toBe(0);
    const onePass = await openConsole({ channel: 'en', settings: { sttCommit: 'one-pass' } });
    await onePass.page.getByTestId('floor-commit-rule').waitFor();
    expect(await onePass.page.getByTestId('floor-commit-rule').textContent()).toBe('final after one pass');
    await onePass.page.screenshot({ path: join(ARTIFACTS, 'console-floor-one-pass.png') });
  });
});

describe('operator overview', () => {
  const booths = {
    en: [
      { clientId: 'en-a', label: 'English booth A', online: true, onAir: true },
      { clientId: 'en-b', label: 'English booth B', online: true, onAir: false },
    ],
    ar: [{ clientId: 'ar-k', label: 'Arabic booth K', online: true, onAir: false }],
    ru: [{ clientId: 'ru-a', label: 'Russian booth A', online: false, onAir: true }],
  };
  const committed = (channel: string, id: string, text: string) => ({
    kind: 'committed', room: 'main', channel, cursor: 1,
    line: { id, room: 'main', channel, seq: 1, text, state: 'final', revision: 0, source: 'typed', startedAt: Date.now(), updatedAt: Date.now(), committedAt: Date.now() },
  });

  it('shows per channel who is on air, the last line age and mute; Alt+digit jumps to a channel; auto-routing asks before feeding a booth on air', async () => {
    const { page, problems } = await openConsole({
      channel: 'en',
      settings: { role: 'operator', mutedChannels: ['ru'] },
      snapshot: { handover: { onAir: true, outgoing: null, incoming: null, partners: [], booths }, heldByMute: { ru: 2 } },
    });
    await page.getByTestId('op-en').waitFor();
    await emit(page, 'hub:changed', committed('en', 'en-a.1', 'Good morning, excellencies.'));
    await expect.poll(() => page.getByTestId('onair-en').textContent()).toBe('on air: English booth A');
    expect(await page.getByTestId('onair-ar').textContent()).toBe('nobody on air');
    expect(await page.getByTestId('onair-ru').textContent()).toBe('on air: Russian booth A, offline');
    expect(await page.getByTestId('onair-floor').textContent()).toBe('no booth');
    await expect.poll(() => page.getByTestId('age-en').textContent()).toMatch(/^last line \d s ago$/);
    expect(await page.getByTestId('age-ar').textContent()).toBe('no lines yet');
    expect(await page.getByTestId('op-ru').textContent()).toContain('muted · 2 held');

    // One key per channel, in the order of the columns (floor, ar, en, ru).
    await page.keyboard.press('Alt+3');
    await expect.poll(() => focusedTestId(page)).toBe('op-en');
    await page.keyboard.press('Alt+4');
    await expect.poll(() => focusedTestId(page)).toBe('op-ru');

    // Auto-routing would put floor lines into EN, where a booth is on air: it asks first, Esc keeps it off.
    const routing = page.getByTestId('auto-routing');
    await routing.click();
    const ask = page.getByRole('group', { name: /A booth is on air in EN \(English booth A\), RU \(Russian booth A\)/ });
    await ask.waitFor();
    expect(await routing.isChecked()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'live-operator-overview.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => ask.count()).toBe(0);
    expect(await calls(page, 'setAutoRouting')).toEqual([]);
    await routing.click();
    await ask.waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => calls(page, 'setAutoRouting')).toEqual([[true]]);
    await expect.poll(() => routing.isChecked()).toBe(true);
    expect(await page.getByTestId('routing-warning').textContent()).toContain('EN (English booth A)');
    expect(problems).toEqual([]);
  });

  it('follows four other rooms at a glance, one row each; Alt+Shift+digit makes one the active room and the focus lands on its name', async () => {
    const channel = (name: string, more: Record<string, unknown> = {}) => ({ channel: name, booth: [], muted: false, lastLineAgeMs: null, ...more });
    const panel = (room: string, more: Record<string, unknown>) => ({ room, state: 'connected', error: null, notice: null, staleForMs: null, channels: [], ...more });
    const watchedRooms = [
      panel('panel-water', {
        channels: [
          channel('floor', { lastLineAgeMs: 2_000 }),
          channel('en', { booth: [{ clientId: 'p1-en', label: 'English booth P1', online: true, onAir: true }], lastLineAgeMs: 8_000 }),
          channel('ru', { muted: true, booth: [{ clientId: 'p1-ru', label: 'Russian booth P1', online: true, onAir: false }], lastLineAgeMs: 190_000 }),
        ],
      }),
      panel('panel-energy', { state: 'connecting', error: { code: 'HUB_UNREACHABLE', message: 'Cannot reach the hub.' }, staleForMs: 40_000, channels: [channel('floor'), channel('en', { lastLineAgeMs: 61_000 })] }),
      panel('panel-cities', { state: 'error', error: { code: 'AUTH_BAD_SECRET', message: 'wrong secret' } }),
      panel('side-event-youth-forum-on-climate-finance', {
        notice: 'The session resumes at 14:30',
        channels: [
          channel('floor', { lastLineAgeMs: 1_000 }),
          channel('ar', { booth: [{ clientId: 'se-ar', label: 'Arabic booth with a very long name for the side event', online: false, onAir: true }], lastLineAgeMs: 4_000 }),
          channel('en', { booth: [{ clientId: 'se-en', label: 'English booth S', online: true, onAir: true }], lastLineAgeMs: 3_000 }),
          channel('ru', { muted: true, lastLineAgeMs: 7_200_000 }),
        ],
      }),
    ];
    const { page, problems } = await openConsole({
      channel: 'en',
      settings: { role: 'operator', hubMode: 'join', watchRooms: watchedRooms.map((r) => ({ room: r.room, hasSecret: true, mutedChannels: [] })) },
      snapshot: { handover: { onAir: true, outgoing: null, incoming: null, partners: [], booths }, watchedRooms },
    });
    await page.getByTestId('followed-rooms').waitFor();
    const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
    expect(await text('active-room')).toBe('main');
    // Each row: its key, its link, and per channel who is on air, muted, the age of the last line.
    expect(await text('room-panel-water')).toContain('Alt⇧1');
    expect((await text('room-state-panel-water'))?.trim()).toBe('live');
    expect(await text('room-panel-water-en')).toMatch(/^EN\s*\d+ s\s*on air: English booth P1$/);
    expect(await text('room-panel-water-ru')).toMatch(/^RU\s*3 min\s*muted\s*nobody on air$/);
    expect((await text('room-state-panel-energy'))?.trim()).toMatch(/^unreachable, as of 4\d s ago$/);
    expect((await text('room-state-panel-cities'))?.trim()).toBe('wrong secret: set it in the settings');
    expect(await text('room-side-event-youth-forum-on-climate-finance-ar')).toContain('on air: Arabic booth with a very long name for the side event, offline');
    expect(await text('room-side-event-youth-forum-on-climate-finance-ru')).toMatch(/2 h\s*muted/);
    expect((await text('room-state-side-event-youth-forum-on-climate-finance'))?.trim()).toBe('live\u00a0· notice up');
    // The ages grow on the page's own clock.
    await expect.poll(() => text('room-panel-water-en'), { timeout: 5_000 }).toMatch(/^EN\s*(9|1\d) s/);
    expect(await page.locator('footer.shortcuts').textContent()).toContain('Alt+Shift+1…9 Go to room');

    // Nothing clipped or overlapping at 1280x720: each row fits its width, and the strip sits above the toolbar.
    const layout = await page.evaluate(() => {
      const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="followed-rooms"] .row')];
      const strip = document.querySelector('[data-testid="followed-rooms"]')!.getBoundingClientRect();
      const toolbar = document.querySelector('[data-testid="active-room"]')!.closest('.toolbar')!.getBoundingClientRect();
      const columns = document.querySelector('[data-testid="op-en"]')!.getBoundingClientRect();
      return {
        overflowing: rows.filter((r) => r.scrollWidth > r.clientWidth + 1).map((r) => r.dataset['testid']),
        rowHeights: rows.map((r) => r.getBoundingClientRect().height),
        stripBottom: strip.bottom,
        toolbarTop: toolbar.top,
        columnsHeight: columns.height,
        pageOverflow: document.documentElement.scrollHeight > window.innerHeight,
      };
    });
    expect(layout.overflowing).toEqual([]);
    for (const h of layout.rowHeights) expect(h).toBeLessThanOrEqual(26);
    expect(layout.stripBottom).toBeLessThanOrEqual(layout.toolbarTop);
    expect(layout.columnsHeight).toBeGreaterThan(120);
    expect(layout.pageOverflow).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'live-operator-rooms.png') });

    // One key: the first followed room becomes the active one; the room left takes its row (and its key).
    await page.getByTestId('op-ar').click();
    await page.keyboard.press('Alt+Shift+Digit1');
    await expect.poll(() => text('active-room')).toBe('panel-water');
    expect(await calls(page, 'switchRoom')).toEqual([['panel-water']]);
    await expect.poll(() => focusedTestId(page)).toBe('active-room');
    expect(await page.getByTestId('room-main').textContent()).toContain('Alt⇧1');
    expect(await page.getByTestId('room-panel-water').count()).toBe(0);
    // Its channels, its mute buttons: the columns are the panel's now, and Alt+digit goes to them.
    await expect.poll(() => page.locator('[data-channel-column]').evaluateAll((cols) => cols.map((c) => c.getAttribute('data-channel-column')))).toEqual(['floor', 'en', 'ru']);
    await page.keyboard.press('Alt+2');
    await expect.poll(() => focusedTestId(page)).toBe('op-en');

    // A refused jump says why, where the rows are, and changes nothing; the mouse does what the key does.
    await page.evaluate(() => {
      (window as unknown as { __failNext: Record<string, unknown> }).__failNext['switchRoom'] = {
        code: 'ROOM_BUSY',
        message: 'Not switching to panel-energy yet: 1 held line (release or discard it), for panel-water. Switch once it has arrived (or is discarded).',
      };
    });
    await page.getByTestId('room-panel-energy').getByRole('button').click();
    await expect.poll(() => text('room-switch-error')).toContain('1 held line (release or discard it), for panel-water');
    expect(await text('active-room')).toBe('panel-water');
    await page.screenshot({ path: join(ARTIFACTS, 'live-operator-rooms-refused.png') });
    await page.getByTestId('room-panel-energy').getByRole('button').click();
    await expect.poll(() => text('active-room')).toBe('panel-energy');
    await expect.poll(() => focusedTestId(page)).toBe('active-room');
    expect(await page.getByTestId('room-switch-error').count()).toBe(0);
    expect(await calls(page, 'switchRoom')).toEqual([['panel-water'], ['panel-energy'], ['panel-energy']]);
    expect(problems).toEqual([]);
  });

  it('lists the rooms to follow in the settings: a secret stays write-only, a bad row is said at Save', async () => {
    const { page, problems } = await openConsole({
      channel: 'en',
      settings: { role: 'operator', hubMode: 'join', hubUrl: 'http://192.168.1.20:7300', watchRooms: [{ room: 'panel-water', hasSecret: true, mutedChannels: [] }] },
    });
    await page.getByTestId('op-en').waitFor();
    await page.keyboard.press('Alt+S');
    const fieldset = page.getByTestId('watch-room-settings');
    await fieldset.waitFor();
    expect(await page.getByLabel('Room to follow 1', { exact: true }).inputValue()).toBe('panel-water');
    expect(await page.getByLabel('Secret of room to follow 1').inputValue()).toBe('');
    expect(await page.getByLabel('Secret of room to follow 1').getAttribute('placeholder')).toBe('stored (type to replace)');
    await fieldset.getByRole('button', { name: 'Add a room' }).click();
    await page.getByLabel('Room to follow 2', { exact: true }).fill('panel energy');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.settings [role=alert]').textContent()).toBe('Room to follow 2 "panel energy" is not a room name (letters, digits, _ and - only).');
    expect(await calls(page, 'updateSettings')).toEqual([]);
    await page.getByLabel('Room to follow 2', { exact: true }).fill('panel-energy');
    await page.getByLabel('Secret of room to follow 2').fill('energy-secret-77');
    await page.screenshot({ path: join(ARTIFACTS, 'live-operator-rooms-settings.png') });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => calls(page, 'updateSettings')).toEqual([[{ watchRooms: [{ room: 'panel-water' }, { room: 'panel-energy', secret: 'energy-secret-77' }] }]]);
    // A booth console has no such list.
    await page.getByRole('combobox').filter({ hasText: 'Operator' }).first().selectOption('booth');
    expect(await fieldset.count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('a booth console sees the room read-only: no operator buttons that could only fail, corrections on its own channel only', async () => {
    const own = { en: booths.en };
    const { page, problems } = await openConsole({ channel: 'en', snapshot: { handover: { onAir: true, outgoing: null, incoming: null, partners: [], booths: own } } });
    await page.getByTestId('typed-input').waitFor();
    await emit(page, 'hub:changed', committed('ar', 'ar-k.1', 'صباح الخير'));
    await emit(page, 'hub:changed', committed('en', 'console-a.1', 'Good morning.'));
    await page.keyboard.press('Alt+O');
    await page.getByTestId('op-en').waitFor();
    expect(await page.getByTestId('onair-en').textContent()).toBe('on air: English booth A');
    // Of the other booths a booth console hears nothing: it says nothing rather than "no booth".
    expect(await page.getByTestId('onair-ar').count()).toBe(0);
    for (const name of ['Mute', 'Unmute', 'Clear', 'Clear all…', 'Show notice', 'Clear notice']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await page.getByTestId('auto-routing').count()).toBe(0);
    expect(await page.getByPlaceholder('Notice for all displays').count()).toBe(0);
    expect(await page.locator('button[data-op-line="ar-k.1"]').count()).toBe(0);
    expect(await page.locator('button[data-op-line="console-a.1"]').count()).toBe(1);
    // No other rooms, no key to go to one.
    expect(await page.getByTestId('followed-rooms').count()).toBe(0);
    expect(await page.locator('footer.shortcuts').textContent()).not.toContain('Go to room');
    await page.screenshot({ path: join(ARTIFACTS, 'live-booth-room-overview.png') });
    expect(problems).toEqual([]);
  });
});
