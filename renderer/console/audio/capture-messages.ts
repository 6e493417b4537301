/** What the capture worklet and the page say to each other (kept apart so the page never loads worklet code). */

/** Name the page passes to `new AudioWorkletNode(ctx, name)`. */
export const CAPTURE_PROCESSOR_NAME = 'tarjuman-capture';

/** Messages the worklet posts: 16 kHz mono frames (transferred) and level readings of the raw input. */
export type CaptureWorkletMessage =
  | { type: 'frame'; samples: Float32Array }
  | { type: 'level'; peak: number; rms: number };
