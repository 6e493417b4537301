/**
 * Checks a whisper.cpp ggml model file before the engine sees it. whisper.cpp's loader answers a bad file with a
 * bare "failed to initialize" at best and an abort or a crash at worst, so everything the loader relies on is
 * checked here first: magic, hparams, mel filters, token list, then every tensor header (name, shape, type) and
 * that the data of each tensor is there, up to the exact expected end of the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fail, ok, type Result } from '../electron/common/result';
import {
  GGML_MAGIC,
  GGML_TYPES,
  HPARAM_ORDER,
  MEL_FFT_BINS,
  expectedTensors,
  tensorBytes,
  weightTypeOf,
  type TensorSpec,
  type WhisperHparams,
} from './ggml-format';

/** What a valid model file holds. */
export interface ModelInfo {
  /** Absolute or given path of the file. */
  path: string;
  /** Size in bytes. */
  fileBytes: number;
  hparams: WhisperHparams;
  /** Size class whisper.cpp derives from the encoder depth (`tiny`, `base`, `small`, `medium`, `large`, `unknown`). */
  modelType: 'tiny' | 'base' | 'small' | 'medium' | 'large' | 'unknown';
  /** True for multilingual vocabularies (n_vocab >= 51865). */
  multilingual: boolean;
  /** Name of the weight type: `f16`, `f32`, `q5_0`, `q8_0`, ... */
  weightType: string;
  /** Number of tensors in the file. */
  tensorCount: number;
}

/** Stable error codes of {@link validateModelFile}. */
export type ModelErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'MODEL_NOT_GGML'
  | 'MODEL_TRUNCATED'
  | 'MODEL_BAD_HEADER'
  | 'MODEL_BAD_TENSOR'
  | 'MODEL_WRONG_SIZE';

/** Reads little-endian values from a file through a small cache of the region being parsed. */
class FileReader {
  private cache = Buffer.alloc(0);
  private cacheStart = 0;
  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  /** Bytes [offset, offset + length), or undefined when the file ends first. */
  async bytes(offset: number, length: number): Promise<Buffer | undefined> {
    if (offset + length > this.size) return undefined;
    if (offset < this.cacheStart || offset + length > this.cacheStart + this.cache.length) {
      const want = Math.min(Math.max(length, 1 << 20), this.size - offset);
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await this.file.read(buffer, 0, want, offset);
      this.cache = buffer.subarray(0, bytesRead);
      this.cacheStart = offset;
      if (bytesRead < length) return undefined;
    }
    return this.cache.subarray(offset - this.cacheStart, offset - this.cacheStart + length);
  }

  async int32s(offset: number, count: number): Promise<number[] | undefined> {
    const b = await this.bytes(offset, count * 4);
    if (!b) return undefined;
    return Array.from({ length: count }, (_, i) => b.readInt32LE(i * 4));
  }
}

const MODEL_TYPES: Readonly<Record<number, ModelInfo['modelType']>> = {
  4: 'tiny',
  6: 'base',
  12: 'small',
  24: 'medium',
  32: 'large',
};

/** A size for people, in MiB like the catalog and the console (one decimal under 10 MiB). */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

/** One line for people: "base, multilingual, q8_0, 78 MiB" (`custom size` when the dimensions are not OpenAI's). */
export function describeModel(info: ModelInfo): string {
  const kind = info.modelType === 'unknown' ? 'custom size' : info.modelType;
  const size = `${Math.round(info.fileBytes / 1024 / 1024)} MiB`;
  return `${kind}, ${info.multilingual ? 'multilingual' : 'English only'}, ${info.weightType}, ${size}`;
}

function checkHparams(h: WhisperHparams): string | undefined {
  const positive = HPARAM_ORDER.filter((k) => k !== 'ftype').find((k) => !(h[k] > 0 && h[k] < 1e6));
  if (positive) return `hyperparameter ${positive} = ${h[positive]} is out of range`;
  if (h.nVocab < 51864 || h.nVocab > 51866) return `n_vocab = ${h.nVocab} is not a whisper vocabulary (51864-51866)`;
  if (h.nMels !== 80 && h.nMels !== 128) return `n_mels = ${h.nMels} (whisper uses 80 or 128)`;
  if (h.nAudioState !== h.nTextState) return `n_audio_state ${h.nAudioState} != n_text_state ${h.nTextState}`;
  if (h.nAudioState % h.nAudioHead !== 0 || h.nTextState % h.nTextHead !== 0) {
    return 'the attention heads do not divide the state size';
  }
  const wtype = weightTypeOf(h.ftype);
  if (wtype === undefined) return `weight type (ftype) ${h.ftype} is not supported by whisper.cpp`;
  // A quantized row is a whole number of blocks: ggml cannot hold a matrix whose rows split a block.
  const block = GGML_TYPES[wtype]!.blockSize;
  if (h.nAudioState % block !== 0 || h.nTextState % block !== 0) {
    const name = GGML_TYPES[wtype]!.name;
    return `weight type ${name} stores blocks of ${block} values, which do not divide the state size ${h.nAudioState}`;
  }
  return undefined;
}

/**
 * Validates a ggml whisper model file without loading it. Fails with a stable code and a message that says what
 * is wrong (not found, not a ggml file, truncated, wrong size, bad header or tensor).
 */
export async function validateModelFile(path: string): Promise<Result<ModelInfo>> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail('MODEL_NOT_FOUND', `Model file ${path} cannot be opened (${code ?? String(error)}).`);
  }
  try {
    const stats = await file.stat();
    if (!stats.isFile()) return fail('MODEL_NOT_FOUND', `Model path ${path} is not a file.`);
    return await validateOpen(new FileReader(file, stats.size), path);
  } finally {
    await file.close();
  }
}

async function validateOpen(reader: FileReader, path: string): Promise<Result<ModelInfo>> {
  const size = reader.size;
  const head = await reader.bytes(0, Math.min(size, 4));
  if (!head || head.length < 4) {
    return fail('MODEL_NOT_GGML', `${path} is not a whisper ggml model: it is only ${size} bytes long.`);
  }
  const magic = head.readUInt32LE(0);
  if (magic !== GGML_MAGIC) {
    const ascii = head.toString('latin1');
    const what =
      ascii === 'GGUF'
        ? 'a GGUF file (llama.cpp format), not a whisper.cpp ggml model'
        : ascii.startsWith('PK')
          ? 'a zip archive (a PyTorch checkpoint?), not a whisper.cpp ggml model'
          : `not a whisper ggml model (magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x67676d6c "ggml")`;
    return fail('MODEL_NOT_GGML', `${path} is ${what}.`);
  }
  const values = await reader.int32s(4, HPARAM_ORDER.length);
  if (!values) return fail('MODEL_TRUNCATED', `${path} is truncated: it ends inside the header (${size} bytes).`);
  const h = Object.fromEntries(HPARAM_ORDER.map((k, i) => [k, values[i]!])) as unknown as WhisperHparams;
  const bad = checkHparams(h);
  if (bad) return fail('MODEL_BAD_HEADER', `${path} has an invalid header: ${bad}.`);

  let offset = 4 + HPARAM_ORDER.length * 4;
  const mel = await reader.int32s(offset, 2);
  if (!mel) return fail('MODEL_TRUNCATED', `${path} is truncated: it ends before the mel filters.`);
  const [nMel, nFft] = mel as [number, number];
  if (nMel !== h.nMels || nFft !== MEL_FFT_BINS) {
    return fail('MODEL_BAD_HEADER', `${path} has a bad mel filter bank (${nMel} x ${nFft}, expected ${h.nMels} x 201).`);
  }
  offset += 8 + nMel * nFft * 4;

  const count = await reader.int32s(offset, 1);
  if (!count || offset > size) return fail('MODEL_TRUNCATED', `${path} is truncated: it ends before the token list.`);
  const nTokens = count[0]!;
  if (nTokens < 1 || nTokens > h.nVocab) {
    return fail('MODEL_BAD_HEADER', `${path} has a bad token list (${nTokens} tokens for n_vocab ${h.nVocab}).`);
  }
  offset += 4;
  for (let i = 0; i < nTokens; i++) {
    const len = await reader.int32s(offset, 1);
    if (!len) return fail('MODEL_TRUNCATED', `${path} is truncated: it ends inside the token list (token ${i}).`);
    if (len[0]! < 0 || len[0]! > 1024) {
      return fail('MODEL_BAD_HEADER', `${path} has a bad token list (token ${i} is ${len[0]} bytes long).`);
    }
    offset += 4 + len[0]!;
  }
  if (offset > size) return fail('MODEL_TRUNCATED', `${path} is truncated: it ends inside the token list.`);

  const specs = expectedTensors(h);
  const byName = new Map<string, TensorSpec>(specs.map((s) => [s.name, s]));
  const expectedSize =
    offset +
    specs.reduce(
      (sum, s) => sum + 12 + 4 * s.dims.length + Buffer.byteLength(s.name) + tensorBytes(s.type, product(s.dims)),
      0,
    );
  if (size < expectedSize) {
    return fail(
      'MODEL_TRUNCATED',
      `${path} is truncated: ${formatMiB(size)} (${size} bytes) of the ${formatMiB(expectedSize)} (${expectedSize} bytes) ` +
        `these hyperparameters need. Was the download interrupted?`,
    );
  }
  if (size > expectedSize) {
    return fail(
      'MODEL_WRONG_SIZE',
      `${path} has the wrong size: ${size} bytes where its header implies ${expectedSize} ` +
        `(${size - expectedSize} bytes too many).`,
    );
  }

  const seen = new Set<string>();
  while (offset < size) {
    const header = await reader.int32s(offset, 3);
    if (!header) return fail('MODEL_TRUNCATED', `${path} is truncated inside a tensor header.`);
    const [nDims, nameLength, type] = header as [number, number, number];
    if (nDims < 1 || nDims > 4 || nameLength < 1 || nameLength > 256) {
      return fail('MODEL_BAD_TENSOR', `${path} has a corrupt tensor header at byte ${offset}.`);
    }
    const dims = await reader.int32s(offset + 12, nDims);
    const nameBytes = await reader.bytes(offset + 12 + 4 * nDims, nameLength);
    if (!dims || !nameBytes) return fail('MODEL_TRUNCATED', `${path} is truncated inside a tensor header.`);
    const name = nameBytes.toString('utf8');
    const spec = byName.get(name);
    if (!spec) return fail('MODEL_BAD_TENSOR', `${path} has an unknown tensor '${name}' at byte ${offset}.`);
    if (seen.has(name)) return fail('MODEL_BAD_TENSOR', `${path} has tensor '${name}' twice.`);
    seen.add(name);
    const padded = [...spec.dims, 1, 1, 1].slice(0, 3);
    const got = [...dims, 1, 1, 1].slice(0, 3);
    if (got.some((d, i) => d !== padded[i]) || product(dims) !== product(spec.dims)) {
      return fail(
        'MODEL_BAD_TENSOR',
        `${path}: tensor '${name}' has shape [${dims.join(', ')}], expected [${spec.dims.join(', ')}].`,
      );
    }
    const fileType = GGML_TYPES[type];
    const elements = product(spec.dims);
    const expectedBytes = tensorBytes(spec.type, elements);
    const expectedType = GGML_TYPES[spec.type]!;
    if (!fileType || (elements * fileType.blockBytes) / expectedType.blockSize !== expectedBytes) {
      return fail(
        'MODEL_BAD_TENSOR',
        `${path}: tensor '${name}' is stored as ${fileType?.name ?? `type ${type}`}, expected ${expectedType.name}.`,
      );
    }
    offset += 12 + 4 * nDims + nameLength + expectedBytes;
    if (offset > size) return fail('MODEL_TRUNCATED', `${path} is truncated inside the data of tensor '${name}'.`);
  }
  if (seen.size !== specs.length) {
    const missing = specs.find((s) => !seen.has(s.name))!;
    return fail('MODEL_BAD_TENSOR', `${path} lacks ${specs.length - seen.size} tensor(s), e.g. '${missing.name}'.`);
  }
  return ok({
    path,
    fileBytes: size,
    hparams: h,
    modelType: MODEL_TYPES[h.nAudioLayer] ?? 'unknown',
    multilingual: h.nVocab >= 51865,
    weightType: GGML_TYPES[weightTypeOf(h.ftype)!]!.name,
    tensorCount: seen.size,
  });
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
