import { describe, expect, it } from 'vitest';
import { HubOutbox, type OutboxRequest } from './hub-outbox';

describe('HubOutbox', () => {
  it('refuses a request larger than the hub reads at once, with the hub code, instead of queueing and resending it', async () => {
    const sent: OutboxRequest[] = [];
    const refused: OutboxRequest[] = [];
    const outbox = new HubOutbox(
      { connected: () => true, send: (request) => void sent.push(request) },
      { acked: () => undefined, refused: (request) => void refused.push(request), size: () => undefined },
      { ackWaitMs: 50 },
    );
    const huge = await outbox.publish({ id: 'big', channel: 'en', text: 'x'.repeat(1024 * 1024), state: 'final', source: 'voice-stt' });
    expect(huge).toMatchObject({ ok: false, error: { code: 'TEXT_TOO_LONG' } });
    expect(sent).toEqual([]);
    expect(outbox.size).toBe(0);
    // An ordinary line still goes out.
    await outbox.publish({ id: 'ok', channel: 'en', text: 'Thank you.', state: 'final', source: 'typed' });
    expect(sent.map((r) => r.kind)).toEqual(['publish']);
    outbox.close();
  });
});
