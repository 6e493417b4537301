import { describe, expect, it } from 'vitest';
import { parseHubUrl } from './hub-url';

describe('parseHubUrl', () => {
  it('takes what people type and gives an origin', () => {
    expect(parseHubUrl('localhost:7300')).toEqual({ ok: true, value: 'http://localhost:7300' });
    expect(parseHubUrl(' 192.168.1.20:7300 ')).toEqual({ ok: true, value: 'http://192.168.1.20:7300' });
    expect(parseHubUrl('hub.venue.lan')).toEqual({ ok: true, value: 'http://hub.venue.lan' });
    expect(parseHubUrl('https://hub.venue.lan:8443/')).toEqual({ ok: true, value: 'https://hub.venue.lan:8443' });
    expect(parseHubUrl('HTTP://[::1]:7300')).toEqual({ ok: true, value: 'http://[::1]:7300' });
  });

  it('refuses what cannot be a hub address, saying what to type', () => {
    for (const bad of ['', 'ftp://x:21', 'http://host:7300/display?room=main', 'http://user:pw@host', 'http://', 'localhost:99999']) {
      const r = parseHubUrl(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_HUB_URL');
        expect(r.error.message).toMatch(/give it as host:port or http:\/\/host:port/);
      }
    }
  });
});
