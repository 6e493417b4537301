/**
 * What the hub refuses or adds so that displays never show the wrong thing: text that draws nothing, requests
 * larger than the hub reads (refused by the client library with the hub's code, the connection kept), and
 * notices whose time left is measured on the hub's clock. Also the frame headers of the hub's pages.
 */
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../common/frame-limit';
import { ERROR_CODES, type Notice, type PublishLine, type SubscribeResult } from '../common/protocol';
import type { Result } from '../common/result';
import type { CaptionHub } from './caption-hub';
import { hubRequest } from './hub-client';
import { ClientPool, startTestHub, TEST_ROOMS } from './test-support';
import { DISPLAY_CSP } from './http-routes';

const SECRET = TEST_ROOMS[0]!.secret;
let hub: CaptionHub;
const pool = new ClientPool();
let n = 0;
const line = (channel: string, text: string, state: 'partial' | 'final' = 'final', id = `in-${n++}`): PublishLine => ({ id, channel, text, state, source: 'typed' });

beforeAll(async () => {
  ({ hub } = await startTestHub());
});
afterAll(async () => {
  pool.closeAll();
  await hub.close();
});
afterEach(() => pool.closeAll());

const operator = (): ReturnType<ClientPool['connect']> => pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });

describe('text that draws nothing', () => {
  it('is refused like an empty line: finals, corrections and notices of only marks, zero-width and bidi characters', async () => {
    const op = await operator();
    const invisible = ['\u200E\u200E', '\u200B \u200B', '\u2066\u200F\u2069', '\uFEFF\u2060\u00A0', '\u061C\u200D'];
    for (const text of invisible) {
      const r = await hubRequest(op, 'caption:publish', line('en', text));
      expect(r, JSON.stringify(text)).toMatchObject({ ok: false, error: { code: ERROR_CODES.INVALID_PAYLOAD } });
      const notice = await hubRequest(op, 'notice:show', { text });
      expect(notice, JSON.stringify(text)).toMatchObject({ ok: false, error: { code: ERROR_CODES.INVALID_PAYLOAD } });
    }
    const kept = await hubRequest(op, 'caption:publish', line('en', 'Kept.', 'final', 'in-kept'));
    expect(kept.ok).toBe(true);
    const blanked = await hubRequest(op, 'caption:revise', { channel: 'en', id: 'in-kept', text: '\u200B\u200E' });
    expect(blanked).toMatchObject({ ok: false, error: { code: ERROR_CODES.INVALID_PAYLOAD } });
    // A visible character among the marks is text.
    expect((await hubRequest(op, 'caption:publish', line('en', '\u200E.'))).ok).toBe(true);
    // What a display gets: the one real line, then the period; no blank line.
    const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const sub = (await hubRequest(display, 'display:subscribe', { channels: ['en'] })) as Result<SubscribeResult>;
    expect(sub.ok && sub.value.channels[0]?.changes.map((c) => (c.kind === 'committed' ? c.line.text : c.kind))).toEqual(['Kept.', '\u200E.']);
  });
});

describe('requests larger than the hub reads', () => {
  it('gets TEXT_TOO_LONG for a 1 MB publish through the client library, and the connection stays', async () => {
    const op = await operator();
    let dropped = false;
    op.on('disconnect', () => (dropped = true));
    const huge = await hubRequest(op, 'caption:publish', line('en', 'x'.repeat(1024 * 1024)));
    expect(huge).toMatchObject({ ok: false, error: { code: ERROR_CODES.TEXT_TOO_LONG } });
    // Just over the text limit but well within a frame: the hub itself answers, with the same code.
    const over = await hubRequest(op, 'caption:publish', line('en', 'y'.repeat(2001)));
    expect(over).toMatchObject({ ok: false, error: { code: ERROR_CODES.TEXT_TOO_LONG } });
    const next = await hubRequest(op, 'caption:publish', line('en', 'Still connected.'));
    expect(next.ok).toBe(true);
    expect(dropped).toBe(false);
    expect(op.connected).toBe(true);
  });

  it('reads frames up to the limit the client library checks against', async () => {
    expect(hub.io.engine.opts.maxHttpBufferSize).toBe(MAX_FRAME_BYTES);
    // A client without the library that sends more loses its connection: the reason the library checks first.
    const raw = io(hub.url, { auth: { role: 'operator', room: 'main', secret: SECRET }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => raw.on('connect', () => resolve()));
    const reason = await new Promise<string>((resolve) => {
      raw.on('disconnect', resolve);
      raw.emit('caption:publish', line('en', 'z'.repeat(MAX_FRAME_BYTES + 1)), () => resolve('answered'));
    });
    expect(reason).not.toBe('answered');
    raw.close();
  });
});

describe('notices on the hub clock', () => {
  it('tell a display how long they have left, measured by the hub, in the subscribe answer and live', async () => {
    const op = await operator();
    const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const live = new Promise<Notice>((resolve) => display.on('notice:changed', resolve));
    await hubRequest(display, 'display:subscribe', { channels: ['en'] });
    const shown = await hubRequest(op, 'notice:show', { text: 'Coffee break until 11:00', ttlMs: 60_000 });
    expect(shown.ok).toBe(true);
    expect((await live).remainingMs).toBe(60_000);
    await new Promise((r) => setTimeout(r, 300));
    const late = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const sub = (await hubRequest(late, 'display:subscribe', { channels: ['en'] })) as Result<SubscribeResult>;
    const remaining = sub.ok ? sub.value.notice?.remainingMs : undefined;
    expect(remaining).toBeLessThanOrEqual(60_000 - 250);
    expect(remaining).toBeGreaterThan(50_000);
    await hubRequest(op, 'notice:clear', {});
  });
});

describe('framing of the hub pages', () => {
  it('refuses other sites by default, and allows the origins the hub names', async () => {
    for (const path of ['/display?room=main&channels=en', '/']) {
      const res = await fetch(`${hub.url}${path}`);
      expect(res.headers.get('content-security-policy'), path).toBe(DISPLAY_CSP);
      expect(DISPLAY_CSP).toContain("frame-ancestors 'self'");
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
    }
    const { hub: venue } = await startTestHub({ frameAncestors: ['https://venue.example', 'https://*.events.example:8443'] });
    try {
      const res = await fetch(`${venue.url}/`);
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://venue.example https://*.events.example:8443");
      expect(res.headers.get('x-frame-options')).toBeNull();
    } finally {
      await venue.close();
    }
    for (const bad of ['*', 'venue.example', 'https://venue.example/page', "https://x 'unsafe-inline'", 'javascript:alert(1)']) {
      await expect(startTestHub({ frameAncestors: [bad] }), bad).rejects.toThrow(/frameAncestors/);
    }
  });
});
