import { describe, expect, it } from 'vitest';
import type { HubStatus } from '../../../electron/common/console-api';
import { fakeSnapshot } from './fake-console-api';
import { deliveryView } from './delivery-view';

const hub = (over: Partial<HubStatus> = {}): HubStatus => ({ ...fakeSnapshot().hub, ...over });

describe('deliveryView', () => {
  it('says ON AIR only while what is sent reaches the hub', () => {
    expect(deliveryView({ onAir: true, hub: hub(), channel: 'en', stt: [] })).toMatchObject({ tone: 'on', label: 'ON AIR', reason: null });
    const late = deliveryView({ onAir: true, hub: hub({ delivery: { state: 'late', reason: 'No answer from the hub for 1.4 s', oldestPendingMs: 1400 } }), channel: 'en', stt: [] });
    expect(late).toMatchObject({ tone: 'late', label: 'ON AIR · NOT CONFIRMED', reason: 'No answer from the hub for 1.4 s' });
    const lost = deliveryView({ onAir: true, hub: hub({ state: 'connecting', latencyMs: null, delivery: { state: 'failing', reason: 'Lost the hub', oldestPendingMs: null } }), channel: 'en', stt: [] });
    expect(lost).toMatchObject({ tone: 'failing', label: 'ON AIR · NOT DELIVERED', reason: 'Lost the hub' });
    expect(lost.figures.find((f) => f.key === 'rtt')).toMatchObject({ text: 'hub —', warn: true });
    // No hub status at all (not connected yet): not delivered.
    expect(deliveryView({ onAir: true, hub: null, channel: 'en', stt: [] }).tone).toBe('failing');
    expect(deliveryView({ onAir: false, hub: hub(), channel: 'en', stt: [] })).toMatchObject({ tone: 'off', label: 'OFF AIR', reason: null });
  });

  it('shows the round trip, the displays watching the channel, speech-to-text lag and dropped audio', () => {
    const view = deliveryView({
      onAir: true,
      hub: hub({ latencyMs: 12.6, displays: { en: 0, ar: 3 } }),
      channel: 'en',
      stt: [
        { source: 'floor', status: 'busy', lagSeconds: 0.8 },
        { source: 'voice', status: 'ready', lagSeconds: 5.25, droppedFrames: 8000 },
      ],
    });
    expect(view.figures.map((f) => [f.key, f.text, f.warn])).toEqual([
      ['rtt', 'hub 13 ms', false],
      ['displays', '0 displays', true],
      ['lag-floor', 'floor 0.8 s behind', false],
      ['lag-voice', 'voice 5.3 s behind', true],
      ['dropped-voice', 'voice 0.5 s dropped', true],
    ]);
    // The streaming policy's own lag and drops count too.
    const policy = deliveryView({
      onAir: true,
      hub: hub(),
      channel: 'en',
      stt: [{ source: 'floor', status: 'busy', lagSeconds: 0.2, realtime: { verdict: 'behind', level: 'dropping', stepSeconds: 2, bufferCapSeconds: 6, rtf: 1.3, measuredSeconds: 40, lagSeconds: 4.5, maxLagSeconds: 6, droppedSeconds: 1.5 } }],
    });
    expect(policy.figures.map((f) => f.text).slice(2)).toEqual(['floor 4.5 s behind', 'floor 1.5 s dropped']);
    // A stopped source shows nothing; one display is singular.
    const one = deliveryView({ onAir: true, hub: hub({ displays: { en: 1 } }), channel: 'en', stt: [{ source: 'floor', status: 'stopped', lagSeconds: 9 }] });
    expect(one.figures.map((f) => f.text)).toEqual(['hub 4 ms', '1 display']);
  });
});
