/**
 * End to end, no Electron: the built console page in Debian's Chromium against the real console core (served
 * by its console server), with the embedded caption hub, speech-to-text in real worker processes, and the room
 * display page in a second browser context.
 *
 * The floor "microphone" is Chromium's fake capture device playing a WAV of tone words; the worker runs the
 * tone test engine (each tone is a known word w<k>), so the test can check the exact words that travel
 * fake mic -> AudioWorklet (downmix, 48 -> 16 kHz) -> socket -> core -> STT worker -> hub -> display.
 * Then typed lines, script cues, a revision and a handover between two consoles all reach the display.
 *
 * A second part plays espeak-ng speech through the fake microphone into the real whisper engine (smart-whisper)
 * on the generated test model (random weights: the words are garbage, the path and timings are real) and checks
 * that the lines the console shows are the lines the display shows.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayUrl } from '../../electron/common/hub-config';
import { ensureGeneratedModel } from '../../models/generate-ggml';
import { ConsoleCore, type CoreLogger } from '../../electron/console/console-core';
import { startConsoleServer, type ConsoleServer } from '../../electron/console/console-server';
import { modelResolver } from '../../electron/console/model-resolver';
import { supervisorSttFactory } from '../../electron/console/stt-supervisor-source';
import { toneStt } from '../../electron/console/test-support';
import { makeToneAudio } from '../../electron/stt/fake-engines';
import { nodeWorkerSpawner } from '../../electron/stt/node-worker';
import { encodeWav16 } from '../../electron/stt/wav';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'out/renderer');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SECRET = 'e2e-room-secret-42';
const quiet: CoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const LONG = { timeout: 40_000, interval: 200 };
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
];

/** Text of a display channel's rows (committed, or the partial), whitespace-normalised. */
function shownOn(display: Page, channel: string, partial = false): Promise<string> {
  return display
    .locator(`section.channel[data-channel="${channel}"] p.row${partial ? '.partial' : ':not(.partial)'}`)
    .allTextContents()
    .then((rows) => rows.join(' ').replace(/\s+/g, ' ').trim());
}

/** A display channel's committed rows: line id and text. */
function committedRows(display: Page, channel: string): Promise<{ id: string; text: string }[]> {
  return display
    .locator(`section.channel[data-channel="${channel}"] p.row:not(.partial)`)
    .evaluateAll((rows) => rows.map((r) => ({ id: r.getAttribute('data-line-id') ?? '', text: r.textContent ?? '' })));
}

describe('console end to end in Chromium (real core, STT workers, hub, display page)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let browser: Browser;
  let consoleA: Page;
  let consoleB: Page;
  let operator: Page;
  let display: Page;
  let contexts: BrowserContext[] = [];

  async function startConsole(label: string, dataDir: string, settings: Parameters<ConsoleCore['updateSettings']>[0]): Promise<{ core: ConsoleCore; server: ConsoleServer }> {
    const core = await ConsoleCore.create({
      dataDir,
      shell: 'browser',
      hubStaticDir: OUT,
      logger: quiet,
      ...toneStt(),
      restoreConnection: false,
    });
    cleanups.push(() => core.close());
    const updated = await core.updateSettings({ role: 'booth', ...settings, label, secret: SECRET, room: 'main', channel: 'en' });
    expect(updated.ok).toBe(true);
    const connected = await core.connectHub();
    expect(connected.ok, JSON.stringify(connected)).toBe(true);
    const server = await startConsoleServer({ core, staticDir: OUT, port: 0 });
    cleanups.push(() => server.close());
    return { core, server };
  }

  beforeAll(async () => {
    if (!existsSync(join(OUT, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const dir = await mkdtemp(join(tmpdir(), 'tarjuman-e2e-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // The fake microphone: one utterance of five tone words, then a long pause (Chromium loops the file).
    const wav = join(dir, 'floor.wav');
    writeFileSync(wav, encodeWav16(makeToneAudio([null, 1, 2, 3, null, 4, 5, null, null, null, null, null, null, null, null])));

    const a = await startConsole('English booth A', join(dir, 'a'), { hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', floorLanguage: 'en', publishFloor: true, voiceReviewMs: 0 });
    const stateA = await a.core.getState();
    const hubUrl = stateA.ok ? stateA.value.hub.url : null;
    expect(hubUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const b = await startConsole('English booth B', join(dir, 'b'), { hubMode: 'join', hubUrl: hubUrl! });
    // The operator's console runs the floor feed (the floor channel is the operator's to publish).
    const c = await startConsole('Operator', join(dir, 'c'), { hubMode: 'join', hubUrl: hubUrl!, role: 'operator', floorLanguage: 'en', publishFloor: true });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`] });
    const page = async (url: string): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      contexts.push(context);
      const p = await context.newPage();
      await p.goto(url);
      return p;
    };
    display = await page(displayUrl(hubUrl!, 'main', ['floor', 'en']));
    consoleA = await page(a.server.link);
    consoleB = await page(b.server.link);
    operator = await page(c.server.link);
    await consoleA.getByTestId('typed-input').waitFor();
    await consoleB.getByTestId('typed-input').waitFor();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    contexts = [];
    await browser?.close();
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  const shown = (channel: string, partial = false): Promise<string> => shownOn(display, channel, partial);

  it('floor audio from the fake microphone reaches the console transcript and the room display', async () => {
    await operator.getByTestId('op-floor').waitFor();
    await operator.keyboard.press('Alt+B');
    await operator.getByRole('button', { name: 'Start floor' }).click();
    // The tone words survive capture, resampling and transport: w4 w5 is one whole utterance of the file.
    await expect.poll(() => operator.getByTestId('floor-transcript').textContent(), LONG).toMatch(/w4 w5/);
    await expect.poll(() => shown('floor'), LONG).toMatch(/w4 w5/);
    // The committed lines only: the live partial is the unconfirmed tail, and a sample taken while a final lands may
    // show the tail's first word on both sides for a moment.
    const words = (await operator.getByTestId('floor-transcript').locator('p.line:not(.partial) .text').allTextContents()).join(' ').match(/w\d/g) ?? [];
    // Every committed word follows its predecessor in the file's loop (w1 w2 w3 w4 w5 w1 ...): nothing garbled, doubled or reordered.
    for (let i = 1; i < words.length; i++) expect(Number(words[i]![1])).toBe((Number(words[i - 1]![1]) % 5) + 1);
    mkdirSync(ARTIFACTS, { recursive: true });
    await operator.screenshot({ path: join(ARTIFACTS, 'e2e-operator-floor.png') });
    await operator.getByRole('button', { name: 'Stop floor' }).click();
  }, 150_000);

  it('a typed line shows live on the display while typed and stays when Enter commits it', async () => {
    const input = consoleA.getByTestId('typed-input');
    await input.click();
    await input.pressSequentially('Good morning, delegates', { delay: 20 });
    await expect.poll(() => shown('en', true), LONG).toBe('Good morning, delegates');
    await input.press('Enter');
    await expect.poll(() => shown('en'), LONG).toContain('Good morning, delegates');
    expect(await shown('en', true)).toBe('');
  }, 150_000);

  it('script cues go out one key at a time', async () => {
    await consoleA.keyboard.press('F3');
    await consoleA.getByRole('button', { name: 'Paste text' }).click();
    await consoleA
      .locator('.paste textarea')
      .fill('This is the first cue of the prepared speech, long enough to fill two lines. The second cue follows it here, and it is just as long as the first one.');
    await consoleA.getByRole('button', { name: 'Split into cues' }).click();
    await consoleA.getByTestId('cue-list').waitFor();
    await consoleA.keyboard.press('F8');
    await expect.poll(() => shown('en'), LONG).toContain('first cue of the prepared speech');
    await consoleA.keyboard.press('PageDown');
    await expect.poll(() => shown('en'), LONG).toContain('The second cue follows it here');
    expect(await consoleA.locator('[data-cue="1"].current').count()).toBe(1);
  }, 150_000);

  it('a correction of a sent line changes it in place on the display', async () => {
    await consoleA.keyboard.press('F1');
    const input = consoleA.getByTestId('typed-input');
    await input.pressSequentially('The meeting starts at ten', { delay: 10 });
    await input.press('Enter');
    await expect.poll(() => shown('en'), LONG).toContain('The meeting starts at ten');
    await consoleA.keyboard.press('F4');
    const edit = consoleA.getByLabel('Correct line');
    await edit.fill('The meeting starts at eleven');
    await edit.press('Enter');
    await expect.poll(() => shown('en'), LONG).toContain('The meeting starts at eleven');
    expect(await shown('en')).not.toContain('starts at ten');
    expect(await consoleA.getByTestId('sent-line').last().textContent()).toContain('r1');
  }, 150_000);

  it('voice mode: the booth microphone becomes lines on the channel and the display (review window 0)', async () => {
    const channelPanel = consoleA.getByRole('region', { name: 'Interpreter channel' });
    await channelPanel.getByRole('tab', { name: /^Voice/ }).click();
    // The booth mic is the same fake device: tone words come back through the voice worker as committed lines.
    await expect.poll(() => channelPanel.locator('.vstat b').textContent(), LONG).toMatch(/ready|busy/);
    // New voice words are counted by the display's line ids, gathered across polls: the rows on screen are bounded
    // (a full screen's word count cannot grow), the ids the display has shown are not.
    const before = new Set(await committedRows(display, 'en').then((rows) => rows.map((r) => r.id)));
    const heard = new Map<string, string>();
    const count = (text: string): number => text.match(/w\d/g)?.length ?? 0;
    const newVoiceWords = async (): Promise<number> => {
      const lines = new Map<string, string>();
      for (const row of await committedRows(display, 'en')) if (!before.has(row.id)) lines.set(row.id, `${lines.get(row.id) ?? ''} ${row.text}`);
      // A long line's first rows may have rolled off: keep the most of each line seen.
      for (const [id, text] of lines) if (count(text) > count(heard.get(id) ?? '')) heard.set(id, text);
      return [...heard.values()].reduce((n, text) => n + count(text), 0);
    };
    await expect.poll(newVoiceWords, LONG).toBeGreaterThan(2);
    const words = (await shown('en')).match(/w\d/g) ?? [];
    for (let i = 1; i < words.length; i++) expect(Number(words[i]![1])).toBe((Number(words[i - 1]![1]) % 5) + 1);
    await expect.poll(async () => (await consoleA.getByTestId('sent-line').allTextContents()).join(' '), LONG).toMatch(/w\d/);
    await channelPanel.getByRole('tab', { name: /^Typed/ }).click();
    await expect.poll(() => channelPanel.getByTestId('typed-input').isVisible(), LONG).toBe(true);
  }, 90_000);

  it('hands the channel over to the second console: B asks, A answers with its own key while its input keeps the keyboard', async () => {
    await expect.poll(() => consoleA.getByTestId('on-air').textContent(), LONG).toBe('ON AIR');
    await expect.poll(() => consoleB.getByTestId('on-air').textContent(), LONG).toBe('OFF AIR');
    await expect.poll(() => consoleA.getByTestId('partner').textContent(), LONG).toContain('online · English booth B');
    await expect.poll(() => consoleB.getByTestId('partner').textContent(), LONG).toContain('on air · English booth A');
    // A is typing when B asks: the request shows as a banner and A's keys stay in A's input.
    const inputA = consoleA.getByTestId('typed-input');
    await inputA.click();
    await inputA.pressSequentially('Thank you, Madam', { delay: 10 });
    await consoleB.keyboard.press('Alt+H');
    const banner = consoleA.getByTestId('handover-banner');
    await expect.poll(() => banner.textContent(), LONG).toContain('English booth B asks to take over EN');
    await consoleA.keyboard.type(' Chair');
    expect(await inputA.inputValue()).toBe('Thank you, Madam Chair');
    await expect.poll(() => shown('en', true), LONG).toBe('Thank you, Madam Chair');
    // A hands over mid-line: the half line is committed on the displays, not left there as a partial.
    await consoleA.keyboard.press('Alt+H');
    await expect.poll(() => consoleB.getByTestId('on-air').textContent(), LONG).toBe('ON AIR');
    await expect.poll(() => consoleA.getByTestId('on-air').textContent(), LONG).toBe('OFF AIR');
    await expect.poll(() => shown('en'), LONG).toContain('Thank you, Madam Chair');
    expect(await shown('en', true)).toBe('');
    expect(await inputA.inputValue()).toBe('');
    const input = consoleB.getByTestId('typed-input');
    await input.click();
    await input.pressSequentially('Booth B now on air');
    await input.press('Enter');
    await expect.poll(() => shown('en'), LONG).toContain('Booth B now on air');
    mkdirSync(ARTIFACTS, { recursive: true });
    await consoleA.screenshot({ path: join(ARTIFACTS, 'e2e-console-a.png') });
    await display.screenshot({ path: join(ARTIFACTS, 'e2e-display.png') });
  }, 150_000);
});

describe('console end to end with the real whisper engine (generated test model) on espeak-ng speech', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let browser: Browser;
  let operator: Page;
  let display: Page;
  let modelsDir: string;

  beforeAll(async () => {
    if (!existsSync(join(OUT, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const modelPath = await ensureGeneratedModel('test');
    const dir = await mkdtemp(join(tmpdir(), 'tarjuman-e2e-whisper-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // espeak-ng speech with a pause after it, so each loop of the fake microphone is one utterance.
    const speech = join(dir, 'speech.wav');
    const wav = join(dir, 'floor.wav');
    execFileSync('espeak-ng', ['-v', 'en', '-s', '150', '-w', speech, 'Good morning. The session of the committee is now open.']);
    execFileSync('sox', [speech, wav, 'pad', '0.5', '2.5']);

    modelsDir = join(dir, 'models');
    mkdirSync(modelsDir);
    copyFileSync(modelPath, join(modelsDir, 'test.bin'));
    const core = await ConsoleCore.create({
      dataDir: join(dir, 'core'),
      shell: 'browser',
      hubStaticDir: OUT,
      logger: quiet,
      sttFactory: supervisorSttFactory({ spawnWorker: nodeWorkerSpawner({ stderr: 'ignore' }) }),
      // The model folder the console looks in holds the generated model; the console finds it by itself.
      resolveModel: modelResolver([modelsDir]),
      modelDirs: [modelsDir],
      restoreConnection: false,
    });
    cleanups.push(() => core.close());
    const set = await core.updateSettings({ hubMode: 'host', hostPort: 0, hostAddress: '127.0.0.1', role: 'operator', room: 'main', secret: SECRET, floorLanguage: 'en', publishFloor: true });
    expect(set.ok).toBe(true);
    const connected = await core.connectHub();
    expect(connected.ok, JSON.stringify(connected)).toBe(true);
    const server = await startConsoleServer({ core, staticDir: OUT, port: 0 });
    cleanups.push(() => server.close());
    const hubUrl = connected.ok ? connected.value.url : null;

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`] });
    cleanups.push(() => browser.close());
    display = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await display.goto(displayUrl(hubUrl!, 'main', ['floor']));
    operator = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await operator.goto(server.link);
  });

  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('turns the fake microphone into floor lines that the display shows as the console does', async () => {
    await operator.getByTestId('op-floor').waitFor();
    await operator.keyboard.press('Alt+B');
    await operator.getByRole('button', { name: 'Start floor' }).click();
    const transcript = operator.getByTestId('floor-transcript');
    await expect.poll(() => transcript.locator('p.line:not(.partial)').count(), { timeout: 90_000, interval: 500 }).toBeGreaterThan(0);
    expect(await operator.locator('.floor .stt').textContent()).toMatch(/STT (ready|busy)/);
    const consoleText = async (): Promise<string> =>
      (await transcript.locator('p.line:not(.partial) .text').allTextContents()).join(' ').replace(/\s+/g, ' ').trim();
    // What the display shows of the floor is what the console committed (the display keeps the last rows).
    await expect.poll(() => shownOn(display, 'floor'), LONG).not.toBe('');
    await expect.poll(async () => (await consoleText()).includes(await shownOn(display, 'floor')), LONG).toBe(true);
    expect((await transcript.locator('p.line:not(.partial) .lang').first().textContent())?.trim()).toBe('EN');
    mkdirSync(ARTIFACTS, { recursive: true });
    await operator.screenshot({ path: join(ARTIFACTS, 'e2e-whisper-console.png') });
    await operator.getByRole('button', { name: 'Stop floor' }).click();
  }, 150_000);

  it('lists the models it found in the settings and imports one from a path on the machine', async () => {
    await operator.getByRole('button', { name: /^Settings/ }).click();
    const installed = operator.getByLabel('Installed models');
    // The floor test above ran this model: when its stream reached a verdict (on a loaded machine it can say
    // "behind" within seconds), the option says how it did here.
    await expect
      .poll(async () => (await installed.locator('option').allTextContents()).some((o) => /^test\.bin: custom size, multilingual, f16, 8 MiB( · (kept up here|kept up here with longer steps|fell behind here))?$/.test(o)), LONG)
      .toBe(true);
    const usb = join(modelsDir, '..', 'usb');
    mkdirSync(usb);
    copyFileSync(join(modelsDir, 'test.bin'), join(usb, 'ggml-imported.bin'));
    writeFileSync(join(usb, 'ggml-broken.bin'), 'lmgg not really a model');
    const status = operator.locator('aside[aria-label="Settings"] [role=status]');
    await operator.getByLabel('Model file to import').fill(join(usb, 'ggml-broken.bin'));
    await operator.getByRole('button', { name: 'Import model file' }).click();
    await expect.poll(() => status.textContent(), LONG).toMatch(/ggml-broken\.bin: /);
    expect(existsSync(join(modelsDir, 'ggml-broken.bin'))).toBe(false);
    await operator.getByLabel('Model file to import').fill(join(usb, 'ggml-imported.bin'));
    await operator.getByRole('button', { name: 'Import model file' }).click();
    await expect.poll(() => status.textContent(), LONG).toMatch(/^ggml-imported\.bin imported \(.*\); save to use it\.$/);
    expect(existsSync(join(modelsDir, 'ggml-imported.bin'))).toBe(true);
    expect(await operator.getByLabel('Model', { exact: true }).inputValue()).toBe('ggml-imported.bin');
    await expect.poll(() => installed.inputValue(), LONG).toBe('ggml-imported.bin');
    await operator.screenshot({ path: join(ARTIFACTS, 'e2e-settings-models.png') });
  }, 60_000);
});
