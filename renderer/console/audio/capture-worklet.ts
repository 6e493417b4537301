/**
 * The capture AudioWorklet: runs on the audio rendering thread, downmixes each render quantum to mono,
 * resamples it to 16 kHz and posts 100 ms Float32 frames to the page as transferred buffers, plus a level
 * reading every ~50 ms for the meter. Built by vite as its own file (`?worker&url`) and loaded from 'self'.
 */
import { CAPTURE_PROCESSOR_NAME, type CaptureWorkletMessage } from './capture-messages';
import { FrameAssembler, StreamingResampler, STT_FRAME_SAMPLES, blockLevel, downmixToMono } from './resample';

/** Globals of the AudioWorkletGlobalScope (not in TypeScript's DOM library). */
declare const sampleRate: number;
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessorBase): void;
declare class AudioWorkletProcessorBase {
  readonly port: MessagePort;
}
const Processor = (globalThis as unknown as { AudioWorkletProcessor: typeof AudioWorkletProcessorBase }).AudioWorkletProcessor;

class CaptureProcessor extends Processor {
  private readonly resampler = new StreamingResampler(sampleRate);
  private readonly frames = new FrameAssembler(STT_FRAME_SAMPLES);
  private mono: Float32Array = new Float32Array(128);
  private levelPeak = 0;
  private levelSquares = 0;
  private levelCount = 0;
  private readonly levelEvery = Math.round(sampleRate / 20);

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    if (!channels || channels.length === 0 || !channels[0]) return true;
    this.mono = downmixToMono(channels, this.mono);
    const { peak, rms } = blockLevel(this.mono);
    this.levelPeak = Math.max(this.levelPeak, peak);
    this.levelSquares += rms * rms * this.mono.length;
    this.levelCount += this.mono.length;
    if (this.levelCount >= this.levelEvery) {
      const msg: CaptureWorkletMessage = { type: 'level', peak: this.levelPeak, rms: Math.sqrt(this.levelSquares / this.levelCount) };
      this.port.postMessage(msg);
      this.levelPeak = 0;
      this.levelSquares = 0;
      this.levelCount = 0;
    }
    for (const frame of this.frames.push(this.resampler.push(this.mono))) {
      const msg: CaptureWorkletMessage = { type: 'frame', samples: frame };
      this.port.postMessage(msg, [frame.buffer]);
    }
    return true;
  }
}

registerProcessor(CAPTURE_PROCESSOR_NAME, CaptureProcessor as unknown as new () => AudioWorkletProcessorBase);
