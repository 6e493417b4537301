/**
 * The console server's access rules in Debian's Chromium: the page it serves works with the token from its link
 * (kept for the tab, out of the address bar); without the token the page says why; and a page from another origin
 * (a second local HTTP server on another port), or a DNS-rebinding name, cannot reach the console API even when
 * it knows the token. Leaves screenshots in test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleApi } from '../../electron/common/console-api';
import { ConsoleCore } from '../../electron/console/console-core';
import { startConsoleServer, type ConsoleServer } from '../../electron/console/console-server';
import { recordingLogger } from '../../electron/hub/test-support';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'out/renderer');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SOCKET_IO_BUNDLE = join(ROOT, 'node_modules/socket.io-client/dist/socket.io.min.js');

/** What the attacker's page tries against the console at `target`, knowing its token; reports into window.__results. */
const ATTACK_PAGE = `<!doctype html><title>another site</title><script src="/socket.io.min.js"></script><script>
const params = new URLSearchParams(location.search);
const target = params.get('target');
const token = params.get('token');
const results = {};
const done = () => { if (Object.keys(results).length === 3) window.__results = results; };
const client = io(target, { auth: { token }, reconnection: false, timeout: 4000 });
client.on('connect', () => { results.socketio = 'connected'; client.emit('console:call', 'getState', [], (r) => { results.answer = r; }); done(); });
client.on('connect_error', (e) => { results.socketio = 'refused: ' + e.message; done(); });
const ws = new WebSocket(target.replace('http', 'ws') + '/socket.io/?EIO=4&transport=websocket');
ws.onopen = () => { results.websocket = 'open'; done(); };
ws.onerror = () => { results.websocket = 'error'; done(); };
fetch(target + '/socket.io/?EIO=4&transport=polling').then(
  (r) => r.text().then((t) => { results.polling = 'read: ' + r.status + ' ' + t; done(); }),
  (e) => { results.polling = 'blocked: ' + e.message; done(); },
);
</script>`;

describe('console server access in Chromium', () => {
  let browser: Browser;
  let dataDir: string;
  let core: ConsoleCore;
  let server: ConsoleServer;
  let attacker: Server;
  let attackerPort: number;
  const logger = recordingLogger();
  /** Requests that reached the core, by method name. */
  const reached: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(OUT, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
    dataDir = await mkdtemp(join(tmpdir(), 'tarjuman-access-'));
    core = await ConsoleCore.create({ dataDir, shell: 'browser', logger: recordingLogger(), restoreConnection: false });
    const counted = new Proxy(core, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function' || name === 'on' || name === 'pushAudio') return value;
        return (...args: unknown[]) => {
          reached.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as ConsoleApi;
    server = await startConsoleServer({ core: counted, staticDir: OUT, port: 0, logger });
    const bundle = readFileSync(SOCKET_IO_BUNDLE);
    attacker = createServer((req, res) => {
      if (req.url?.startsWith('/socket.io.min.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ATTACK_PAGE);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-quic', '--host-resolver-rules=MAP rebind.test 127.0.0.1',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
    await server?.close();
    await core?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the page it serves works with the token from the link, keeps it for the tab, and says why without it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const before = reached.length;
    await page.goto(server.link);
    await page.getByTestId('hub-status').waitFor();
    await expect.poll(() => reached.slice(before)).toContain('getState');
    // The token left the address bar (nothing to copy by mistake) and stays with this tab.
    expect(page.url()).toBe(`${server.url}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('tarjuman.console.token'))).toBe(server.token);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'console-access-with-token.png') });
    const reloads = reached.filter((m) => m === 'getState').length;
    await page.reload();
    await page.getByTestId('hub-status').waitFor();
    await expect.poll(() => reached.filter((m) => m === 'getState').length).toBeGreaterThan(reloads);

    // A tab without the token (its address typed by hand) is refused and says what to do.
    const bare = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await bare.goto(`${server.url}/`);
    const alert = bare.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toMatch(/ACCESS_TOKEN_MISSING: .*link it printed/);
    await bare.screenshot({ path: join(ARTIFACTS, 'console-access-no-token.png') });
    await context.close();
  });

  it('asks before the room secret goes to a new hub host, and warns about plain http off the local network', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(server.link);
    await page.getByTestId('hub-status').waitFor();
    await page.getByRole('button', { name: /^Settings/ }).click();
    await page.getByLabel('Join a hub').check();
    await page.getByLabel('Hub address').fill('http://203.0.113.7:7300');
    await page.getByRole('button', { name: 'Save' }).click();
    const confirm = page.getByTestId('confirm-destination');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('The room secret will be sent to 203.0.113.7');
    expect(await page.getByTestId('plain-http-warning').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'console-access-confirm-hub.png') });
    const unsaved = await core.getState();
    expect(unsaved.ok && unsaved.value.settings.hubMode).toBe('host');
    await page.getByRole('button', { name: 'Send the secret to 203.0.113.7' }).click();
    await expect.poll(async () => {
      const s = await core.getState();
      return s.ok ? `${s.value.settings.hubMode} ${s.value.settings.hubUrl}` : '';
    }).toBe('join http://203.0.113.7:7300');
    expect(await confirm.count()).toBe(0);
    // Back to this machine's hub for the other tests: a host mode change needs no confirmation.
    await core.updateSettings({ hubMode: 'host' });
  });

  it('a page from another origin cannot reach the console API, even knowing the token', async () => {
    const start = reached.length;
    const refusalsBefore = logger.lines.length;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${attackerPort}/?target=${encodeURIComponent(server.url)}&token=${encodeURIComponent(server.token)}`);
    const results = (await page.waitForFunction(() => (window as unknown as { __results?: unknown }).__results, undefined, { timeout: 20_000 }).then((h) => h.jsonValue())) as Record<string, string>;
    expect(results['socketio']).toMatch(/^refused/);
    expect(results['websocket']).toBe('error');
    expect(results['polling']).toMatch(/^blocked/);
    expect(results).not.toHaveProperty('answer');
    expect(reached.slice(start)).toEqual([]);
    const refused = logger.lines.slice(refusalsBefore).filter((l) => l.includes('console access refused'));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((l) => l.includes('ACCESS_BAD_ORIGIN'))).toBe(true);
  });

  it('a DNS-rebinding name for loopback gets neither the page nor the API', async () => {
    const start = reached.length;
    const refusalsBefore = logger.lines.length;
    const page = await (await browser.newContext()).newPage();
    const rebound = `http://rebind.test:${server.port}`;
    const direct = await page.goto(`${rebound}/`);
    expect(direct?.status()).toBe(403);
    expect(await page.textContent('body')).toMatch(/^ACCESS_BAD_HOST: /);
    await page.goto(`http://rebind.test:${attackerPort}/?target=${encodeURIComponent(rebound)}&token=${encodeURIComponent(server.token)}`);
    const results = (await page.waitForFunction(() => (window as unknown as { __results?: unknown }).__results, undefined, { timeout: 20_000 }).then((h) => h.jsonValue())) as Record<string, string>;
    expect(results['socketio']).toMatch(/^refused/);
    expect(results['websocket']).toBe('error');
    expect(reached.slice(start)).toEqual([]);
    const refused = logger.lines.slice(refusalsBefore).filter((l) => l.includes('console access refused'));
    expect(refused.some((l) => l.includes('ACCESS_BAD_HOST'))).toBe(true);
  });
});
