/**
 * The browser side of audio capture: device list, getUserMedia, the AudioContext and the capture worklet.
 * Behind the small {@link MediaEnvironment} interface so the capture state class can be tested with a fake.
 */
import { CAPTURE_PROCESSOR_NAME, type CaptureWorkletMessage } from './capture-messages';
import workletUrl from './capture-worklet.ts?worker&url';

/** An audio input as the device picker lists it. */
export interface AudioInputDevice {
  deviceId: string;
  /** Empty until the page has had microphone permission once (browsers hide labels before). */
  label: string;
}

/** A running capture: frames and levels flow to the callbacks given to `open` until `close`. */
export interface CaptureHandle {
  /** The device actually opened (the default device's id when none was asked for). */
  readonly deviceId: string | null;
  readonly sampleRate: number;
  close(): Promise<void>;
}

/** Callbacks of a capture. */
export interface CaptureCallbacks {
  /** A 16 kHz mono frame (its buffer was transferred from the worklet; the receiver may keep it). */
  onFrame(frame: Float32Array): void;
  onLevel(peak: number, rms: number): void;
  /** The input stopped by itself (device unplugged, permission revoked). */
  onEnded(reason: string): void;
}

/** What the capture state class needs from the browser. */
export interface MediaEnvironment {
  listInputs(): Promise<AudioInputDevice[]>;
  /** Opens a device (null = the default input). Rejects with a DOMException-like `{ name, message }`. */
  open(deviceId: string | null, callbacks: CaptureCallbacks): Promise<CaptureHandle>;
  /** Calls `fn` when devices are plugged in or out; returns the unsubscribe function. */
  onDeviceChange(fn: () => void): () => void;
}

/** The real environment: navigator.mediaDevices and an AudioWorklet loaded from the page's own origin. */
export function createBrowserMediaEnvironment(): MediaEnvironment {
  return {
    async listInputs() {
      if (!navigator.mediaDevices?.enumerateDevices) return [];
      const all = await navigator.mediaDevices.enumerateDevices();
      return all.filter((d) => d.kind === 'audioinput' && d.deviceId !== 'communications').map((d) => ({ deviceId: d.deviceId, label: d.label }));
    },

    async open(deviceId, callbacks) {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw Object.assign(new Error('This page cannot capture audio (no mediaDevices: it must be served over https or from localhost).'), {
          name: 'NotSupportedError',
        });
      }
      // A conference feed must reach speech-to-text as it is: no echo cancellation, noise gate or gain riding.
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
        },
      });
      const track = stream.getAudioTracks()[0];
      let context: AudioContext | null = null;
      try {
        context = new AudioContext({ latencyHint: 'interactive' });
        await context.audioWorklet.addModule(workletUrl);
        const source = context.createMediaStreamSource(stream);
        const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, { numberOfInputs: 1, numberOfOutputs: 0 });
        node.port.onmessage = (event: MessageEvent<CaptureWorkletMessage>) => {
          const msg = event.data;
          if (msg.type === 'frame') callbacks.onFrame(msg.samples);
          else callbacks.onLevel(msg.peak, msg.rms);
        };
        source.connect(node);
        if (context.state === 'suspended') await context.resume();
      } catch (error) {
        for (const t of stream.getTracks()) t.stop();
        await context?.close().catch(() => undefined);
        throw error;
      }
      let closed = false;
      track?.addEventListener('ended', () => {
        if (!closed) callbacks.onEnded('The input device stopped (unplugged or taken away).');
      });
      const ctx = context;
      return {
        deviceId: track?.getSettings().deviceId ?? deviceId,
        sampleRate: ctx.sampleRate,
        async close() {
          closed = true;
          for (const t of stream.getTracks()) t.stop();
          await ctx.close().catch(() => undefined);
        },
      };
    },

    onDeviceChange(fn) {
      const md = navigator.mediaDevices;
      if (!md?.addEventListener) return () => undefined;
      md.addEventListener('devicechange', fn);
      return () => md.removeEventListener('devicechange', fn);
    },
  };
}
