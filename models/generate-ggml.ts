/**
 * Writes valid whisper.cpp ggml model files with random weights, for tests (`test`, ~7 MB) and for timing (`tiny`
 * and `base`: the real whisper tiny/base dimensions, so every matrix product costs what it costs with real weights).
 * The text decoded from them is garbage; the compute is real.
 *
 * Shaped decoder (so a pass decodes a fixed number of tokens): the decoder blocks' output projections are tiny,
 * so the residual stream stays close to token embedding + positional embedding. Channel 0 of the positional
 * embedding is negative before position `3 + fixedTokens` and positive from there on, and the end-of-text token's
 * embedding reads only channel 0: its logit flips from strongly negative to strongly positive at that position.
 * The final layer norm outputs a constant in channel 1 (weight 0, bias > 0) and every special, language and
 * timestamp token reads channel 1 negatively, so none of them is ever picked except where whisper.cpp forces it
 * (the first timestamp, the language); there `<|0.00|>` and `en` are the least negative. An unprompted pass thus
 * emits `<|0.00|>`, `fixedTokens` text tokens, end-of-text: one window, one segment. Text-token embeddings have a
 * spread that gives peaked, realistic-looking token probabilities. An initial prompt of n tokens shifts the
 * positions, so it shortens the decode by n + 1 tokens (down to none): keep that in mind when timing prompted passes.
 * The vocabulary is GPT-2's (see `vocabulary`), so a prompt splits into as many tokens as with a real model; only
 * lowercase word tokens are ever decoded (the others read channel 1 negatively like the special tokens).
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GGML_MAGIC,
  GGML_TYPE_F16,
  GGML_TYPE_Q4_0,
  GGML_TYPE_Q5_0,
  GGML_TYPE_Q5_1,
  GGML_TYPE_Q8_0,
  GGML_TYPES,
  HPARAM_ORDER,
  MEL_FFT_BINS,
  expectedTensors,
  multilingualTokens,
  type TensorSpec,
  type WhisperHparams,
} from './ggml-format';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { mulberry32 } from '../electron/common/seeded-random';

/** Which dimensions to generate. */
export type GeneratedPreset = 'test' | 'tiny' | 'base' | 'small' | 'large-v3-turbo';

/** Every preset, smallest first. */
export const GENERATED_PRESETS: readonly GeneratedPreset[] = ['test', 'tiny', 'base', 'small', 'large-v3-turbo'];

/**
 * Weight type of the 2-D weight matrices: `f16` (what whisper.cpp's convert-pt-to-ggml.py writes) or a quantized
 * type (what whisper.cpp's `quantize` tool writes from that f16 file).
 */
export type GeneratedFtype = 'f16' | 'q8_0' | 'q5_1' | 'q5_0' | 'q4_0';

/** The generated weight types. */
export const GENERATED_FTYPES: readonly GeneratedFtype[] = ['f16', 'q8_0', 'q5_1', 'q5_0', 'q4_0'];

/**
 * The hparams `ftype` field of each weight type. Quantized files carry GGML_QNT_VERSION (2) x 1000 + the
 * ggml_ftype (GGML_FTYPE_MOSTLY_Q4_0 = 2, Q8_0 = 7, Q5_0 = 8, Q5_1 = 9), as whisper.cpp's quantize tool writes it;
 * whisper_model_load takes the value modulo 1000.
 */
export const FTYPE_FIELD: Readonly<Record<GeneratedFtype, number>> = { f16: 1, q8_0: 2007, q5_1: 2009, q5_0: 2008, q4_0: 2002 };

/** Options of {@link generateGgmlModel}. */
export interface GenerateOptions {
  /**
   * `test`: small dims (~7 MB, 2 encoder + 3 decoder layers); `tiny`, `base`, `small`, `large-v3-turbo`: the real
   * whisper dims (turbo: 128 mel bins, 1280 wide, 32 encoder and 4 decoder layers, the 51866-token vocabulary).
   */
  preset: GeneratedPreset;
  /** Where to write the file (written to a temporary name, then renamed). */
  path: string;
  /** Text tokens each unprompted pass decodes before end-of-text. Default 8 (`test`) or 16 (`tiny`, `base`). */
  fixedTokens?: number;
  /** PRNG seed for the random weights: same seed, same file. Default 1. */
  seed?: number;
  /**
   * Weight type of the 2-D weight matrices. Default `f16`. A quantized file holds exactly what whisper.cpp's
   * `quantize` tool makes of the f16 file of the same preset, seed and fixedTokens: every 2-D tensor except the
   * positional embeddings and the conv biases quantized (reference rounding of ggml's quantize_row_*_ref), the
   * conv kernels (3-D) left f16, 1-D tensors f32, ftype = 2000 + ggml_ftype.
   */
  ftype?: GeneratedFtype;
}

const COMMON = { nVocab: 51865, nAudioCtx: 1500, nTextCtx: 448, nMels: 80, ftype: GGML_TYPE_F16 } as const;

/** Hyperparameters of each preset. */
export const PRESET_HPARAMS: Readonly<Record<GeneratedPreset, WhisperHparams>> = {
  test: { ...COMMON, nAudioState: 64, nAudioHead: 2, nAudioLayer: 2, nTextState: 64, nTextHead: 2, nTextLayer: 3 },
  tiny: { ...COMMON, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextState: 384, nTextHead: 6, nTextLayer: 4 },
  base: { ...COMMON, nAudioState: 512, nAudioHead: 8, nAudioLayer: 6, nTextState: 512, nTextHead: 8, nTextLayer: 6 },
  small: { ...COMMON, nAudioState: 768, nAudioHead: 12, nAudioLayer: 12, nTextState: 768, nTextHead: 12, nTextLayer: 12 },
  'large-v3-turbo': {
    ...COMMON,
    nVocab: 51866,
    nMels: 128,
    nAudioState: 1280,
    nAudioHead: 20,
    nAudioLayer: 32,
    nTextState: 1280,
    nTextHead: 20,
    nTextLayer: 4,
  },
};

const DEFAULT_FIXED_TOKENS: Readonly<Record<GeneratedPreset, number>> = {
  test: 8,
  tiny: 16,
  base: 16,
  small: 16,
  'large-v3-turbo': 16,
};
/** Whisper's decoder prompt is `<|startoftranscript|><|lang|><|transcribe|>`, so decoding starts at position 3. */
const PROMPT_LENGTH = 3;
/** Magnitude of the two control channels of the decoder's positional embedding. */
const CONTROL = 8;
/**
 * Spread of the other positional channels: large against the token embeddings, so the next token depends on the
 * position more than on the previous token (otherwise the argmax repeats the previous token forever).
 */
const POSITION_SPREAD = 2;
/** Weight with which end-of-text and the special tokens read the control channels. */
const SPECIAL = 8;
/** Constant the final layer norm puts in channel 1 (its bias; its weight there is 0). */
const SPECIAL_BIAS = 4;

/** Deterministic PRNG (mulberry32); seed 0 stands for a fixed non-zero seed. */
function makeRandom(seed: number): () => number {
  return mulberry32(seed >>> 0 || 0x9e3779b9);
}

function makeGaussian(random: () => number): () => number {
  return () => {
    const u = random() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary16 bits of a float, rounded to nearest even as F16C's vcvtps2ph does (subnormals kept). */
export function toHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  // Normal: drop 13 mantissa bits; subnormal: the implicit bit joins and 1 - e more bits go.
  const shift = e <= 0 ? 14 - e : 13;
  if (shift > 24) return sign;
  const m = e <= 0 ? mant | 0x800000 : mant;
  let half = (e <= 0 ? 0 : e << 10) | (m >>> shift);
  const rest = m & ((1 << shift) - 1);
  const tie = 1 << (shift - 1);
  // A carry out of the mantissa moves to the next exponent (or to infinity), as it should.
  if (rest > tie || (rest === tie && (half & 1) !== 0)) half++;
  return sign | half;
}

const POOL_SIZE = 1 << 20;
const CHUNK = 4096;

/** Fills big random tensors by copying chunks from a pool of Gaussian f16/f32 values at random offsets (fast). */
class WeightSource {
  private readonly pools = new Map<string, Uint8Array>();
  constructor(
    private readonly random: () => number,
    private readonly gaussian: () => number,
  ) {}

  private pool(type: number, std: number): Uint8Array {
    const key = `${type}:${std}`;
    let pool = this.pools.get(key);
    if (!pool) {
      if (type === GGML_TYPE_F16) {
        const u16 = new Uint16Array(POOL_SIZE);
        for (let i = 0; i < POOL_SIZE; i++) u16[i] = toHalf(this.gaussian() * std);
        pool = new Uint8Array(u16.buffer);
      } else {
        const f32 = new Float32Array(POOL_SIZE);
        for (let i = 0; i < POOL_SIZE; i++) f32[i] = this.gaussian() * std;
        pool = new Uint8Array(f32.buffer);
      }
      this.pools.set(key, pool);
    }
    return pool;
  }

  tensor(type: number, elements: number, std: number): Uint8Array {
    const width = type === GGML_TYPE_F16 ? 2 : 4;
    const pool = this.pool(type, std);
    const out = new Uint8Array(elements * width);
    for (let i = 0; i < elements; i += CHUNK) {
      const n = Math.min(CHUNK, elements - i);
      const from = Math.floor(this.random() * (POOL_SIZE - n)) * width;
      out.set(pool.subarray(from, from + n * width), i * width);
    }
    return out;
  }
}

function f32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function constant(type: number, elements: number, value: number): Uint8Array {
  if (type === GGML_TYPE_F16) return f16Bytes(new Uint16Array(elements).fill(toHalf(value)));
  return f32Bytes(new Float32Array(elements).fill(value));
}

function f16Bytes(values: Uint16Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Triangular filters over the 201 FFT bins, spaced on the mel scale up to 8 kHz (shape of whisper's bank). */
function melFilters(nMels: number): Float32Array {
  const out = new Float32Array(nMels * MEL_FFT_BINS);
  const mel = (f: number): number => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number): number => 700 * (10 ** (m / 2595) - 1);
  const top = mel(8000);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => hz((top * i) / (nMels + 1)));
  for (let m = 0; m < nMels; m++) {
    const [lo, mid, hi] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    for (let b = 0; b < MEL_FFT_BINS; b++) {
      const f = (b * 8000) / (MEL_FFT_BINS - 1);
      const w = f < lo || f > hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      out[m * MEL_FFT_BINS + b] = (2 * w) / (hi - lo);
    }
  }
  return out;
}

/** The vocabulary of each stored-token count, made once (it is written into every file and read for the embedding). */
const vocabularies = new Map<number, Uint8Array[]>();
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The vocabulary: GPT-2's byte-level BPE tokens (whisper's English vocabulary, which its multilingual one extends;
 * from js-tiktoken's ranks, the raw bytes of each token as whisper's ggml files store them), then `<|endoftext|>`.
 * whisper.cpp splits a prompt into tokens by longest match on these, so a prompt costs as many tokens as with a
 * real model (about 4 English characters per token; a made-up vocabulary gave 1.6 and tripled the prompt's cost).
 */
function vocabulary(count: number): Uint8Array[] {
  const hit = vocabularies.get(count);
  if (hit) return hit;
  const tokens: Uint8Array[] = [];
  for (const line of gpt2Ranks.bpe_ranks.split('\n')) {
    const [, offset, ...encoded] = line.split(' ');
    if (offset === undefined) continue;
    encoded.forEach((b64, i) => {
      tokens[Number(offset) + i] = new Uint8Array(Buffer.from(b64, 'base64'));
    });
  }
  // `includes` sees the holes a missing rank would leave (`some` skips them).
  if (tokens.length > count - 1 || (tokens as Array<Uint8Array | undefined>).includes(undefined)) {
    throw new Error('GPT-2 ranks: unexpected layout');
  }
  // Up to whisper's count of text tokens (one more than GPT-2's), then end-of-text.
  for (let filler = 0; tokens.length < count - 1; filler++) tokens.push(utf8Encoder.encode(`<|filler${filler}|>`));
  tokens.push(utf8Encoder.encode('<|endoftext|>'));
  vocabularies.set(count, tokens);
  return tokens;
}

/** Text tokens the shaped decoder may pick: a lowercase word, with or without its leading space (readable output). */
function isWordToken(token: Uint8Array): boolean {
  return /^ ?[a-z]{2,}$/.test(utf8Decoder.decode(token));
}

function int32s(...values: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(values).buffer);
}

/** Writes a valid ggml whisper model with random (shaped) weights to `options.path`. */
export async function generateGgmlModel(options: GenerateOptions): Promise<void> {
  const h = PRESET_HPARAMS[options.preset];
  const ftype = options.ftype ?? 'f16';
  if (!GENERATED_FTYPES.includes(ftype)) throw new Error(`ftype must be one of ${GENERATED_FTYPES.join(', ')}`);
  const target: WhisperHparams = { ...h, ftype: FTYPE_FIELD[ftype] };
  const fixedTokens = options.fixedTokens ?? DEFAULT_FIXED_TOKENS[options.preset];
  if (!Number.isInteger(fixedTokens) || fixedTokens < 1 || PROMPT_LENGTH + fixedTokens >= h.nTextCtx) {
    throw new Error(`fixedTokens must be an integer in [1, ${h.nTextCtx - PROMPT_LENGTH - 1}]`);
  }
  const random = makeRandom(options.seed ?? 1);
  const gaussian = makeGaussian(random);
  const weights = new WeightSource(random, gaussian);
  const T = multilingualTokens(h.nVocab);
  // Logits at position p pick the token after it; the forced first timestamp takes one step: measured, EOT at
  // position 3 + k - 1 leaves exactly k text tokens.
  const eotPosition = PROMPT_LENGTH + fixedTokens - 1;

  const tmp = `${options.path}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(path.dirname(options.path), { recursive: true });
  const file = await open(tmp, 'w');
  const pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const joined = new Uint8Array(pendingBytes);
    let at = 0;
    for (const p of pending) {
      joined.set(p, at);
      at += p.byteLength;
    }
    pending.length = 0;
    pendingBytes = 0;
    await file.write(joined);
  };
  const write = async (bytes: Uint8Array): Promise<void> => {
    pending.push(bytes);
    pendingBytes += bytes.byteLength;
    if (pendingBytes >= 8 << 20) await flush();
  };

  try {
    await write(int32s(GGML_MAGIC | 0, ...HPARAM_ORDER.map((k) => target[k])));
    await write(int32s(h.nMels, MEL_FFT_BINS));
    await write(f32Bytes(melFilters(h.nMels)));
    const vocab = vocabulary(T.stored);
    await write(int32s(vocab.length));
    for (const token of vocab) {
      await write(int32s(token.byteLength));
      await write(token);
    }

    // The f16 tensors (what convert-pt-to-ggml.py writes) are always generated, so the random stream and the
    // values are those of the f16 file; a quantized file then quantizes them as the quantize tool does.
    const sources = expectedTensors(h);
    const targets = expectedTensors(target);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      const spec = targets[i]!;
      const name = new TextEncoder().encode(spec.name);
      await write(int32s(spec.dims.length, name.byteLength, spec.type, ...spec.dims));
      await write(name);
      const data = tensorData(source, h, weights, gaussian, eotPosition);
      if (spec.type === source.type) await write(data);
      else await write(quantizeF16(spec.type, data, spec.dims[0]!));
    }
    await flush();
    await file.close();
    await rename(tmp, options.path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
}

/** f16 bits to float, for all 65536 bit patterns. */
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      const sign = bits & 0x8000 ? -1 : 1;
      const exp = (bits >>> 10) & 0x1f;
      const mant = bits & 0x3ff;
      halfTable[bits] =
        exp === 0
          ? sign * mant * 2 ** -24
          : exp === 0x1f
            ? mant
              ? NaN
              : sign * Infinity
            : sign * (1 + mant / 1024) * 2 ** (exp - 15);
    }
  }
  return halfTable;
}

/** The float value of IEEE 754 binary16 bits. */
export function fromHalf(bits: number): number {
  return halfToFloatTable()[bits & 0xffff]!;
}

/** C's roundf: halves away from zero. */
function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * ggml's quantize_row_q8_0_ref: per block of 32, d = max|x| / 127 stored as f16, then 32 int8 round(x / d)
 * (34 bytes per block). `values.length` must be a multiple of 32.
 */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  const blocks = values.length / 32;
  if (!Number.isInteger(blocks)) throw new Error('q8_0 needs a multiple of 32 values');
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  const f = Math.fround;
  for (let b = 0; b < blocks; b++) {
    const x = b * 32;
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[x + j]!));
    const d = f(amax / 127);
    const id = d ? f(1 / d) : 0;
    const o = b * 34;
    view.setUint16(o, toHalf(d), true);
    for (let j = 0; j < 32; j++) view.setInt8(o + 2 + j, roundf(f(values[x + j]! * id)));
  }
  return out;
}

/**
 * ggml's quantize_row_q5_1_ref: per block of 32, d = (max - min) / 31 and m = min as f16, the low 4 bits of the
 * 32 quants packed two per byte (value j low nibble, value j + 16 high nibble), their fifth bits in a uint32
 * (24 bytes per block: d, m, qh[4], qs[16]).
 */
export function quantizeQ5_1(values: Float32Array): Uint8Array {
  const blocks = values.length / 32;
  if (!Number.isInteger(blocks)) throw new Error('q5_1 needs a multiple of 32 values');
  const out = new Uint8Array(blocks * 24);
  const view = new DataView(out.buffer);
  const f = Math.fround;
  for (let b = 0; b < blocks; b++) {
    const x = b * 32;
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < 32; j++) {
      const v = values[x + j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = f((max - min) / 31);
    const id = d ? f(1 / d) : 0;
    const o = b * 24;
    view.setUint16(o, toHalf(d), true);
    view.setUint16(o + 2, toHalf(min), true);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const xi0 = Math.trunc(f(f(f(values[x + j]! - min) * id) + 0.5)) & 0xff;
      const xi1 = Math.trunc(f(f(f(values[x + 16 + j]! - min) * id) + 0.5)) & 0xff;
      out[o + 8 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
      qh |= ((xi0 & 0x10) >>> 4) << j;
      qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
    }
    view.setUint32(o + 4, qh >>> 0, true);
  }
  return out;
}

/** The largest-magnitude value of a block, with its sign (ggml's q4_0/q5_0 scale from it). */
function signedMax(values: Float32Array, x: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < 32; j++) {
    const v = values[x + j]!;
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

/**
 * ggml's quantize_row_q5_0_ref: per block of 32, d = max / -16 (max: the value of largest magnitude) in f16, quants
 * min(31, trunc(x / d + 16.5)), low nibbles packed two per byte, fifth bits in a uint32 (22 bytes: d, qh[4], qs[16]).
 */
export function quantizeQ5_0(values: Float32Array): Uint8Array {
  const blocks = values.length / 32;
  if (!Number.isInteger(blocks)) throw new Error('q5_0 needs a multiple of 32 values');
  const out = new Uint8Array(blocks * 22);
  const view = new DataView(out.buffer);
  const f = Math.fround;
  for (let b = 0; b < blocks; b++) {
    const x = b * 32;
    const d = f(signedMax(values, x) / -16);
    const id = d ? f(1 / d) : 0;
    const o = b * 22;
    view.setUint16(o, toHalf(d), true);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const xi0 = Math.min(31, Math.trunc(f(f(values[x + j]! * id) + 16.5)));
      const xi1 = Math.min(31, Math.trunc(f(f(values[x + 16 + j]! * id) + 16.5)));
      out[o + 6 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
      qh |= ((xi0 & 0x10) >>> 4) << j;
      qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
    }
    view.setUint32(o + 2, qh >>> 0, true);
  }
  return out;
}

/** ggml's quantize_row_q4_0_ref: per block of 32, d = max / -8 in f16, quants min(15, trunc(x / d + 8.5)), two per byte. */
export function quantizeQ4_0(values: Float32Array): Uint8Array {
  const blocks = values.length / 32;
  if (!Number.isInteger(blocks)) throw new Error('q4_0 needs a multiple of 32 values');
  const out = new Uint8Array(blocks * 18);
  const view = new DataView(out.buffer);
  const f = Math.fround;
  for (let b = 0; b < blocks; b++) {
    const x = b * 32;
    const d = f(signedMax(values, x) / -8);
    const id = d ? f(1 / d) : 0;
    const o = b * 18;
    view.setUint16(o, toHalf(d), true);
    for (let j = 0; j < 16; j++) {
      const xi0 = Math.min(15, Math.trunc(f(f(values[x + j]! * id) + 8.5)));
      const xi1 = Math.min(15, Math.trunc(f(f(values[x + 16 + j]! * id) + 8.5)));
      out[o + 2 + j] = xi0 | (xi1 << 4);
    }
  }
  return out;
}

/** Quantizes f16 tensor data (rows of `rowLength` values) to `type`, as ggml_common_quantize_0 does. */
function quantizeF16(type: number, data: Uint8Array, rowLength: number): Uint8Array {
  const info = GGML_TYPES[type];
  if (!info || rowLength % info.blockSize !== 0) {
    throw new Error(`cannot quantize rows of ${rowLength} values to ${info?.name ?? `type ${type}`}`);
  }
  const bits = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  const table = halfToFloatTable();
  const values = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) values[i] = table[bits[i]!]!;
  if (type === GGML_TYPE_Q8_0) return quantizeQ8_0(values);
  if (type === GGML_TYPE_Q5_1) return quantizeQ5_1(values);
  if (type === GGML_TYPE_Q5_0) return quantizeQ5_0(values);
  if (type === GGML_TYPE_Q4_0) return quantizeQ4_0(values);
  throw new Error(`no quantizer for ${info.name}`);
}

function tensorData(
  spec: TensorSpec,
  h: WhisperHparams,
  weights: WeightSource,
  gaussian: () => number,
  eotPosition: number,
): Uint8Array {
  const elements = spec.dims.reduce((a, b) => a * b, 1);
  const { name, type } = spec;
  if (name === 'decoder.positional_embedding') {
    const t = h.nTextState;
    const pe = new Float32Array(elements);
    for (let p = 0; p < h.nTextCtx; p++) {
      for (let c = 2; c < t; c++) pe[p * t + c] = gaussian() * POSITION_SPREAD;
      pe[p * t] = p >= eotPosition ? CONTROL : -CONTROL;
    }
    return f32Bytes(pe);
  }
  if (name === 'decoder.token_embedding.weight') {
    const t = h.nTextState;
    // Text tokens: logits of a few units over the vocabulary (a peaked, realistic-looking distribution).
    const data = weights.tensor(type, elements, 2.9 / Math.sqrt(t));
    const row = (id: number, ch0: number, ch1: number): void => {
      const values = new Uint16Array(t);
      values[0] = toHalf(ch0);
      values[1] = toHalf(ch1);
      data.set(f16Bytes(values), id * t * 2);
    };
    const T = multilingualTokens(h.nVocab);
    const vocab = vocabulary(T.stored);
    for (let id = 0; id < T.eot; id++) {
      data[id * t * 2] = data[id * t * 2 + 1] = data[id * t * 2 + 2] = data[id * t * 2 + 3] = 0;
      // Punctuation, digits, bytes and the like are never decoded: the output reads as words.
      if (!isWordToken(vocab[id]!)) row(id, 0, -SPECIAL);
    }
    row(T.eot, SPECIAL, 0);
    for (let id = T.eot + 1; id < h.nVocab; id++) row(id, 0, -SPECIAL);
    row(T.firstLanguage, 0, -0.95 * SPECIAL);
    row(T.beg, 0, -0.9 * SPECIAL);
    return data;
  }
  if (name === 'decoder.ln.weight' || name === 'decoder.ln.bias') {
    // The final layer norm outputs a constant in channel 1, whatever the input: special tokens read it.
    const values = new Float32Array(elements).fill(name.endsWith('weight') ? 1 : 0);
    values[1] = name.endsWith('weight') ? 0 : SPECIAL_BIAS;
    return f32Bytes(values);
  }
  if (/\.(ln|ln_post|attn_ln|cross_attn_ln|mlp_ln)\.weight$/.test(name)) return constant(type, elements, 1);
  if (name.startsWith('decoder.') && /\.bias$/.test(name)) return constant(type, elements, 0);
  if (name.startsWith('decoder.') && /\.(attn\.out|cross_attn\.out|mlp\.2)\.weight$/.test(name)) {
    return weights.tensor(type, elements, 1e-4);
  }
  if (/(_ln|ln_post)\.bias$/.test(name) || /\.bias$/.test(name)) return constant(type, elements, 0);
  return weights.tensor(type, elements, 0.02);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Where {@link ensureGeneratedModel} keeps a preset's file (git-ignored): `<preset>.bin` (f16), `<preset>-<ftype>.bin`,
 * and `-t<n>` before `.bin` for a fixed token count other than the preset's default.
 */
export function generatedModelPath(preset: GeneratedPreset, ftype: GeneratedFtype = 'f16', fixedTokens?: number): string {
  const tokens = fixedTokens !== undefined && fixedTokens !== DEFAULT_FIXED_TOKENS[preset] ? `-t${fixedTokens}` : '';
  return path.join(root, 'generated', `${preset}${ftype === 'f16' ? '' : `-${ftype}`}${tokens}.bin`);
}

/** Bumped whenever the generated bytes change, so cached files in models/generated/ are rewritten. */
const GENERATOR_VERSION = 4;

const inFlight = new Map<string, Promise<string>>();

/** Options of {@link ensureGeneratedModel}. */
export interface EnsureOptions {
  /** Weight type; default `f16`. */
  ftype?: GeneratedFtype;
  /**
   * Text tokens an unprompted pass decodes (default: the preset's). A large value (up to 440) lets the caller's
   * `maxTokens` decide how many tokens each pass decodes, as the benchmarks do.
   */
  fixedTokens?: number;
}

/**
 * Returns the path of models/generated/<preset>.bin (or <preset>-<ftype>.bin for a quantized type), generating it
 * (default seed and fixedTokens) the first time. Safe to call concurrently, also from several processes (each
 * writes a temporary file and renames it).
 */
export async function ensureGeneratedModel(preset: GeneratedPreset, options: EnsureOptions = {}): Promise<string> {
  const ftype = options.ftype ?? 'f16';
  const target = generatedModelPath(preset, ftype, options.fixedTokens);
  let job = inFlight.get(target);
  if (!job) {
    job = (async () => {
      const stamp = `${target}.version`;
      const current = await readFile(stamp, 'utf8').then(
        (v) => v.trim() === String(GENERATOR_VERSION),
        () => false,
      );
      const exists = await stat(target).then(
        (s) => s.isFile() && s.size > 0,
        () => false,
      );
      if (!exists || !current) {
        await generateGgmlModel({
          preset,
          path: target,
          ftype,
          ...(options.fixedTokens !== undefined ? { fixedTokens: options.fixedTokens } : {}),
        });
        await writeFile(stamp, `${GENERATOR_VERSION}\n`);
      }
      return target;
    })();
    job.catch(() => inFlight.delete(target));
    inFlight.set(target, job);
  }
  return job;
}
