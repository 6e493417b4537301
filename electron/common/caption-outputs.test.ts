/** Output credentials as the console's page gets them (masked) and as they come back (the stored ones kept). */
import { describe, expect, it } from 'vitest';
import { redactOutputCredentials, restoreOutputCredentials, STORED_CREDENTIAL, type OutputConfig } from './caption-outputs';

const stored: OutputConfig[] = [
  { kind: 'youtube', id: 'yt', room: 'main', channel: 'en', url: 'http://upload.youtube.com/closedcaption?cid=abcd-1234' },
  { kind: 'teams', id: 'teams', room: 'main', channel: 'ru', url: 'https://user:pw@cart.example/token-in-path' },
  { kind: 'obs', id: 'obs', room: 'main', channel: 'en', url: 'ws://127.0.0.1:4455', password: 'obs-pass' },
  { kind: 'file', id: 'files', room: 'main', channel: 'ar', dir: '/srv/live' },
];

describe('output credentials', () => {
  it('are masked for showing, whatever the URL carries, and the masked form goes back to the stored value', () => {
    const shown = redactOutputCredentials(stored);
    expect(shown.map((o) => (o.kind === 'file' ? o.dir : o.kind === 'obs' ? `${o.url} ${o.password}` : o.url))).toEqual([
      'http://upload.youtube.com/closedcaption?…',
      'https://cart.example/token-in-path?…',
      `ws://127.0.0.1:4455 ${STORED_CREDENTIAL}`,
      '/srv/live',
    ]);
    expect(JSON.stringify(shown)).not.toMatch(/abcd-1234|user:pw|obs-pass/);
    expect(restoreOutputCredentials(shown, stored)).toEqual({ ok: true, value: stored });
  });

  it('take a typed value, and refuse a masked one with nothing stored behind it', () => {
    const shown = redactOutputCredentials(stored);
    const typed = shown.map((o) => (o.kind === 'youtube' ? { ...o, url: 'http://upload.youtube.com/closedcaption?cid=new' } : o));
    const r = restoreOutputCredentials(typed, stored);
    expect(r.ok && r.value[0]).toMatchObject({ url: 'http://upload.youtube.com/closedcaption?cid=new' });
    // Same id, another kind: nothing to restore from.
    const moved = restoreOutputCredentials([{ ...shown[0]!, kind: 'zoom' } as OutputConfig], stored);
    expect(moved).toMatchObject({ ok: false, error: { message: 'output yt: type the whole caption URL (none is stored for it)' } });
    expect(restoreOutputCredentials([{ ...shown[2]!, id: 'obs-2' }], stored)).toMatchObject({ ok: false, error: { message: 'output obs-2: type the OBS password (none is stored for it)' } });
  });
});
