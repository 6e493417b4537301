import { describe, expect, it } from 'vitest';
import { publishLineSchema } from '../common/protocol';
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

  it('a hub from before stableChars refuses it: the partial goes again without it, and so do the next ones', async () => {
    // The older hub's strict schema: the same line without the field.
    const olderHub = publishLineSchema.omit({ stableChars: true });
    const sent: OutboxRequest[] = [];
    const refused: OutboxRequest[] = [];
    let seq = 0;
    const outbox = new HubOutbox(
      {
        connected: () => true,
        send: (request, _timeout, onAck) => {
          sent.push(structuredClone(request));
          const parsed = request.kind === 'publish' ? olderHub.safeParse(request.payload) : { success: true };
          if (!parsed.success) onAck(null, { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'bad caption:publish: Unrecognized key: "stableChars"' } });
          else onAck(null, { ok: true, value: { seq: ++seq, cursor: seq, duplicate: false } });
        },
      },
      { acked: () => undefined, refused: (request) => void refused.push(request), size: () => undefined },
      { ackWaitMs: 200 },
    );
    const partial = { id: 'f1', channel: 'floor', text: 'the chair will now', state: 'partial' as const, source: 'floor-stt' as const };
    expect(await outbox.publish({ ...partial, stableChars: 9 })).toMatchObject({ ok: true, value: { seq: 1 } });
    expect(sent.map((r) => r.kind === 'publish' && r.payload.stableChars)).toEqual([9, undefined]);
    expect(await outbox.publish({ ...partial, text: 'the chair will now give', stableChars: 14 })).toMatchObject({ ok: true });
    expect(sent).toHaveLength(3);
    expect(sent[2]).toMatchObject({ kind: 'publish', payload: { text: 'the chair will now give' } });
    expect(sent[2]!.kind === 'publish' && 'stableChars' in sent[2]!.payload).toBe(false);
    expect(refused).toEqual([]);
    outbox.close();
  });

  it('any other refused payload is refused as before, not sent again', async () => {
    const sent: OutboxRequest[] = [];
    const refused: OutboxRequest[] = [];
    const outbox = new HubOutbox(
      { connected: () => true, send: (request, _timeout, onAck) => { sent.push(request); onAck(null, { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'bad' } }); } },
      { acked: () => undefined, refused: (request) => void refused.push(request), size: () => undefined },
      { ackWaitMs: 200 },
    );
    const r = await outbox.publish({ id: 'f2', channel: 'floor', text: 'hello', state: 'partial', source: 'floor-stt' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(sent).toHaveLength(1);
    expect(refused).toHaveLength(1);
    outbox.close();
  });
});
