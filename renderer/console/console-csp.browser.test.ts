/**
 * The built console page's own CSP (its meta tag: what applies when Electron loads it from file://, where no
 * header is sent), checked by what Chromium lets the page do: no inline script (elements or handler attributes),
 * no network to another origin. The console talks to its core over IPC (or its own origin), never to anything
 * else. (Eval cannot be tried this way: code run by the test driver is exempt from the page's CSP.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'out/renderer');

describe('the console page\'s own CSP (file:// load)', () => {
  let browser: Browser;
  let other: Server;
  let otherUrl: string;
  let hits = 0;

  beforeAll(async () => {
    if (!existsSync(join(OUT, 'index.html'))) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
    other = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'access-control-allow-origin': '*' }).end('reached');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--allow-file-access-from-files'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (other ? other.close(() => resolve()) : resolve()));
  });

  it('allows no inline script and no network to another origin', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(pathToFileURL(join(OUT, 'index.html')).href);
    const outcome = await page.evaluate(async (target) => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
      const w = window as unknown as { __inline?: number; __handler?: number };
      const script = document.createElement('script');
      script.textContent = 'window.__inline = 1';
      document.body.append(script);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__handler = 1');
      img.src = 'data:,not-an-image';
      document.body.append(img);
      let fetched = 'reached';
      try {
        await fetch(target);
      } catch {
        fetched = 'blocked';
      }
      await new Promise((r) => setTimeout(r, 200));
      return { inline: w.__inline ?? null, handler: w.__handler ?? null, fetched, violations };
    }, otherUrl);
    expect(outcome.inline).toBeNull();
    expect(outcome.handler).toBeNull();
    expect(outcome.fetched).toBe('blocked');
    expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr', 'connect-src']));
    expect(hits).toBe(0);
  });
});
