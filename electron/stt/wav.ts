/**
 * WAV reading for the command line and the tests: PCM 8/16/24/32-bit integer and 32/64-bit float, any
 * channel count (averaged to mono), any sample rate (resampled to 16 kHz with a windowed-sinc filter).
 */
import { fail, ok, type Result } from '../common/result';
import { SAMPLE_RATE } from './engine';

/** Decoded audio at its own rate, mixed to mono. */
export interface DecodedAudio {
  sampleRate: number;
  /** Channels of the file (before mixing). */
  channels: number;
  samples: Float32Array;
}

/** Error codes of `parseWav`. */
export const WAV_ERROR_CODES = {
  NOT_WAV: 'NOT_WAV',
  UNSUPPORTED_WAV: 'UNSUPPORTED_WAV',
  TRUNCATED_WAV: 'TRUNCATED_WAV',
} as const;

interface WavFormat {
  format: number;
  channels: number;
  rate: number;
  bits: number;
}

interface WavHeader {
  fmt: WavFormat;
  /** Offset of the first sample byte. */
  dataStart: number;
  /** Size the data chunk announces (streams written to a pipe often carry a placeholder: 0 or a huge value). */
  dataSize: number;
}

/** The format and data-chunk position of a RIFF/WAVE byte prefix; `null` while more bytes are needed. */
function readHeader(bytes: Uint8Array, complete: boolean): Result<WavHeader> | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12) {
    return complete || (bytes.length >= 4 && tag(0) !== 'RIFF')
      ? fail(WAV_ERROR_CODES.NOT_WAV, 'not a WAV file (no RIFF/WAVE header)')
      : null;
  }
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return fail(WAV_ERROR_CODES.NOT_WAV, 'not a WAV file (no RIFF/WAVE header)');
  let fmt: WavFormat | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + 16 > bytes.length && !complete) return null;
      if (size < 16 || body + 16 > bytes.length) return fail(WAV_ERROR_CODES.TRUNCATED_WAV, 'the WAV format chunk is truncated');
      if (size >= 40 && body + 26 > bytes.length && !complete) return null;
      let format = view.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true);
      fmt = { format, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) return fail(WAV_ERROR_CODES.TRUNCATED_WAV, 'the WAV file has no format chunk');
      const checked = checkFormat(fmt);
      return checked.ok ? ok({ fmt, dataStart: body, dataSize: size }) : checked;
    }
    at = body + size + (size % 2);
  }
  if (!complete) return null;
  return fail(WAV_ERROR_CODES.TRUNCATED_WAV, fmt ? 'the WAV file has no data chunk' : 'the WAV file has no format chunk');
}

function checkFormat({ format, channels, rate, bits }: WavFormat): Result<void> {
  if (channels < 1 || rate < 1000) return fail(WAV_ERROR_CODES.UNSUPPORTED_WAV, `unsupported WAV: ${channels} channels at ${rate} Hz`);
  const isInt = format === 1 && [8, 16, 24, 32].includes(bits);
  const isFloat = format === 3 && (bits === 32 || bits === 64);
  if (!isInt && !isFloat) {
    return fail(
      WAV_ERROR_CODES.UNSUPPORTED_WAV,
      `unsupported WAV encoding (format ${format}, ${bits}-bit); use PCM 16-bit or 32-bit float, e.g. sox in.wav -b 16 out.wav`,
    );
  }
  return ok(undefined);
}

/** Bytes of one frame (one sample of every channel). */
function frameBytes(fmt: WavFormat): number {
  return (fmt.bits / 8) * fmt.channels;
}

/** The whole frames of `data`, mixed to mono. */
function decodeFrames(data: Uint8Array, fmt: WavFormat): Float32Array {
  const { format, channels, bits } = fmt;
  const bytesPerSample = bits / 8;
  const frames = Math.floor(data.length / frameBytes(fmt));
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = (offset: number): number => {
    if (format === 3) return bits === 32 ? dv.getFloat32(offset, true) : dv.getFloat64(offset, true);
    switch (bits) {
      case 8:
        return (dv.getUint8(offset) - 128) / 128;
      case 16:
        return dv.getInt16(offset, true) / 32768;
      case 24: {
        const v = dv.getUint8(offset) | (dv.getUint8(offset + 1) << 8) | (dv.getInt8(offset + 2) << 16);
        return v / 8388608;
      }
      default:
        return dv.getInt32(offset, true) / 2147483648;
    }
  };
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read((i * channels + c) * bytesPerSample);
    samples[i] = sum / channels;
  }
  return samples;
}

/** Parses a RIFF/WAVE file. */
export function parseWav(bytes: Uint8Array): Result<DecodedAudio> {
  const header = readHeader(bytes, true)!;
  if (!header.ok) return header;
  const { fmt, dataStart, dataSize } = header.value;
  // Streams written to a pipe often carry a placeholder size: take what is there.
  const data = bytes.subarray(dataStart, Math.min(bytes.length, dataStart + dataSize));
  return ok({ sampleRate: fmt.rate, channels: fmt.channels, samples: decodeFrames(data, fmt) });
}

/**
 * Decodes a WAV that arrives in pieces (a pipe from `arecord`/`sox`): samples come out, mixed to mono at the
 * stream's own rate, as soon as their bytes are in. A data chunk announcing size 0 (some recorders' placeholder)
 * is read to the end of the stream.
 */
export class WavStreamDecoder {
  private head: Uint8Array = new Uint8Array(0);
  private header: WavHeader | null = null;
  private rest: Uint8Array = new Uint8Array(0);
  private left = Infinity;

  /** Rate and channels once the header is in. */
  get format(): { sampleRate: number; channels: number } | null {
    return this.header ? { sampleRate: this.header.fmt.rate, channels: this.header.fmt.channels } : null;
  }

  /** Feeds bytes; returns the samples they complete (empty while the header is still incomplete). */
  push(chunk: Uint8Array): Result<Float32Array> {
    if (!this.header) {
      this.head = concat(this.head, chunk);
      const header = readHeader(this.head, false);
      if (header === null) return ok(new Float32Array(0));
      if (!header.ok) return header;
      this.header = header.value;
      this.left = header.value.dataSize === 0 ? Infinity : header.value.dataSize;
      chunk = this.head.subarray(header.value.dataStart);
      this.head = new Uint8Array(0);
    }
    const take = chunk.subarray(0, Math.min(chunk.length, this.left));
    this.left -= take.length;
    const bytes = concat(this.rest, take);
    const whole = bytes.length - (bytes.length % frameBytes(this.header.fmt));
    this.rest = bytes.slice(whole);
    return ok(decodeFrames(bytes.subarray(0, whole), this.header.fmt));
  }

  /** At the end of the stream: an error if the header never completed. */
  end(): Result<void> {
    if (this.header) return ok(undefined);
    const header = readHeader(this.head, true)!;
    return header.ok ? ok(undefined) : header;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Resamples mono audio to 16 kHz: windowed-sinc interpolation (Blackman window, 16 zero crossings each side),
 * with the cutoff lowered when downsampling so nothing above 8 kHz folds back.
 */
export function resampleTo16k(samples: Float32Array, fromRate: number): Float32Array {
  if (fromRate === SAMPLE_RATE) return samples;
  const ratio = SAMPLE_RATE / fromRate;
  const cutoff = Math.min(1, ratio);
  const zeros = 16;
  const halfWidth = zeros / cutoff;
  const out = new Float32Array(Math.floor(samples.length * ratio));
  for (let j = 0; j < out.length; j++) {
    const t = j / ratio;
    const from = Math.max(0, Math.ceil(t - halfWidth));
    const to = Math.min(samples.length - 1, Math.floor(t + halfWidth));
    let acc = 0;
    let norm = 0;
    for (let k = from; k <= to; k++) {
      const x = (k - t) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = 0.42 + 0.5 * Math.cos((Math.PI * (k - t)) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * (k - t)) / halfWidth);
      const h = sinc * w;
      acc += samples[k]! * h;
      norm += h;
    }
    out[j] = norm !== 0 ? acc / norm : 0;
  }
  return out;
}

/** Writes 16 kHz mono PCM16 WAV bytes (for fixtures and tests). */
export function encodeWav16(samples: Float32Array, sampleRate = SAMPLE_RATE): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), true);
  return bytes;
}
