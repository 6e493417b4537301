import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateGgmlModel, PRESET_HPARAMS } from './generate-ggml';
import { validateModelFile } from './validate';

const dir = path.resolve(import.meta.dirname, '../test-artifacts/models-validate');
const modelPath = path.join(dir, 'test.bin');
let good: Buffer;

function write(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('generated models and validateModelFile', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    await generateGgmlModel({ preset: 'test', path: modelPath, seed: 7 });
    good = readFileSync(modelPath);
  });

  it('generates a valid multilingual model with the preset dimensions, the same bytes for the same seed', async () => {
    const result = await validateModelFile(modelPath);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.hparams).toEqual(PRESET_HPARAMS.test);
    expect(result.value.multilingual).toBe(true);
    expect(result.value.weightType).toBe('f16');
    expect(result.value.tensorCount).toBe(10 + 15 * 2 + 24 * 3 + 1);
    expect(result.value.fileBytes).toBe(good.length);
    expect(good.length).toBeLessThan(12e6);
    const again = path.join(dir, 'again.bin');
    await generateGgmlModel({ preset: 'test', path: again, seed: 7 });
    expect(readFileSync(again).equals(good)).toBe(true);
  });

  it('refuses a truncated file and says how much is missing', async () => {
    const result = await validateModelFile(write('truncated.bin', good.subarray(0, good.length - 4096)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('MODEL_TRUNCATED');
    expect(result.error.message).toMatch(/truncated: .* of the .* these hyperparameters need/);
    const early = await validateModelFile(write('early.bin', good.subarray(0, 100_000)));
    expect(!early.ok && early.error.code).toBe('MODEL_TRUNCATED');
  });

  it('refuses extra bytes at the end', async () => {
    const result = await validateModelFile(write('long.bin', Buffer.concat([good, Buffer.alloc(10)])));
    expect(!result.ok && result.error.code).toBe('MODEL_WRONG_SIZE');
  });

  it('refuses a wrong magic, a GGUF file and random bytes as not ggml', async () => {
    const wrong = Buffer.from(good);
    wrong.writeUInt32LE(0x67676d66, 0);
    const r1 = await validateModelFile(write('magic.bin', wrong));
    expect(!r1.ok && r1.error.code).toBe('MODEL_NOT_GGML');
    expect(!r1.ok && r1.error.message).toContain('magic 0x67676d66, expected 0x67676d6c');
    const gguf = Buffer.concat([Buffer.from('GGUF'), randomBytes(1000)]);
    const r2 = await validateModelFile(write('gguf.bin', gguf));
    expect(!r2.ok && r2.error.message).toContain('GGUF');
    let noise = randomBytes(1 << 20);
    while (noise.readUInt32LE(0) === 0x67676d6c) noise = randomBytes(1 << 20);
    const r3 = await validateModelFile(write('random.bin', noise));
    expect(!r3.ok && r3.error.code).toBe('MODEL_NOT_GGML');
    const r4 = await validateModelFile(write('tiny.bin', Buffer.from('gg')));
    expect(!r4.ok && r4.error.code).toBe('MODEL_NOT_GGML');
  });

  it('refuses a corrupt header or tensor header and a missing file', async () => {
    const badVocab = Buffer.from(good);
    badVocab.writeInt32LE(1234, 4);
    const r1 = await validateModelFile(write('vocab.bin', badVocab));
    expect(!r1.ok && r1.error.code).toBe('MODEL_BAD_HEADER');
    // Rename the first tensor (its name starts 12 + 4 * 2 bytes into its header): same size, unknown name.
    const firstTensor = good.indexOf(Buffer.from('decoder.positional_embedding'));
    const renamed = Buffer.from(good);
    renamed.write('X', firstTensor, 'latin1');
    const r2 = await validateModelFile(write('renamed.bin', renamed));
    expect(!r2.ok && r2.error.code).toBe('MODEL_BAD_TENSOR');
    expect(!r2.ok && r2.error.message).toContain("unknown tensor 'Xecoder.positional_embedding'");
    // q4_k stores blocks of 256 values: rows of 64 cannot hold them, whisper.cpp could not build the matrices.
    const kQuant = Buffer.from(good);
    kQuant.writeInt32LE(2012, 4 + 4 * 10);
    const r4 = await validateModelFile(write('q4k.bin', kQuant));
    expect(!r4.ok && r4.error.code).toBe('MODEL_BAD_HEADER');
    expect(!r4.ok && r4.error.message).toContain('blocks of 256 values');
    const r3 = await validateModelFile(path.join(dir, 'does-not-exist.bin'));
    expect(!r3.ok && r3.error.code).toBe('MODEL_NOT_FOUND');
  });
});
