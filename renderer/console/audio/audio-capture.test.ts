import { describe, expect, it } from 'vitest';
import { AudioCapture, RETRY_DELAYS_MS, type CaptureClock } from './audio-capture.svelte';
import type { CaptureCallbacks, MediaEnvironment } from './media-environment';

/** A fake clock whose timers run when the test advances time. */
function fakeClock(): CaptureClock & { advance(ms: number): Promise<void>; pending(): number } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout(h) {
      timers = timers.filter((t) => t.id !== h);
    },
    async advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
    pending: () => timers.length,
  };
}

/** A fake media environment: scripted open() outcomes, a device list, a way to unplug. */
function fakeMedia(outcomes: ('ok' | string)[]) {
  const callbacks: CaptureCallbacks[] = [];
  let changeListener: (() => void) | null = null;
  let closed = 0;
  const env: MediaEnvironment = {
    listInputs: async () => [{ deviceId: 'mixer', label: 'Floor mixer (USB)' }],
    async open(_deviceId, cb) {
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome !== 'ok') throw Object.assign(new Error(outcome), { name: outcome });
      callbacks.push(cb);
      return { deviceId: 'mixer', sampleRate: 48000, close: async () => void closed++ };
    },
    onDeviceChange(fn) {
      changeListener = fn;
      return () => (changeListener = null);
    },
  };
  return { env, callbacks, plugIn: () => changeListener?.(), closed: () => closed };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('AudioCapture', () => {
  it('forwards frames to the sink and shows the level', async () => {
    const media = fakeMedia(['ok']);
    const sent: Float32Array[] = [];
    const capture = new AudioCapture(media.env, (f) => sent.push(f), fakeClock());
    await capture.start('mixer');
    expect(capture.status).toBe('live');
    expect(capture.devices.map((d) => d.label)).toEqual(['Floor mixer (USB)']);
    media.callbacks[0]!.onFrame(new Float32Array(1600));
    media.callbacks[0]!.onLevel(0.5, 0.25);
    expect(sent).toHaveLength(1);
    expect(capture.framesSent).toBe(1);
    expect(capture.levelDb).toBeCloseTo(-12.04, 1);
    expect(capture.peakDb).toBeCloseTo(-6.02, 1);
  });

  it('explains a denied permission and retries with growing delays until it works', async () => {
    const clock = fakeClock();
    const media = fakeMedia(['NotAllowedError', 'NotAllowedError', 'ok']);
    const capture = new AudioCapture(media.env, () => undefined, clock);
    await capture.start(null);
    expect(capture.status).toBe('retrying');
    expect(capture.problem?.code).toBe('PERMISSION_DENIED');
    expect(capture.problem?.message).toMatch(/permission was denied/i);
    expect(capture.nextAttemptAt).toBe(RETRY_DELAYS_MS[0]);
    await clock.advance(RETRY_DELAYS_MS[0]);
    expect(capture.status).toBe('retrying');
    expect(capture.nextAttemptAt).toBe(RETRY_DELAYS_MS[0] + RETRY_DELAYS_MS[1]);
    await clock.advance(RETRY_DELAYS_MS[1]);
    expect(capture.status).toBe('live');
    expect(capture.problem).toBeNull();
  });

  it('notices an unplugged device, says so, and resumes at once when a device is plugged in', async () => {
    const clock = fakeClock();
    const media = fakeMedia(['ok', 'NotFoundError', 'ok']);
    const sent: Float32Array[] = [];
    const capture = new AudioCapture(media.env, (f) => sent.push(f), clock);
    await capture.start('mixer');
    media.callbacks[0]!.onEnded('The input device stopped (unplugged or taken away).');
    await flush();
    expect(capture.status).toBe('retrying');
    expect(capture.problem?.code).toBe('DEVICE_LOST');
    expect(media.closed()).toBe(1);
    // A late frame of the lost device is not forwarded.
    media.callbacks[0]!.onFrame(new Float32Array(1600));
    expect(sent).toHaveLength(0);
    await clock.advance(RETRY_DELAYS_MS[0]);
    expect(capture.problem?.code).toBe('DEVICE_NOT_FOUND');
    media.plugIn();
    await flush();
    expect(capture.status).toBe('live');
    expect(clock.pending()).toBe(0);
    media.callbacks[1]!.onFrame(new Float32Array(1600));
    expect(sent).toHaveLength(1);
  });

  it('stop() cancels the retry and switches off', async () => {
    const clock = fakeClock();
    const media = fakeMedia(['NotReadableError']);
    const capture = new AudioCapture(media.env, () => undefined, clock);
    await capture.start(null);
    expect(capture.problem?.code).toBe('DEVICE_BUSY');
    await capture.stop();
    expect(capture.status).toBe('off');
    expect(clock.pending()).toBe(0);
    expect(capture.problem).toBeNull();
  });
});
