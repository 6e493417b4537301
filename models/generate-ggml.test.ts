import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSmartWhisperEngine, SpeechEngineError, type SmartWhisperEngine } from '../electron/stt/smart-whisper-engine';
import { GGML_TYPES, HPARAM_ORDER, MULTILINGUAL_TOKENS, expectedTensors, multilingualTokens, tensorBytes } from './ggml-format';
import {
  ensureGeneratedModel,
  fromHalf,
  generatedModelPath,
  generateGgmlModel,
  PRESET_HPARAMS,
  quantizeQ4_0,
  quantizeQ5_0,
  quantizeQ5_1,
  quantizeQ8_0,
  toHalf,
} from './generate-ggml';
import { validateModelFile } from './validate';

const dir = path.resolve(import.meta.dirname, '../test-artifacts/models-quantized');
const run = promisify(execFile);

/**
 * Builds whisper.cpp's own `quantize` example from the sources smart-whisper vendors (ggml's reference quantizers;
 * -O0: a quick build, the test model is small), once per checkout of test-artifacts/.
 */
async function buildQuantizeTool(): Promise<string> {
  const src = path.resolve(import.meta.dirname, '../node_modules/smart-whisper/whisper.cpp');
  const out = path.resolve(import.meta.dirname, '../test-artifacts/quantize-tool');
  const tool = path.join(out, 'quantize');
  if (existsSync(tool)) return tool;
  mkdirSync(out, { recursive: true });
  const include = ['-I', `${src}/ggml/include`, '-I', `${src}/ggml/src`, '-I', `${src}/include`, '-I', `${src}/examples`];
  const c = ['ggml', 'ggml-quants', 'ggml-aarch64', 'ggml-alloc', 'ggml-backend'].map((f) => ({
    cc: 'gcc',
    args: ['-O0', '-std=c11', '-D_GNU_SOURCE', ...include, '-c', `${src}/ggml/src/${f}.c`, '-o', `${out}/${f}.o`],
  }));
  const cpp = ['common-ggml', 'quantize/quantize'].map((f) => ({
    cc: 'g++',
    args: ['-O0', '-std=c++17', ...include, '-c', `${src}/examples/${f}.cpp`, '-o', `${out}/${path.basename(f)}.o`],
  }));
  const jobs = [...c, ...cpp];
  // Two compilers at a time (2 cores).
  for (let i = 0; i < jobs.length; i += 2) {
    await Promise.all(jobs.slice(i, i + 2).map((j) => run(j.cc, j.args)));
  }
  const objects = jobs.map((j) => j.args[j.args.length - 1]!);
  await run('g++', ['-o', `${tool}.tmp`, ...objects, '-lm', '-lpthread']);
  renameSync(`${tool}.tmp`, tool);
  return tool;
}

interface StoredTensor {
  name: string;
  type: number;
  dims: number[];
  data: Buffer;
}

/** Walks a ggml whisper file the way whisper_model_load does and returns its hparams and tensors. */
function readModel(bytes: Buffer): { hparams: number[]; tensors: Map<string, StoredTensor> } {
  const hparams = HPARAM_ORDER.map((_, i) => bytes.readInt32LE(4 + 4 * i));
  let at = 4 + 4 * HPARAM_ORDER.length;
  const nMel = bytes.readInt32LE(at);
  const nFft = bytes.readInt32LE(at + 4);
  at += 8 + nMel * nFft * 4;
  const nTokens = bytes.readInt32LE(at);
  at += 4;
  for (let i = 0; i < nTokens; i++) at += 4 + bytes.readInt32LE(at);
  const tensors = new Map<string, StoredTensor>();
  while (at < bytes.length) {
    const nDims = bytes.readInt32LE(at);
    const nameLength = bytes.readInt32LE(at + 4);
    const type = bytes.readInt32LE(at + 8);
    const dims = Array.from({ length: nDims }, (_, i) => bytes.readInt32LE(at + 12 + 4 * i));
    at += 12 + 4 * nDims;
    const name = bytes.toString('utf8', at, at + nameLength);
    at += nameLength;
    const t = GGML_TYPES[type]!;
    const size = (dims.reduce((a, b) => a * b, 1) / t.blockSize) * t.blockBytes;
    tensors.set(name, { name, type, dims, data: bytes.subarray(at, at + size) });
    at += size;
  }
  return { hparams, tensors };
}

/** A short synthetic signal (the generated model's decode length does not depend on the audio). */
function signal(seconds: number): Float32Array {
  const pcm = new Float32Array(seconds * 16000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = 0.1 * Math.sin(i * 0.05) * Math.sin(i * 0.0007);
  return pcm;
}

describe('presets of the real sizes', () => {
  it('small and large-v3-turbo have whisper\'s dimensions (turbo: 128 mel bins, 1280 wide, 32 + 4 layers)', () => {
    expect(PRESET_HPARAMS.small).toMatchObject({ nAudioState: 768, nAudioLayer: 12, nTextLayer: 12, nMels: 80, nVocab: 51865 });
    const turbo = PRESET_HPARAMS['large-v3-turbo'];
    expect(turbo).toMatchObject({ nMels: 128, nAudioState: 1280, nTextState: 1280, nAudioHead: 20, nAudioLayer: 32, nTextLayer: 4, nVocab: 51866 });
    // The f16 turbo file is the size whisper.cpp publishes for ggml-large-v3-turbo.bin (1.5 GiB); not generated here.
    const bytes = expectedTensors(turbo).reduce((n, t) => n + tensorBytes(t.type, t.dims.reduce((a, b) => a * b, 1)), 0);
    expect(bytes / 2 ** 30).toBeGreaterThan(1.4);
    expect(bytes / 2 ** 30).toBeLessThan(1.6);
  });

  it('shifts the special tokens after the languages for the 100-language vocabulary', () => {
    expect(multilingualTokens(51865)).toEqual(MULTILINGUAL_TOKENS);
    const v3 = multilingualTokens(51866);
    expect([v3.eot, v3.sot, v3.firstLanguage, v3.translate, v3.transcribe, v3.beg]).toEqual([50257, 50258, 50259, 50359, 50360, 50365]);
  });
});

describe('quantized generated models (q8_0, q5_1, q5_0, q4_0)', () => {
  let f16: Buffer;
  let q8: Buffer;
  const q8Path = path.join(dir, 'test-q8_0.bin');
  const q5Path = path.join(dir, 'test-q5_1.bin');
  const q50Path = path.join(dir, 'test-q5_0.bin');
  const q40Path = path.join(dir, 'test-q4_0.bin');

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    const f16Path = path.join(dir, 'test-f16.bin');
    await generateGgmlModel({ preset: 'test', path: f16Path, seed: 11 });
    await generateGgmlModel({ preset: 'test', path: q8Path, seed: 11, ftype: 'q8_0' });
    await generateGgmlModel({ preset: 'test', path: q5Path, seed: 11, ftype: 'q5_1' });
    await generateGgmlModel({ preset: 'test', path: q50Path, seed: 11, ftype: 'q5_0' });
    await generateGgmlModel({ preset: 'test', path: q40Path, seed: 11, ftype: 'q4_0' });
    f16 = readFileSync(f16Path);
    q8 = readFileSync(q8Path);
  });

  it('quantizes a q8_0 block as ggml does: d = max|x| / 127 in f16, round half away from zero', () => {
    const values = new Float32Array(64);
    values[0] = 127;
    values[1] = -63.5;
    values[2] = 63.5;
    values[3] = 0.49;
    values[4] = -127;
    const bytes = quantizeQ8_0(values);
    expect(bytes.length).toBe(68);
    const view = new DataView(bytes.buffer);
    expect(fromHalf(view.getUint16(0, true))).toBe(1);
    expect([0, 1, 2, 3, 4].map((j) => view.getInt8(2 + j))).toEqual([127, -64, 64, 0, -127]);
    // An all-zero block has scale 0 and zero quants.
    expect(Array.from(bytes.subarray(34))).toEqual(new Array(34).fill(0));
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow();
  });

  it('quantizes a q5_1 block as ggml does: d and min in f16, low nibbles packed, fifth bits in qh', () => {
    const values = Float32Array.from({ length: 32 }, (_, j) => 10 + j);
    const bytes = quantizeQ5_1(values);
    expect(bytes.length).toBe(24);
    const view = new DataView(bytes.buffer);
    expect(fromHalf(view.getUint16(0, true))).toBe(1);
    expect(fromHalf(view.getUint16(2, true))).toBe(10);
    expect(view.getUint32(4, true)).toBe(0xffff0000);
    for (let j = 0; j < 16; j++) expect(bytes[8 + j]).toBe(j | (j << 4));
  });

  it('quantizes q5_0 and q4_0 blocks as ggml does: scale from the largest-magnitude value, negated', () => {
    const values = Float32Array.from({ length: 32 }, (_, j) => j - 16);
    const q5 = quantizeQ5_0(values);
    expect(q5.length).toBe(22);
    const v5 = new DataView(q5.buffer);
    // max = -16, d = -16 / -16 = 1: quant = trunc(x + 16.5) = j.
    expect(fromHalf(v5.getUint16(0, true))).toBe(1);
    expect(v5.getUint32(2, true)).toBe(0xffff0000);
    for (let j = 0; j < 16; j++) expect(q5[6 + j]).toBe(j | (j << 4));
    const q4 = quantizeQ4_0(values);
    expect(q4.length).toBe(18);
    // d = -16 / -8 = 2: quant = min(15, trunc(x / 2 + 8.5)).
    expect(fromHalf(new DataView(q4.buffer).getUint16(0, true))).toBe(2);
    expect(q4[2]! & 0x0f).toBe(0);
    expect(q4[2]! >> 4).toBe(8);
    expect(() => quantizeQ5_0(new Float32Array(31))).toThrow();
  });

  it('writes what whisper.cpp quantize writes from the f16 file: same tensors, 2-D matrices quantized', async () => {
    const checked = await validateModelFile(q8Path);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.weightType).toBe('q8_0');
    expect(checked.value.hparams).toEqual({ ...PRESET_HPARAMS.test, ftype: 2007 });
    expect(checked.value.fileBytes).toBe(q8.length);
    expect(q8.length).toBeLessThan(0.65 * f16.length);

    const a = readModel(f16);
    const b = readModel(q8);
    expect(b.hparams.slice(0, 10)).toEqual(a.hparams.slice(0, 10));
    expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
    // Everything before the tensors (mel filters, vocabulary) is copied unchanged.
    const firstTensor = f16.indexOf(Buffer.from('decoder.positional_embedding')) - 12 - 8;
    expect(q8.subarray(48, firstTensor).equals(f16.subarray(48, firstTensor))).toBe(true);

    const skipped = ['encoder.conv1.bias', 'encoder.conv2.bias', 'encoder.positional_embedding', 'decoder.positional_embedding'];
    let quantized = 0;
    for (const [name, t16] of a.tensors) {
      const t8 = b.tensors.get(name)!;
      expect(t8.dims).toEqual(t16.dims);
      const shouldQuantize = t16.dims.length === 2 && !skipped.includes(name);
      if (!shouldQuantize) {
        expect(t8.type, name).toBe(t16.type);
        expect(t8.data.equals(t16.data), name).toBe(true);
        continue;
      }
      quantized++;
      expect(t16.type, name).toBe(1);
      expect(t8.type, name).toBe(8);
      // Dequantized values are within half a step of the f16 values they come from, plus what rounding the scale
      // to f16 costs (half an f16 ulp per unit of the quant: the 1e-4 matrices have subnormal f16 scales).
      const n = t16.data.length / 2;
      for (let i = 0; i < n; i += 97) {
        const block = Math.floor(i / 32);
        const d = fromHalf(t8.data.readUInt16LE(block * 34));
        const q = t8.data.readInt8(block * 34 + 2 + (i % 32));
        const original = fromHalf(t16.data.readUInt16LE(2 * i));
        const scaleError = Math.abs(q) * Math.max(d * 2 ** -11, 2 ** -25);
        expect(Math.abs(q * d - original), name).toBeLessThanOrEqual(d * 0.5 + scaleError + 1e-9);
      }
    }
    const h = PRESET_HPARAMS.test;
    expect(quantized).toBe(1 + 6 * h.nAudioLayer + 10 * h.nTextLayer);
  });

  it('is byte for byte what whisper.cpp\'s own quantize tool makes of the f16 file (q8_0, q5_1, q5_0, q4_0)', async () => {
    const tool = await buildQuantizeTool();
    for (const [ftype, ours] of [
      ['q8_0', q8Path],
      ['q5_1', q5Path],
      ['q5_0', q50Path],
      ['q4_0', q40Path],
    ] as const) {
      const theirs = path.join(dir, `quantize-tool-${ftype}.bin`);
      await run(tool, [path.join(dir, 'test-f16.bin'), theirs, ftype]);
      expect(readFileSync(theirs).equals(readFileSync(ours)), ftype).toBe(true);
    }
  }, 180_000);

  it('refuses a truncated or corrupt q8_0 file with its block sizes', async () => {
    const truncated = path.join(dir, 'truncated-q8_0.bin');
    writeFileSync(truncated, q8.subarray(0, q8.length - 34));
    const r1 = await validateModelFile(truncated);
    expect(!r1.ok && r1.error.code).toBe('MODEL_TRUNCATED');
    const error = await loadSmartWhisperEngine(truncated).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechEngineError);
    expect((error as SpeechEngineError).code).toBe('MODEL_TRUNCATED');

    // The header says f16 while the tensors are q8_0: the sizes no longer add up.
    const relabelled = Buffer.from(q8);
    relabelled.writeInt32LE(1, 4 + 4 * 10);
    writeFileSync(path.join(dir, 'relabelled.bin'), relabelled);
    const r3 = await validateModelFile(path.join(dir, 'relabelled.bin'));
    expect(!r3.ok && r3.error.code).toBe('MODEL_TRUNCATED');

    // One matrix stored as q5_1 (24-byte blocks) among q8_0 ones: same file size here, refused by its type.
    const name = Buffer.from('encoder.blocks.0.attn.query.weight');
    const at = q8.indexOf(name) - 8 - 12;
    const retyped = Buffer.from(q8);
    expect(retyped.readInt32LE(at + 8)).toBe(8);
    retyped.writeInt32LE(7, at + 8);
    writeFileSync(path.join(dir, 'retyped.bin'), retyped);
    const r4 = await validateModelFile(path.join(dir, 'retyped.bin'));
    expect(!r4.ok && r4.error.code).toBe('MODEL_BAD_TENSOR');
    expect(!r4.ok && r4.error.message).toContain('stored as q5_1, expected q8_0');
  });

  describe('in the real engine', () => {
    let engine: SmartWhisperEngine | undefined;
    afterAll(async () => {
      await engine?.close();
    });

    it('loads the cached q8_0 test model and decodes exactly the fixed 8 tokens, with and without audio_ctx', async () => {
      const cached = await ensureGeneratedModel('test', { ftype: 'q8_0' });
      expect(cached).toBe(generatedModelPath('test', 'q8_0'));
      expect(path.basename(cached)).toBe('test-q8_0.bin');
      expect(await ensureGeneratedModel('test', { ftype: 'q8_0' })).toBe(cached);
      engine = await loadSmartWhisperEngine(cached, { threads: 2 });
      expect(engine.model.weightType).toBe('q8_0');
      const pcm = signal(3);
      for (const audioCtx of [0, 200]) {
        const segments = await engine.transcribe(pcm, { language: 'en', task: 'transcribe', audioCtx });
        expect(segments.length).toBe(1);
        expect(segments[0]!.tokens.length).toBe(8);
        expect(segments[0]!.text.trim().length).toBeGreaterThan(0);
      }
      await engine.close();
      engine = undefined;
    });

    it('loads a q5_1 model and decodes exactly the fixed 8 tokens', async () => {
      engine = await loadSmartWhisperEngine(q5Path, { threads: 2 });
      expect(engine.model.weightType).toBe('q5_1');
      const segments = await engine.transcribe(signal(2), { language: 'en', task: 'transcribe', audioCtx: 150 });
      expect(segments.flatMap((s) => s.tokens).length).toBe(8);
    });
  });

  it('keeps toHalf and fromHalf consistent', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) expect(fromHalf(toHalf(v))).toBe(v);
  });
});
