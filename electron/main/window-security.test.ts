/**
 * Electron hardening as data, checked without the Electron binary: the window options and CSP the shell applies
 * and the URL checks behind its sender, navigation and permission guards (app-shell.test.ts runs the guards;
 * renderer/console/console-csp.browser.test.ts checks the page's own CSP in Chromium).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  consoleWindowOptions,
  displayWindowOptions,
  isAppUrl,
  isDisplayUrl,
  permissionAllowed,
  WINDOW_OPEN_POLICY,
} from './window-security';
import { CONSOLE_CSP } from '../console/console-csp';

const repo = resolve(import.meta.dirname, '..', '..');
const rendererDir = join(repo, 'out', 'renderer');

/** Parses a CSP into directive → sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('Electron hardening', () => {
  it('console and display windows: isolated, sandboxed, no Node, web security on', () => {
    const consoleWin = consoleWindowOptions('/app/out/preload/index.cjs');
    const displayWin = displayWindowOptions({ x: 1920, y: 0, width: 1920, height: 1080 });
    for (const prefs of [consoleWin.webPreferences, displayWin.webPreferences]) {
      expect(prefs.contextIsolation).toBe(true);
      expect(prefs.sandbox).toBe(true);
      expect(prefs.nodeIntegration).toBe(false);
      expect(prefs.nodeIntegrationInWorker).toBe(false);
      expect(prefs.nodeIntegrationInSubFrames).toBe(false);
      expect(prefs.webSecurity).toBe(true);
      expect(prefs.allowRunningInsecureContent).toBe(false);
      expect(prefs.experimentalFeatures).toBe(false);
      expect(prefs.webviewTag).toBe(false);
    }
    expect(consoleWin.webPreferences.preload).toMatch(/\.cjs$/);
    expect(displayWin.webPreferences).not.toHaveProperty('preload');
    expect(displayWin).toMatchObject({ fullscreen: true, x: 1920, y: 0, width: 1920, height: 1080 });
    expect(WINDOW_OPEN_POLICY).toEqual({ action: 'deny' });
  });

  it('the console CSP allows no inline or eval script, no plugins, no framing, and network only to itself', () => {
    const csp = directives(CONSOLE_CSP);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-eval|\*/);
    for (const [name, sources] of csp) if (name !== 'style-src') expect(sources).not.toContain("'unsafe-inline'");
  });

  it('only the app\'s own page counts as the IPC sender and navigation target', () => {
    const origin = { rendererDir };
    expect(isAppUrl(pathToFileURL(join(rendererDir, 'index.html')).href, origin)).toBe(true);
    expect(isAppUrl(pathToFileURL(join(repo, 'package.json')).href, origin)).toBe(false);
    expect(isAppUrl(`${pathToFileURL(rendererDir).href}/../../package.json`, origin)).toBe(false);
    expect(isAppUrl(`${pathToFileURL(rendererDir).href}-evil/index.html`, origin)).toBe(false);
    expect(isAppUrl('https://example.com/index.html', origin)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:7300/display', origin)).toBe(false);
    expect(isAppUrl('not a url', origin)).toBe(false);
    const dev = { rendererDir, devServerUrl: 'http://localhost:5173' };
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/index.html', dev)).toBe(false);
  });

  it('display windows stay on the hub\'s display page; only audio capture is permitted, only to the app', () => {
    expect(isDisplayUrl('http://127.0.0.1:7300/display?room=main&channels=ar', 'http://127.0.0.1:7300')).toBe(true);
    expect(isDisplayUrl('http://127.0.0.1:7300/export/main/ar.txt', 'http://127.0.0.1:7300')).toBe(false);
    expect(isDisplayUrl('http://evil.example/display', 'http://127.0.0.1:7300')).toBe(false);
    const origin = { rendererDir };
    const app = pathToFileURL(join(rendererDir, 'index.html')).href;
    expect(permissionAllowed('media', app, origin, ['audio'])).toBe(true);
    expect(permissionAllowed('media', app, origin, ['audio', 'video'])).toBe(false);
    expect(permissionAllowed('geolocation', app, origin)).toBe(false);
    expect(permissionAllowed('notifications', app, origin)).toBe(false);
    expect(permissionAllowed('media', 'https://example.com/', origin, ['audio'])).toBe(false);
  });
});
