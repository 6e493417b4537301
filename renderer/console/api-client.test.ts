/**
 * Where the browser console page finds its access token: the link's `#token=` (then kept for the tab and taken
 * out of the address bar), else what this tab kept; never the query string.
 */
import { describe, expect, it } from 'vitest';
import { consoleToken } from './api-client';

function tab(initial: Record<string, string> = {}, failing = false) {
  const items = new Map(Object.entries(initial));
  const replaced: string[] = [];
  return {
    storage: {
      getItem: (k: string) => {
        if (failing) throw new Error('denied');
        return items.get(k) ?? null;
      },
      setItem: (k: string, v: string) => {
        if (failing) throw new Error('denied');
        items.set(k, v);
      },
    },
    history: { replaceState: (_d: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
    items,
    replaced,
  };
}

describe('consoleToken', () => {
  it('takes the token from the link fragment, keeps it for the tab and clears it from the address bar', () => {
    const t = tab();
    expect(consoleToken({ hash: '#token=abc-DEF_123', pathname: '/', search: '' }, t.storage, t.history)).toBe('abc-DEF_123');
    expect(t.items.get('tarjuman.console.token')).toBe('abc-DEF_123');
    expect(t.replaced).toEqual(['/']);
    // A reload has no fragment any more: the tab's copy serves.
    expect(consoleToken({ hash: '', pathname: '/', search: '' }, t.storage, t.history)).toBe('abc-DEF_123');
    expect(t.replaced).toHaveLength(1);
  });

  it('ignores a token in the query and survives a storage that refuses', () => {
    expect(consoleToken({ hash: '', pathname: '/', search: '?token=leaky' }, tab().storage, null)).toBeNull();
    const refusing = tab({}, true);
    expect(consoleToken({ hash: '#token=only-this-load', pathname: '/console', search: '' }, refusing.storage, refusing.history)).toBe('only-this-load');
    expect(consoleToken({ hash: '', pathname: '/', search: '' }, refusing.storage, null)).toBeNull();
  });
});
