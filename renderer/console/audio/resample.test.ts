import { describe, expect, it } from 'vitest';
import { FrameAssembler, StreamingResampler, blockLevel, downmixToMono, toDbfs } from './resample';

function sine(rate: number, freq: number, amplitude: number, seconds: number): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

/** Feeds a signal in render quanta, as the worklet does. */
function resampleInQuanta(input: Float32Array, from: number, to: number, quantum = 128): Float32Array {
  const r = new StreamingResampler(from, to);
  const parts: number[] = [];
  for (let i = 0; i < input.length; i += quantum) parts.push(...r.push(input.subarray(i, i + quantum)));
  return Float32Array.from(parts);
}

/** Amplitude of the `freq` component by correlation (a single DFT bin), over a settled middle stretch. */
function toneAmplitude(x: Float32Array, rate: number, freq: number): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
    im += x[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function zeroCrossingFrequency(x: Float32Array, rate: number): number {
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (x[i - 1]! < 0 && x[i]! >= 0) crossings++;
  return (crossings * rate) / (to - from);
}

describe('StreamingResampler', () => {
  it('resamples a 48 kHz 440 Hz sine to 16 kHz keeping its frequency and amplitude', () => {
    const out = resampleInQuanta(sine(48_000, 440, 0.8, 1), 48_000, 16_000);
    expect(Math.abs(out.length - 16_000)).toBeLessThanOrEqual(40);
    expect(zeroCrossingFrequency(out, 16_000)).toBeGreaterThan(435);
    expect(zeroCrossingFrequency(out, 16_000)).toBeLessThan(445);
    expect(toneAmplitude(out, 16_000, 440)).toBeCloseTo(0.8, 2);
    expect(blockLevel(out.subarray(1000, 15000)).rms).toBeCloseTo(0.8 / Math.SQRT2, 2);
  });

  it('resamples 44.1 kHz (a non-integer ratio) just as well', () => {
    const out = resampleInQuanta(sine(44_100, 1000, 0.5, 1), 44_100, 16_000);
    expect(Math.abs(out.length - 16_000)).toBeLessThanOrEqual(40);
    expect(toneAmplitude(out, 16_000, 1000)).toBeCloseTo(0.5, 2);
  });

  it('removes tones above the 8 kHz output Nyquist instead of aliasing them', () => {
    // 10 kHz at 48 kHz would alias to 6 kHz at 16 kHz without the low-pass.
    const out = resampleInQuanta(sine(48_000, 10_000, 0.8, 0.5), 48_000, 16_000);
    expect(toneAmplitude(out, 16_000, 6_000)).toBeLessThan(0.008);
    expect(blockLevel(out.subarray(500, 7500)).rms).toBeLessThan(0.008);
  });

  it('gives the same output whatever the block sizes', () => {
    const input = sine(48_000, 300, 0.3, 0.2);
    const whole = new StreamingResampler(48_000, 16_000).push(input);
    const quanta = resampleInQuanta(input, 48_000, 16_000, 37);
    expect(quanta.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(quanta[i]).toBeCloseTo(whole[i]!, 6);
  });

  it('passes 16 kHz through unchanged in length and level', () => {
    const out = resampleInQuanta(sine(16_000, 500, 0.5, 0.5), 16_000, 16_000);
    expect(Math.abs(out.length - 8000)).toBeLessThanOrEqual(40);
    expect(toneAmplitude(out, 16_000, 500)).toBeCloseTo(0.5, 2);
  });
});

describe('downmixToMono', () => {
  it('averages stereo channels', () => {
    const left = Float32Array.from([1, 0.5, -1, 0]);
    const right = Float32Array.from([0, 0.5, 1, -0.5]);
    expect([...downmixToMono([left, right])]).toEqual([0.5, 0.5, 0, -0.25]);
  });

  it('cancels opposite-phase channels and copies a mono input', () => {
    const s = sine(48_000, 440, 0.5, 0.01);
    const inverted = s.map((v) => -v);
    expect(blockLevel(downmixToMono([s, inverted])).peak).toBe(0);
    const mono = downmixToMono([s]);
    expect(mono).not.toBe(s);
    expect([...mono]).toEqual([...s]);
  });
});

describe('FrameAssembler', () => {
  it('cuts a stream into 100 ms frames of fresh buffers', () => {
    const a = new FrameAssembler(1600);
    const frames = [...a.push(new Float32Array(1000).fill(1)), ...a.push(new Float32Array(2500).fill(2))];
    expect(frames).toHaveLength(2);
    expect(frames[0]![999]).toBe(1);
    expect(frames[0]![1000]).toBe(2);
    expect(frames[0]!.buffer).not.toBe(frames[1]!.buffer);
    expect(a.push(new Float32Array(1299))).toHaveLength(0);
    expect(a.push(new Float32Array(1))).toHaveLength(1);
  });
});

describe('levels', () => {
  it('reports dBFS floored at -90', () => {
    expect(toDbfs(1)).toBe(0);
    expect(toDbfs(0.5)).toBeCloseTo(-6.02, 2);
    expect(toDbfs(0)).toBe(-90);
  });
});
