import { ChannelFollower } from '../common/channel-follower';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, MAX_TEXT_LENGTH, type ChannelChange, type Notice, type PartialUpdate, type PublishLine } from '../common/protocol';
import type { CaptionHub } from './caption-hub';
import { connectHubClient, hubRequest } from './hub-client';
import { ClientPool, startTestHub, TEST_ROOMS, until, type RecordingLogger } from './test-support';

const SECRET = TEST_ROOMS[0]!.secret;
let hub: CaptionHub;
let log: RecordingLogger;
const pool = new ClientPool();
let n = 0;
const uid = (p = 'l'): string => `${p}-${Date.now()}-${n++}`;

function line(channel: string, text: string, state: 'partial' | 'final' = 'final', id = uid()): PublishLine {
  return { id, channel, text, state, source: 'typed' };
}

beforeAll(async () => {
  ({ hub, log } = await startTestHub({ rateLimit: { burst: 40, perSecond: 20 } }));
});
afterAll(async () => {
  pool.closeAll();
  await hub.close();
});
afterEach(() => pool.closeAll());

describe('handshake: roles and secrets', () => {
  it('refuses a missing or wrong secret, an unknown room, role or channel, each with its code', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ role: 'operator', room: 'main' }, ERROR_CODES.AUTH_MISSING_SECRET],
      [{ role: 'operator', room: 'main', secret: 'wrong-secret' }, ERROR_CODES.AUTH_BAD_SECRET],
      [{ role: 'booth', room: 'main', channel: 'en', secret: 'pin-ar-4412' }, ERROR_CODES.AUTH_BAD_SECRET],
      [{ role: 'operator', room: 'main', secret: 'pin-ar-4412' }, ERROR_CODES.AUTH_BAD_SECRET],
      [{ role: 'booth', room: 'nowhere', channel: 'en', secret: SECRET }, ERROR_CODES.UNKNOWN_ROOM],
      [{ role: 'booth', room: 'main', channel: 'fr', secret: SECRET }, ERROR_CODES.UNKNOWN_CHANNEL],
      [{ role: 'admin', room: 'main', secret: SECRET }, ERROR_CODES.AUTH_BAD_ROLE],
      [{ role: 'booth', room: 'main', secret: SECRET }, ERROR_CODES.INVALID_PAYLOAD],
      [{ role: 'display', room: 'main', extra: { __proto__: { polluted: true } } }, ERROR_CODES.INVALID_PAYLOAD],
    ];
    for (const [auth, code] of cases) {
      const result = await pool.tryConnect(hub.url, auth as never);
      expect(result.ok, JSON.stringify(auth)).toBe(false);
      if (!result.ok) {
        expect(result.error.code, JSON.stringify(auth)).toBe(code);
        expect(result.error.message.length).toBeGreaterThan(3);
      }
    }
  });

  it('accepts the room secret, a channel PIN for its own channel, and a display without secret', async () => {
    for (const auth of [
      { role: 'operator', room: 'main', secret: SECRET },
      { role: 'booth', room: 'main', channel: 'ar', secret: 'pin-ar-4412' },
      { role: 'booth', room: 'main', channel: 'en', secret: SECRET },
      { role: 'display', room: 'main' },
    ] as const) {
      const result = await pool.tryConnect(hub.url, auth);
      expect(result.ok, JSON.stringify(auth)).toBe(true);
      if (result.ok) result.value.disconnect();
    }
  });

  it('logs refusals without the secret', () => {
    const text = log.text();
    expect(text).toContain('handshake refused');
    expect(text).toContain(ERROR_CODES.AUTH_BAD_SECRET);
    for (const secret of [SECRET, 'wrong-secret', 'pin-ar-4412']) expect(text).not.toContain(secret);
  });

  it('forbids a display to publish and a booth to write another channel', async () => {
    const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const booth = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'ar', secret: 'pin-ar-4412' });
    const fromDisplay = await hubRequest(display, 'caption:publish', line('en', 'hello'));
    expect(fromDisplay).toMatchObject({ ok: false, error: { code: ERROR_CODES.FORBIDDEN } });
    expect(await hubRequest(display, 'channel:clear', { channel: 'en' })).toMatchObject({ ok: false, error: { code: ERROR_CODES.FORBIDDEN } });
    expect(await hubRequest(booth, 'caption:publish', line('en', 'not mine'))).toMatchObject({ ok: false, error: { code: ERROR_CODES.FORBIDDEN } });
    expect(await hubRequest(booth, 'channel:clear', { channel: 'ru' })).toMatchObject({ ok: false, error: { code: ERROR_CODES.FORBIDDEN } });
    expect(await hubRequest(booth, 'notice:show', { text: 'hi' })).toMatchObject({ ok: false, error: { code: ERROR_CODES.FORBIDDEN } });
    expect(await hubRequest(booth, 'caption:publish', line('ar', 'مرحبا'))).toMatchObject({ ok: true });
  });
});

/** An operator of room main, and a display of it that records the partials and changes it is sent. */
async function operatorAndDisplay() {
  const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
  const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
  const partials: PartialUpdate[] = [];
  const changes: ChannelChange[] = [];
  display.on('caption:partial', (p) => partials.push(p));
  display.on('caption:changed', (c) => changes.push(c));
  return { operator, display, partials, changes };
}

describe('caption protocol', () => {
  it('partial replaces, final commits with seq and cursor, revise updates in place, clear empties', async () => {
    const { operator, display, partials, changes } = await operatorAndDisplay();
    const sub = await hubRequest(display, 'display:subscribe', { channels: ['ru'] });
    expect(sub.ok).toBe(true);
    const start = sub.ok ? sub.value.channels[0]!.cursor : 0;

    const id = uid();
    const p1 = await hubRequest(operator, 'caption:publish', line('ru', 'Добрый', 'partial', id));
    const p2 = await hubRequest(operator, 'caption:publish', line('ru', 'Добрый день', 'partial', id));
    expect(p1.ok && p2.ok && p1.value.seq === p2.value.seq).toBe(true);
    const f = await hubRequest(operator, 'caption:publish', line('ru', 'Добрый день, коллеги.', 'final', id));
    expect(f).toMatchObject({ ok: true, value: { cursor: start + 1, duplicate: false } });
    const seq = f.ok ? f.value.seq : -1;
    expect(p1.ok && p1.value.seq).toBe(seq);
    const second = await hubRequest(operator, 'caption:publish', line('ru', 'Вторая строка.'));
    expect(second.ok && second.value.seq).toBe(seq + 1);

    const rev = await hubRequest(operator, 'caption:revise', { channel: 'ru', id, text: 'Добрый вечер, коллеги.' });
    expect(rev).toMatchObject({ ok: true, value: { seq, cursor: start + 3 } });
    await until(() => changes.length === 3 && partials.length === 2, 5000, 'broadcasts');
    expect(partials.map((p) => p.line.text)).toEqual(['Добрый', 'Добрый день']);
    expect(changes.map((c) => [c.kind, c.cursor])).toEqual([
      ['committed', start + 1],
      ['committed', start + 2],
      ['revised', start + 3],
    ]);
    const revised = changes[2]!;
    expect(revised.kind === 'revised' && revised.line).toMatchObject({ id, revision: 1, text: 'Добрый вечер, коллеги.', state: 'final', seq });

    const missing = await hubRequest(operator, 'caption:revise', { channel: 'ru', id: 'never-sent', text: 'x' });
    expect(missing).toMatchObject({ ok: false, error: { code: ERROR_CODES.NOT_FOUND } });

    const cleared = await hubRequest(operator, 'channel:clear', { channel: 'ru' });
    expect(cleared).toMatchObject({ ok: true, value: { cursor: start + 4 } });
    await until(() => changes.length === 4, 5000, 'clear');
    expect(changes[3]).toMatchObject({ kind: 'cleared', channel: 'ru', cursor: start + 4 });
    const after = await hubRequest(display, 'display:subscribe', { channels: ['ru'] });
    expect(after.ok && after.value.channels[0]).toMatchObject({ reset: true, changes: [], partial: null, cursor: start + 4 });
  });

  it("carries a partial's settled start to displays, counted in the cleaned text, and never on a final", async () => {
    const { operator, display, partials, changes } = await operatorAndDisplay();
    expect((await hubRequest(display, 'display:subscribe', { channels: ['floor'] })).ok).toBe(true);
    const id = uid();
    const publish = (text: string, state: 'partial' | 'final', stableChars?: number): Promise<unknown> =>
      hubRequest(operator, 'caption:publish', { ...line('floor', text, state, id), source: 'floor-stt', ...(stableChars === undefined ? {} : { stableChars }) });
    // The settled start holds a bidi override the hub removes: it ends one character earlier in what displays get.
    const settled = 'Good \u202Emorning and ';
    expect(await publish(`${settled}welcome`, 'partial', settled.length)).toMatchObject({ ok: true });
    // The same text with more of it settled is news, not a duplicate.
    expect(await publish(`${settled}welcome`, 'partial', `${settled}welcome`.length)).toMatchObject({ ok: true, value: { duplicate: false } });
    // Past the end of the text: clamped.
    expect(await publish(`${settled}welcome to`, 'partial', 500)).toMatchObject({ ok: true });
    expect(await publish(`${settled}welcome to the`, 'final', 5)).toMatchObject({ ok: true });
    await until(() => partials.length === 3 && changes.length === 1, 5000, 'broadcasts');
    expect(partials.map((p) => [p.line.text.slice(0, p.line.stableChars), p.line.text.slice(p.line.stableChars)])).toEqual([
      ['Good morning and ', 'welcome'],
      ['Good morning and welcome', ''],
      ['Good morning and welcome to', ''],
    ]);
    expect(changes[0]!.kind === 'committed' && changes[0]!.line).not.toHaveProperty('stableChars');
    // A display that subscribes while a partial is up gets its settled start in the snapshot.
    const next = { ...line('floor', 'Next line', 'partial', `${id}-2`), source: 'floor-stt' as const, stableChars: 5 };
    expect(await hubRequest(operator, 'caption:publish', next)).toMatchObject({ ok: true });
    const late = await hubRequest(display, 'display:subscribe', { channels: ['floor'] });
    expect(late.ok && late.value.channels[0]!.partial).toMatchObject({ text: 'Next line', stableChars: 5 });
  });

  it('treats a resend as a duplicate, a late partial as harmless and a different final as a conflict', async () => {
    const booth = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const changes: ChannelChange[] = [];
    display.on('caption:changed', (c) => changes.push(c));
    await hubRequest(display, 'display:subscribe', { channels: ['en'] });
    const msg = line('en', 'Good morning.');
    const first = await hubRequest(booth, 'caption:publish', msg);
    const again = await hubRequest(booth, 'caption:publish', msg);
    expect(first).toMatchObject({ ok: true, value: { duplicate: false } });
    expect(again).toEqual({ ok: true, value: { ...(first.ok ? first.value : {}), duplicate: true } });
    expect(await hubRequest(booth, 'caption:publish', { ...msg, state: 'partial', text: 'Good' })).toMatchObject({ ok: true, value: { duplicate: true } });
    expect(await hubRequest(booth, 'caption:publish', { ...msg, text: 'Good evening.' })).toMatchObject({ ok: false, error: { code: ERROR_CODES.CONFLICT } });
    await hubRequest(booth, 'caption:revise', { channel: 'en', id: msg.id, text: 'Good morning, all.' });
    expect(await hubRequest(booth, 'caption:publish', msg)).toMatchObject({ ok: true, value: { duplicate: true } });
    await hubRequest(booth, 'caption:publish', line('en', 'marker'));
    await until(() => changes.some((c) => c.kind === 'committed' && c.line.text === 'marker'), 5000, 'marker');
    expect(changes.filter((c) => c.kind === 'committed' && c.line.id === msg.id)).toHaveLength(1);
  });

  it('shows a notice to the room and clears it after its ttl', async () => {
    const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
    const display = await pool.connect(hub.url, { role: 'display', room: 'main' });
    const notices: Notice[] = [];
    display.on('notice:changed', (n) => notices.push(n));
    const shown = await hubRequest(operator, 'notice:show', { text: 'Please take your seats', ttlMs: 300 });
    expect(shown).toMatchObject({ ok: true, value: { room: 'main', text: 'Please take your seats', ttlMs: 300 } });
    const sub = await hubRequest(display, 'display:subscribe', { channels: ['en'] });
    expect(sub.ok && sub.value.notice?.text).toBe('Please take your seats');
    await until(() => notices.length === 2, 5000, 'notice expiry');
    expect(notices.map((x) => x.text)).toEqual(['Please take your seats', null]);
    const later = await hubRequest(display, 'display:subscribe', { channels: ['en'] });
    expect(later.ok && later.value.notice).toBeNull();
    await hubRequest(operator, 'notice:show', { text: 'Coffee break' });
    expect(await hubRequest(operator, 'notice:clear', {})).toMatchObject({ ok: true, value: { text: null } });
  });

  it('strips bidi override controls and refuses lone surrogates', async () => {
    const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
    const follower = new ChannelFollower(await pool.connect(hub.url, { role: 'display', room: 'main' }), { channels: ['ar'] });
    await follower.start();
    const id = uid();
    const sent = await hubRequest(operator, 'caption:publish', line('ar', '\u202Eالأمم UNOCT\u2066 2026\u2069\r\nسطر', 'final', id));
    expect(sent.ok).toBe(true);
    await until(() => follower.lines('ar').some((l) => l.id === id), 5000, 'arabic line');
    expect(follower.lines('ar').find((l) => l.id === id)?.text).toBe('الأمم UNOCT 2026\nسطر');
    expect(await hubRequest(operator, 'caption:publish', line('ar', 'bad \uD800 half'))).toMatchObject({
      ok: false,
      error: { code: ERROR_CODES.INVALID_PAYLOAD },
    });
  });
});

describe('bad input', () => {
  it('answers every malformed request with its own code and keeps serving', async () => {
    const operator = await pool.connect(hub.url, { role: 'operator', room: 'main', secret: SECRET });
    const ok = line('en', 'fine');
    const bad: Array<[string, unknown, string]> = [
      ['caption:publish', { ...ok, text: 42 }, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', { ...ok, state: 'maybe' }, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', { id: uid(), channel: 'en', text: 'x' }, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', { ...ok, extra: 1 }, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', { ...ok, id: '../../etc' }, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', null, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', 'text', ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', [ok], ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', JSON.parse('{"__proto__":{"polluted":1},"id":"p1","channel":"en","text":"x","state":"final","source":"typed"}'), ERROR_CODES.INVALID_PAYLOAD],
      ['caption:publish', { ...ok, channel: 'fr' }, ERROR_CODES.UNKNOWN_CHANNEL],
      ['caption:publish', { ...ok, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, ERROR_CODES.TEXT_TOO_LONG],
      ['caption:publish', { ...ok, text: '   ' }, ERROR_CODES.INVALID_PAYLOAD],
      ['caption:revise', { channel: 'en', id: 'x' }, ERROR_CODES.INVALID_PAYLOAD],
      ['channel:clear', { channel: 'xx' }, ERROR_CODES.UNKNOWN_CHANNEL],
      ['notice:show', { text: 'n'.repeat(281) }, ERROR_CODES.TEXT_TOO_LONG],
      ['notice:show', { text: 'x', ttlMs: -1 }, ERROR_CODES.INVALID_PAYLOAD],
      ['display:subscribe', { channels: [] }, ERROR_CODES.INVALID_PAYLOAD],
      ['display:subscribe', { channels: ['en', 'de'] }, ERROR_CODES.UNKNOWN_CHANNEL],
    ];
    for (const [event, payload, code] of bad) {
      const answer = await (operator.timeout(5000).emitWithAck as unknown as (e: string, p: unknown) => Promise<unknown>).call(
        operator.timeout(5000),
        event,
        payload,
      );
      expect(answer, `${event} ${JSON.stringify(payload)?.slice(0, 80)}`).toMatchObject({ ok: false, error: { code } });
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // Requests without an ack callback, or with odd arguments, must not take the hub down.
    (operator.emit as unknown as (...a: unknown[]) => void)('caption:publish', ok);
    (operator.emit as unknown as (...a: unknown[]) => void)('caption:publish');
    (operator.emit as unknown as (...a: unknown[]) => void)('caption:publish', 1, 2, 3);
    (operator.emit as unknown as (...a: unknown[]) => void)('no:such:event', { a: 1 });
    expect(await hubRequest(operator, 'caption:publish', line('en', 'still alive'))).toMatchObject({ ok: true });
  });

  it('rate-limits a flooding socket while another publisher is unaffected', async () => {
    const flooder = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'ru', secret: SECRET });
    const other = await pool.connect(hub.url, { role: 'booth', room: 'main', channel: 'en', secret: SECRET });
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) => hubRequest(flooder, 'caption:publish', line('ru', `flood ${i}`, 'partial', 'flood-line'))),
    );
    const limited = answers.filter((a) => !a.ok && a.error.code === ERROR_CODES.RATE_LIMITED).length;
    expect(limited).toBeGreaterThan(50);
    expect(answers.filter((a) => a.ok).length).toBeGreaterThanOrEqual(40);
    for (let i = 0; i < 5; i++) {
      expect(await hubRequest(other, 'caption:publish', line('en', `calm ${i}`))).toMatchObject({ ok: true });
    }
  });
});

describe('refused handshakes are limited per client address', () => {
  const attempt = async (url: string, secret: string, forwardedFor: string): Promise<string> => {
    const r = await connectHubClient(
      url,
      { role: 'booth', room: 'main', channel: 'en', secret, clientId: `c-${forwardedFor.replace(/[^\w]+/g, '-')}` },
      { transports: ['websocket'], reconnection: false, extraHeaders: { 'x-forwarded-for': forwardedFor } },
    );
    if (r.ok) r.value.disconnect();
    return r.ok ? 'connected' : r.error.code;
  };

  it('uses the peer address and ignores X-Forwarded-For unless proxies are trusted', async () => {
    const { hub } = await startTestHub({ handshakeFailureLimit: 3 });
    try {
      for (let i = 0; i < 3; i++) expect(await attempt(hub.url, 'wrong', '203.0.113.5')).toBe(ERROR_CODES.AUTH_BAD_SECRET);
      // Another forwarded address does not help: anyone can write that header.
      expect(await attempt(hub.url, 'wrong', '198.51.100.7')).toBe(ERROR_CODES.RATE_LIMITED);
      expect(await attempt(hub.url, SECRET, '198.51.100.7')).toBe(ERROR_CODES.RATE_LIMITED);
    } finally {
      await hub.close();
    }
  });

  it('behind a trusted proxy, limits the forwarded client and lets the others in', async () => {
    const { hub, log } = await startTestHub({ handshakeFailureLimit: 3, trustProxy: 1 });
    try {
      for (let i = 0; i < 3; i++) expect(await attempt(hub.url, 'wrong', '10.9.9.9, 203.0.113.5')).toBe(ERROR_CODES.AUTH_BAD_SECRET);
      expect(await attempt(hub.url, SECRET, '10.9.9.9, 203.0.113.5')).toBe(ERROR_CODES.RATE_LIMITED);
      // The entry the proxy vouches for is the last one: a client cannot pass for another by prepending.
      expect(await attempt(hub.url, 'wrong', '203.0.113.5, 198.51.100.7')).toBe(ERROR_CODES.AUTH_BAD_SECRET);
      expect(await attempt(hub.url, SECRET, '198.51.100.7')).toBe('connected');
      expect(log.text()).toMatch(/client connected .*"address":"198\.51\.100\.7"/);
    } finally {
      await hub.close();
    }
  });
});
