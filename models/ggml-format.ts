/**
 * The whisper.cpp ggml model file layout, as read by `whisper_model_load` in whisper.cpp (the copy vendored by
 * smart-whisper 0.8.1) and written by its `models/convert-pt-to-ggml.py`. Shared by the generator and the validator
 * so both agree with the loader on every tensor name, shape and type.
 *
 * Layout (little-endian): magic 0x67676d6c; eleven int32 hparams; mel filters (int32 n_mel, int32 n_fft, then
 * n_mel x n_fft float32); the token list (int32 count, each token int32 length + bytes); then tensors until EOF,
 * each: int32 n_dims, int32 name length, int32 ggml type, n_dims int32 dims (innermost first), name, data.
 */

/** `ggml` in ASCII, read as a little-endian uint32. */
export const GGML_MAGIC = 0x67676d6c;

/** Number of mel filter bank frequency bins (n_fft / 2 + 1 for whisper's 400-point FFT). */
export const MEL_FFT_BINS = 201;

/** The eleven int32 hyperparameters after the magic, in file order. */
export interface WhisperHparams {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  /** Weight type (ggml_ftype) plus 1000 x the quantization version for quantized files. */
  ftype: number;
}

/** File order of the hparams fields. */
export const HPARAM_ORDER: readonly (keyof WhisperHparams)[] = [
  'nVocab',
  'nAudioCtx',
  'nAudioState',
  'nAudioHead',
  'nAudioLayer',
  'nTextCtx',
  'nTextState',
  'nTextHead',
  'nTextLayer',
  'nMels',
  'ftype',
];

/** ggml tensor types whisper files use: bytes per block and elements per block. */
export const GGML_TYPES: Readonly<Record<number, { name: string; blockBytes: number; blockSize: number }>> = {
  0: { name: 'f32', blockBytes: 4, blockSize: 1 },
  1: { name: 'f16', blockBytes: 2, blockSize: 1 },
  2: { name: 'q4_0', blockBytes: 18, blockSize: 32 },
  3: { name: 'q4_1', blockBytes: 20, blockSize: 32 },
  6: { name: 'q5_0', blockBytes: 22, blockSize: 32 },
  7: { name: 'q5_1', blockBytes: 24, blockSize: 32 },
  8: { name: 'q8_0', blockBytes: 34, blockSize: 32 },
  10: { name: 'q2_k', blockBytes: 84, blockSize: 256 },
  11: { name: 'q3_k', blockBytes: 110, blockSize: 256 },
  12: { name: 'q4_k', blockBytes: 144, blockSize: 256 },
  13: { name: 'q5_k', blockBytes: 176, blockSize: 256 },
  14: { name: 'q6_k', blockBytes: 210, blockSize: 256 },
  30: { name: 'bf16', blockBytes: 2, blockSize: 1 },
};

export const GGML_TYPE_F32 = 0;
export const GGML_TYPE_F16 = 1;
export const GGML_TYPE_Q4_0 = 2;
export const GGML_TYPE_Q5_0 = 6;
export const GGML_TYPE_Q5_1 = 7;
export const GGML_TYPE_Q8_0 = 8;

/** ggml_ftype (file-level weight type) to the ggml type of the big weight matrices (`ggml_ftype_to_ggml_type`). */
const FTYPE_TO_TYPE: Readonly<Record<number, number>> = {
  0: 0,
  1: 1,
  2: 2,
  3: 3,
  7: 8,
  8: 6,
  9: 7,
  10: 10,
  11: 11,
  12: 12,
  13: 13,
  14: 14,
  24: 30,
};

/** The ggml type of the 2-D weight matrices for a file's ftype, or undefined when whisper.cpp rejects it. */
export function weightTypeOf(ftype: number): number | undefined {
  return FTYPE_TO_TYPE[ftype % 1000];
}

/** Bytes a tensor of `elements` elements of `type` occupies. */
export function tensorBytes(type: number, elements: number): number {
  const t = GGML_TYPES[type];
  if (!t) throw new Error(`unknown ggml type ${type}`);
  return (elements / t.blockSize) * t.blockBytes;
}

/** One tensor the loader expects: name, dims innermost first (as stored in the file), ggml type. */
export interface TensorSpec {
  name: string;
  dims: number[];
  type: number;
}

/**
 * Every tensor `whisper_model_load` creates for these hparams, with the type it allocates. The order is the
 * PyTorch state-dict order convert-pt-to-ggml.py writes (the loader itself matches by name).
 */
export function expectedTensors(h: WhisperHparams): TensorSpec[] {
  const wtype = weightTypeOf(h.ftype);
  if (wtype === undefined) throw new Error(`unsupported ftype ${h.ftype}`);
  const vtype = wtype === GGML_TYPE_F32 ? GGML_TYPE_F32 : GGML_TYPE_F16;
  const f32 = GGML_TYPE_F32;
  const out: TensorSpec[] = [];
  const add = (name: string, type: number, ...dims: number[]): void => {
    out.push({ name, dims, type });
  };
  const a = h.nAudioState;
  const t = h.nTextState;

  add('decoder.positional_embedding', f32, t, h.nTextCtx);
  add('encoder.positional_embedding', f32, a, h.nAudioCtx);
  add('encoder.conv1.weight', vtype, 3, h.nMels, a);
  add('encoder.conv1.bias', f32, 1, a);
  add('encoder.conv2.weight', vtype, 3, a, a);
  add('encoder.conv2.bias', f32, 1, a);
  for (let i = 0; i < h.nAudioLayer; i++) {
    const p = `encoder.blocks.${i}`;
    add(`${p}.attn.query.weight`, wtype, a, a);
    add(`${p}.attn.query.bias`, f32, a);
    add(`${p}.attn.key.weight`, wtype, a, a);
    add(`${p}.attn.value.weight`, wtype, a, a);
    add(`${p}.attn.value.bias`, f32, a);
    add(`${p}.attn.out.weight`, wtype, a, a);
    add(`${p}.attn.out.bias`, f32, a);
    add(`${p}.attn_ln.weight`, f32, a);
    add(`${p}.attn_ln.bias`, f32, a);
    add(`${p}.mlp.0.weight`, wtype, a, 4 * a);
    add(`${p}.mlp.0.bias`, f32, 4 * a);
    add(`${p}.mlp.2.weight`, wtype, 4 * a, a);
    add(`${p}.mlp.2.bias`, f32, a);
    add(`${p}.mlp_ln.weight`, f32, a);
    add(`${p}.mlp_ln.bias`, f32, a);
  }
  add('encoder.ln_post.weight', f32, a);
  add('encoder.ln_post.bias', f32, a);
  add('decoder.token_embedding.weight', wtype, t, h.nVocab);
  for (let i = 0; i < h.nTextLayer; i++) {
    const p = `decoder.blocks.${i}`;
    add(`${p}.attn.query.weight`, wtype, t, t);
    add(`${p}.attn.query.bias`, f32, t);
    add(`${p}.attn.key.weight`, wtype, t, t);
    add(`${p}.attn.value.weight`, wtype, t, t);
    add(`${p}.attn.value.bias`, f32, t);
    add(`${p}.attn.out.weight`, wtype, t, t);
    add(`${p}.attn.out.bias`, f32, t);
    add(`${p}.attn_ln.weight`, f32, t);
    add(`${p}.attn_ln.bias`, f32, t);
    add(`${p}.cross_attn.query.weight`, wtype, t, t);
    add(`${p}.cross_attn.query.bias`, f32, t);
    add(`${p}.cross_attn.key.weight`, wtype, t, t);
    add(`${p}.cross_attn.value.weight`, wtype, t, t);
    add(`${p}.cross_attn.value.bias`, f32, t);
    add(`${p}.cross_attn.out.weight`, wtype, t, t);
    add(`${p}.cross_attn.out.bias`, f32, t);
    add(`${p}.cross_attn_ln.weight`, f32, t);
    add(`${p}.cross_attn_ln.bias`, f32, t);
    add(`${p}.mlp.0.weight`, wtype, t, 4 * t);
    add(`${p}.mlp.0.bias`, f32, 4 * t);
    add(`${p}.mlp.2.weight`, wtype, 4 * t, t);
    add(`${p}.mlp.2.bias`, f32, t);
    add(`${p}.mlp_ln.weight`, f32, t);
    add(`${p}.mlp_ln.bias`, f32, t);
  }
  add('decoder.ln.weight', f32, t);
  add('decoder.ln.bias', f32, t);
  return out;
}

/** Token ids whisper.cpp uses for a multilingual vocabulary (n_vocab = 51865, 99 languages). */
export const MULTILINGUAL_TOKENS = {
  /** Text tokens stored in the file; whisper.cpp adds the special, language and timestamp tokens itself. */
  stored: 50257,
  eot: 50257,
  sot: 50258,
  firstLanguage: 50259,
  translate: 50358,
  transcribe: 50359,
  solm: 50360,
  prev: 50361,
  nosp: 50362,
  not: 50363,
  /** `<|0.00|>`; the timestamp tokens run from here to n_vocab - 1 in 20 ms steps. */
  beg: 50364,
} as const;

/**
 * Token ids of a multilingual vocabulary of `nVocab` entries: whisper.cpp shifts the ids after the language tokens
 * by the number of languages beyond 99 (large-v3 and turbo: n_vocab 51866, 100 languages, `<|0.00|>` = 50365).
 */
export function multilingualTokens(nVocab: number): { [K in keyof typeof MULTILINGUAL_TOKENS]: number } {
  const extra = nVocab - 51865;
  const T = MULTILINGUAL_TOKENS;
  return {
    ...T,
    translate: T.translate + extra,
    transcribe: T.transcribe + extra,
    solm: T.solm + extra,
    prev: T.prev + extra,
    nosp: T.nosp + extra,
    not: T.not + extra,
    beg: T.beg + extra,
  };
}

/** Language token order in whisper (index = token id - firstLanguage). */
export const WHISPER_LANGUAGE_ORDER = ['en', 'zh', 'de', 'es', 'ru', 'ko', 'fr', 'ja', 'pt', 'tr', 'pl'] as const;
