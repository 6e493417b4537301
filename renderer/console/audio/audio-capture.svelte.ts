/**
 * One audio input of the console (the floor feed, or the interpreter's microphone): device choice, live level,
 * frames forwarded to the core, and recovery. A failure (permission denied, device unplugged, device busy) is
 * shown in words and retried with backoff until it works or the user stops; capture never stops silently.
 */
import type { AudioInputDevice, CaptureHandle, MediaEnvironment } from './media-environment';
import { toDbfs } from './resample';

/** Where a capture stands. */
export type CaptureStatus = 'off' | 'starting' | 'live' | 'retrying';

/** Delays between attempts after a failure, ms; the last repeats. */
export const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000] as const;

/** Timers, injectable so tests control time. */
export interface CaptureClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realClock: CaptureClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** A person-readable explanation of a getUserMedia / AudioContext failure. */
export function describeCaptureError(error: unknown): { code: string; message: string } {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { code: 'PERMISSION_DENIED', message: 'Microphone permission was denied. Allow audio input for this app in the browser or system settings.' };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { code: 'DEVICE_NOT_FOUND', message: 'The chosen input device is not connected. Plug it back in or pick another device.' };
    case 'NotReadableError':
    case 'AbortError':
      return { code: 'DEVICE_BUSY', message: 'The input device cannot be opened (in use by another program, or failing).' };
    case 'NotSupportedError':
      return { code: 'NOT_SUPPORTED', message: detail };
    default:
      return { code: 'CAPTURE_FAILED', message: `Audio capture failed: ${detail}` };
  }
}

/** Capture state of one input. Methods for every change; the component only reads fields and calls methods. */
export class AudioCapture {
  devices = $state.raw<AudioInputDevice[]>([]);
  /** The chosen device (null = the system default). */
  deviceId = $state<string | null>(null);
  status = $state<CaptureStatus>('off');
  /** Why capture is not live (shown as long as it is not), with its code. */
  problem = $state<{ code: string; message: string } | null>(null);
  /** Epoch ms of the next automatic attempt while retrying. */
  nextAttemptAt = $state<number | null>(null);
  /** Failed attempts in a row. */
  failures = $state(0);
  /** Meter: RMS and peak of the last ~50 ms, dBFS. */
  levelDb = $state(-90);
  peakDb = $state(-90);
  /** Frames forwarded since start. */
  framesSent = $state(0);
  sampleRate = $state<number | null>(null);

  private handle: CaptureHandle | null = null;
  private retryTimer: unknown = null;
  private wanted = false;
  private generation = 0;
  private readonly unsubscribeDeviceChange: () => void;

  constructor(
    private readonly env: MediaEnvironment,
    /** Receives every 16 kHz mono frame (e.g. `api.pushAudio('floor', frame)`). */
    private readonly sink: (frame: Float32Array) => void,
    private readonly clock: CaptureClock = realClock,
  ) {
    this.unsubscribeDeviceChange = env.onDeviceChange(() => void this.onDeviceChange());
  }

  /** Label of a device for the picker. */
  labelOf(device: AudioInputDevice, index: number): string {
    return device.label || (device.deviceId === 'default' ? 'System default input' : `Input ${index + 1}`);
  }

  async refreshDevices(): Promise<void> {
    try {
      this.devices = await this.env.listInputs();
    } catch {
      this.devices = [];
    }
  }

  /** Starts capturing (or switches to `deviceId` when given). Keeps trying until it works or `stop()`. */
  async start(deviceId: string | null = this.deviceId): Promise<void> {
    this.deviceId = deviceId;
    this.wanted = true;
    await this.attempt();
  }

  /** Picks another device; a running capture moves to it. */
  async selectDevice(deviceId: string | null): Promise<void> {
    this.deviceId = deviceId;
    if (this.wanted) await this.attempt();
  }

  /** Stops capturing and any retry. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.generation++;
    this.cancelRetry();
    this.status = 'off';
    this.problem = null;
    this.failures = 0;
    this.levelDb = -90;
    this.peakDb = -90;
    await this.closeHandle();
  }

  /** Retries at once (the "Retry now" button). */
  async retryNow(): Promise<void> {
    if (this.wanted) await this.attempt();
  }

  /** Stops and releases the device-change listener. */
  async dispose(): Promise<void> {
    this.unsubscribeDeviceChange();
    await this.stop();
  }

  private async attempt(): Promise<void> {
    this.cancelRetry();
    const generation = ++this.generation;
    await this.closeHandle();
    this.status = 'starting';
    try {
      const handle = await this.env.open(this.deviceId, {
        onFrame: (frame) => {
          if (generation !== this.generation) return;
          this.framesSent++;
          this.sink(frame);
        },
        onLevel: (peak, rms) => {
          if (generation !== this.generation) return;
          this.levelDb = toDbfs(rms);
          this.peakDb = toDbfs(peak);
        },
        onEnded: (reason) => {
          if (generation !== this.generation) return;
          this.fail({ code: 'DEVICE_LOST', message: reason });
        },
      });
      if (generation !== this.generation) {
        await handle.close();
        return;
      }
      this.handle = handle;
      this.sampleRate = handle.sampleRate;
      this.status = 'live';
      this.problem = null;
      this.failures = 0;
      this.nextAttemptAt = null;
      // Labels become readable once permission is granted.
      await this.refreshDevices();
    } catch (error) {
      if (generation !== this.generation) return;
      this.fail(describeCaptureError(error));
    }
  }

  private fail(problem: { code: string; message: string }): void {
    // Whatever the failed capture still delivers is ignored from here on.
    this.generation++;
    void this.closeHandle();
    this.levelDb = -90;
    this.peakDb = -90;
    this.problem = problem;
    if (!this.wanted) {
      this.status = 'off';
      return;
    }
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)]!;
    this.failures++;
    this.status = 'retrying';
    this.cancelRetry();
    this.nextAttemptAt = this.clock.now() + delay;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.attempt();
    }, delay);
  }

  private async onDeviceChange(): Promise<void> {
    await this.refreshDevices();
    // A device came back: try now instead of waiting out the backoff.
    if (this.wanted && this.status === 'retrying') await this.attempt();
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextAttemptAt = null;
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    this.sampleRate = null;
    if (h) await h.close().catch(() => undefined);
  }
}
