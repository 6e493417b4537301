import { describe, expect, it } from 'vitest';
import type { OutputStatus } from '../../../electron/common/caption-outputs';
import { FakeConsoleApi } from './fake-console-api';
import { OUTPUTS_POLL_MS, OutputsPanel, sinceText, type OutputsClock } from './outputs-panel.svelte';

function status(id: string, overrides: Partial<OutputStatus> = {}): OutputStatus {
  return {
    id, kind: 'zoom', room: 'main', channel: 'en', target: 'https://wmcc.zoom.us/closedcaption?…', enabled: true, state: 'sending',
    lastCaptionAt: null, backlog: 0, delivered: 0, dropped: { stale: 0, overflow: 0, refused: 0 }, retries: 0, leader: true, ...overrides,
  };
}

/** A clock whose intervals run when the test says. */
function manualClock(): OutputsClock & { t: number; tick(): void; timers: number } {
  const fns = new Set<() => void>();
  return {
    t: 1_000_000,
    now() {
      return this.t;
    },
    every(ms, fn) {
      expect(ms).toBe(OUTPUTS_POLL_MS);
      fns.add(fn);
      return () => fns.delete(fn);
    },
    tick() {
      this.t += OUTPUTS_POLL_MS;
      for (const fn of fns) fn();
    },
    get timers() {
      return fns.size;
    },
  };
}

describe('OutputsPanel', () => {
  it('polls while open, keeps the last list through a failed refresh, and stops when closed', async () => {
    const api = new FakeConsoleApi({ role: 'operator' });
    api.outputs = [status('zoom-en', { delivered: 3 }), status('obs-ar', { kind: 'obs', channel: 'ar', enabled: false, state: 'stopped', code: 'NOT_LATIN' })];
    const clock = manualClock();
    const panel = new OutputsPanel(api, clock);
    panel.open();
    await panel.refresh();
    expect(panel.loaded).toBe(true);
    expect(panel.outputs.map((o) => o.id)).toEqual(['zoom-en', 'obs-ar']);
    expect(panel.attention).toBe(1);

    api.outputs[0]!.state = 'failing';
    api.outputs[0]!.code = '403';
    clock.tick();
    await panel.refresh();
    expect(panel.outputs[0]).toMatchObject({ state: 'failing', code: '403' });
    expect(panel.attention).toBe(2);

    api.failNext.set('listOutputs', 'HUB_UNREACHABLE');
    clock.tick();
    await new Promise((r) => setTimeout(r, 0));
    expect(panel.error?.code).toBe('HUB_UNREACHABLE');
    expect(panel.outputs).toHaveLength(2);

    panel.close();
    expect(clock.timers).toBe(0);
    const calls = api.callsOf('listOutputs').length;
    clock.tick();
    expect(api.callsOf('listOutputs').length).toBe(calls);
  });

  it('switches an output and shows the answer; a refused switch shows its error', async () => {
    const api = new FakeConsoleApi({ role: 'operator' });
    api.outputs = [status('zoom-en')];
    const panel = new OutputsPanel(api, manualClock());
    await panel.refresh();
    await panel.setEnabled('zoom-en', false);
    expect(api.callsOf('setOutputEnabled')).toEqual([['zoom-en', false]]);
    expect(panel.outputs[0]).toMatchObject({ enabled: false, state: 'stopped' });
    expect(panel.switching).toEqual([]);
    api.failNext.set('setOutputEnabled', 'NOT_CONNECTED');
    await panel.setEnabled('zoom-en', true);
    expect(panel.error?.code).toBe('NOT_CONNECTED');
    expect(panel.outputs[0]!.enabled).toBe(false);
  });

  it('says how long ago the last caption went out', () => {
    expect(sinceText(null, 0)).toBe('never');
    expect(sinceText(10_000, 22_000)).toBe('12 s ago');
    expect(sinceText(0, 5 * 60_000)).toBe('5 min ago');
  });
});
