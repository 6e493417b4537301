/**
 * Pure DSP of the capture path, shared by the AudioWorklet and its unit tests: downmix to mono, resample any
 * device rate to the 16 kHz speech-to-text rate with a band-limited (windowed-sinc, polyphase) filter, and cut
 * the stream into fixed-size frames. No DOM, no Web Audio: it runs in the worklet scope and in Node.
 */

/** The rate speech-to-text expects. */
export const STT_SAMPLE_RATE = 16_000;

/** Frame length sent to the core: 100 ms at 16 kHz. */
export const STT_FRAME_SAMPLES = 1_600;

/** Averages the channels of one render quantum into a mono buffer (a single channel is copied). */
export function downmixToMono(channels: readonly Float32Array[], out?: Float32Array): Float32Array {
  const first = channels[0];
  if (!first) return out ?? new Float32Array(0);
  const n = first.length;
  const mono = out && out.length === n ? out : new Float32Array(n);
  if (channels.length === 1) {
    mono.set(first);
    return mono;
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const ch of channels) sum += ch[i] ?? 0;
    mono[i] = sum * scale;
  }
  return mono;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Largest number of filter phases worth tabulating; odd rate pairs beyond it compute taps on the fly. */
const MAX_TABULATED_PHASES = 2048;

/**
 * Streaming resampler from `inputRate` to `outputRate`. Feed it blocks of any length; it returns the output
 * samples that the input so far determines, keeping the filter's tail between calls, so a stream cut into
 * 128-sample render quanta resamples exactly as one long buffer. The low-pass cut-off sits at 90% of the lower
 * Nyquist frequency (7.2 kHz for 16 kHz out), so tones the output cannot represent are removed, not aliased.
 */
export class StreamingResampler {
  /** Half the filter length, in input samples. */
  private readonly halfTaps: number;
  private readonly up: number;
  private readonly down: number;
  private readonly cutoff: number;
  private readonly table: Float32Array[] | null;
  /** Input history: `history[0]` is input sample `historyStart`. */
  private history: Float32Array;
  private historyLength = 0;
  private historyStart: number;
  /** Next output sample sits at input position `index + phase / up`. */
  private index = 0;
  private phase = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number = STT_SAMPLE_RATE,
    /** Zero crossings of the sinc on each side; 16 gives > 60 dB stop-band with the Blackman window. */
    zeroCrossings = 16,
  ) {
    if (!(inputRate > 0 && outputRate > 0) || !Number.isInteger(inputRate) || !Number.isInteger(outputRate)) {
      throw new RangeError(`sample rates must be positive integers (got ${inputRate} -> ${outputRate})`);
    }
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    // Cut-off in cycles per input sample.
    this.cutoff = 0.5 * Math.min(1, outputRate / inputRate) * 0.9;
    this.halfTaps = Math.ceil(zeroCrossings / (2 * this.cutoff));
    this.table = this.up <= MAX_TABULATED_PHASES ? Array.from({ length: this.up }, (_, p) => this.kernel(p / this.up)) : null;
    this.history = new Float32Array(4096);
    // Start with `halfTaps` samples of silence so the first output has a full window behind it.
    this.historyStart = -this.halfTaps;
    this.historyLength = this.halfTaps;
  }

  /** Filter taps for an output at fractional offset `frac` past an input sample, normalised to unit DC gain. */
  private kernel(frac: number): Float32Array {
    const h = this.halfTaps;
    const taps = new Float32Array(2 * h);
    let sum = 0;
    for (let j = -h + 1; j <= h; j++) {
      const d = j - frac;
      const x = 2 * this.cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = (d + h) / (2 * h);
      const blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
      const v = 2 * this.cutoff * sinc * blackman;
      taps[j + h - 1] = v;
      sum += v;
    }
    for (let k = 0; k < taps.length; k++) taps[k] = taps[k]! / sum;
    return taps;
  }

  /** Appends input and returns the newly determined output samples. */
  push(input: Float32Array): Float32Array {
    this.append(input);
    const h = this.halfTaps;
    const available = this.historyStart + this.historyLength;
    const out: number[] = [];
    while (this.index + h < available) {
      const taps = this.table ? this.table[this.phase]! : this.kernel(this.phase / this.up);
      const base = this.index - h + 1 - this.historyStart;
      let acc = 0;
      for (let k = 0; k < taps.length; k++) acc += this.history[base + k]! * taps[k]!;
      out.push(acc);
      this.phase += this.down;
      this.index += Math.floor(this.phase / this.up);
      this.phase %= this.up;
    }
    this.trim();
    return Float32Array.from(out);
  }

  private append(input: Float32Array): void {
    if (this.historyLength + input.length > this.history.length) {
      const grown = new Float32Array(Math.max(this.history.length * 2, this.historyLength + input.length));
      grown.set(this.history.subarray(0, this.historyLength));
      this.history = grown;
    }
    this.history.set(input, this.historyLength);
    this.historyLength += input.length;
  }

  /** Drops input no future output needs. */
  private trim(): void {
    const keepFrom = this.index - this.halfTaps + 1;
    const drop = keepFrom - this.historyStart;
    if (drop <= 0) return;
    this.history.copyWithin(0, drop, this.historyLength);
    this.historyLength -= drop;
    this.historyStart = keepFrom;
  }
}

/** Collects samples into frames of a fixed length; each frame is a fresh buffer that can be transferred. */
export class FrameAssembler {
  private frame: Float32Array;
  private filled = 0;

  constructor(readonly frameSamples: number = STT_FRAME_SAMPLES) {
    this.frame = new Float32Array(frameSamples);
  }

  /** Adds samples; returns the frames completed by them (possibly none). */
  push(samples: Float32Array): Float32Array[] {
    const done: Float32Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.frameSamples - this.filled, samples.length - offset);
      this.frame.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSamples) {
        done.push(this.frame);
        this.frame = new Float32Array(this.frameSamples);
        this.filled = 0;
      }
    }
    return done;
  }
}

/** Peak and RMS of a block, for the level meter. */
export function blockLevel(samples: Float32Array): { peak: number; rms: number } {
  let peak = 0;
  let sq = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
    sq += v * v;
  }
  return { peak, rms: samples.length ? Math.sqrt(sq / samples.length) : 0 };
}

/** A linear level as dBFS, floored at -90. */
export function toDbfs(level: number): number {
  return level > 0 ? Math.max(-90, 20 * Math.log10(level)) : -90;
}
