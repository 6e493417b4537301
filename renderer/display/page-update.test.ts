import { describe, expect, it } from 'vitest';
import { moduleScriptOf, reloadOnNewBuild, watchForNewBuild, type PageUpdateDeps } from './page-update';

const PAGE = 'http://192.168.1.20:7300/display?room=main&channels=ar,en';
const BUILT = `<!doctype html>
<html lang="en">
  <head>
    <title>Tarjuman display</title>
    <script type="module" crossorigin src="./assets/display-BabdJvGU.js"></script>
    <link rel="modulepreload" crossorigin href="./assets/esm-Bxy0YS5B.js">
  </head>
  <body><div id="app"></div></body>
</html>`;

describe('a display page notices a new build after a hub restart', () => {
  it('reads the module script a page names, resolved against the page', () => {
    expect(moduleScriptOf(BUILT, PAGE)).toBe('http://192.168.1.20:7300/assets/display-BabdJvGU.js');
    expect(moduleScriptOf(`<script src='/x.js' type='module'></script>`, PAGE)).toBe('http://192.168.1.20:7300/x.js');
    expect(moduleScriptOf('<script src="/legacy.js"></script><script type=module src=/assets/d-1.js></script>', PAGE)).toBe('http://192.168.1.20:7300/assets/d-1.js');
    expect(moduleScriptOf('<title>503</title>', PAGE)).toBeNull();
  });

  it('reloads only when the hub serves another build, and never on a failed fetch', async () => {
    const run = async (html: string | Error, own: string | null = 'http://192.168.1.20:7300/assets/display-BabdJvGU.js'): Promise<number> => {
      let reloads = 0;
      const deps: PageUpdateDeps = {
        href: PAGE,
        ownScript: own,
        fetchPage: async () => {
          if (html instanceof Error) throw html;
          return html;
        },
        reload: () => reloads++,
      };
      await reloadOnNewBuild(deps);
      return reloads;
    };
    expect(await run(BUILT)).toBe(0);
    expect(await run(BUILT.replace('display-BabdJvGU', 'display-Q7xk2LmP'))).toBe(1);
    expect(await run(new Error('HTTP 503'))).toBe(0);
    expect(await run('<title>Service unavailable</title>')).toBe(0);
    expect(await run(BUILT.replace('display-BabdJvGU', 'display-Q7xk2LmP'), null)).toBe(0);
  });

  it('checks at every reconnect, not at the first connect', async () => {
    const handlers: (() => void)[] = [];
    const checked: number[] = [];
    watchForNewBuild({ on: (_event, fn) => handlers.push(fn) }, () => {
      checked.push(handlers.length);
      return { href: PAGE, ownScript: null, fetchPage: async () => '', reload: () => undefined };
    });
    handlers[0]!();
    expect(checked).toEqual([]);
    handlers[0]!();
    handlers[0]!();
    expect(checked).toHaveLength(2);
  });
});
