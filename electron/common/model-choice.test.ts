import { describe, expect, it } from 'vitest';
import type { ConsoleModelInfo } from './console-api';
import { modelWork, smallerModel } from './model-choice';

const SHAPES = {
  tiny: { nAudioLayer: 4, nTextLayer: 4, nAudioState: 384 },
  base: { nAudioLayer: 6, nTextLayer: 6, nAudioState: 512 },
  small: { nAudioLayer: 12, nTextLayer: 12, nAudioState: 768 },
  medium: { nAudioLayer: 24, nTextLayer: 24, nAudioState: 1024 },
  turbo: { nAudioLayer: 32, nTextLayer: 4, nAudioState: 1280 },
  large: { nAudioLayer: 32, nTextLayer: 32, nAudioState: 1280 },
};

function model(file: string, shape: keyof typeof SHAPES, more: Partial<ConsoleModelInfo> = {}): ConsoleModelInfo {
  return { file, path: `/models/${file}`, valid: true, description: shape, work: modelWork(SHAPES[shape]), multilingual: true, fileBytes: 500e6, ...more };
}

describe('which model to offer when the chosen one cannot keep up', () => {
  it('ranks whisper sizes by compute per second of audio', () => {
    expect(Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, modelWork(s)]))).toEqual({ tiny: 0.38, base: 1, small: 4.5, medium: 16, turbo: 18.75, large: 33.33 });
  });

  it('offers the next smaller size, not a quantized sibling, and prefers one that kept up here, then the smaller file', () => {
    const at = 0;
    const models = [
      model('ggml-tiny.bin', 'tiny'),
      model('ggml-base.bin', 'base', { fileBytes: 148e6 }),
      model('ggml-base-q8_0.bin', 'base', { fileBytes: 82e6 }),
      model('ggml-small.bin', 'small'),
      model('ggml-small-q5_1.bin', 'small', { fileBytes: 60e6 }),
      model('ggml-large-v3-turbo-q5_0.bin', 'turbo'),
    ];
    expect(smallerModel(models, 'ggml-small.bin', 'auto')?.file).toBe('ggml-base-q8_0.bin');
    const keptUp = models.map((m) => (m.file === 'ggml-base.bin' ? { ...m, lastRun: { verdict: 'keeps-up' as const, rtf: 0.3, at } } : m));
    expect(smallerModel(keptUp, 'ggml-small.bin', 'auto')?.file).toBe('ggml-base.bin');
    expect(smallerModel(models, 'ggml-large-v3-turbo-q5_0.bin', 'ru')?.file).toBe('ggml-small-q5_1.bin');
    // Both base files fell behind here: tiny.
    const slow = models.map((m) => (m.file.startsWith('ggml-base') ? { ...m, lastRun: { verdict: 'behind' as const, rtf: 0.7, at } } : m));
    expect(smallerModel(slow, 'ggml-small.bin', 'ar')?.file).toBe('ggml-tiny.bin');
    expect(smallerModel(models, 'ggml-tiny.bin', 'auto')).toBeUndefined();
    // A model not in the list (a path elsewhere): nothing to compare with.
    expect(smallerModel(models, 'elsewhere.bin', 'auto')).toBeUndefined();
  });

  it('offers an English-only model only for an English floor, and never an unusable file', () => {
    const models = [
      model('ggml-small.bin', 'small'),
      model('ggml-base.en.bin', 'base', { multilingual: false }),
      { file: 'broken.bin', path: '/models/broken.bin', valid: false, description: 'truncated' },
    ];
    expect(smallerModel(models, 'ggml-small.bin', 'en')?.file).toBe('ggml-base.en.bin');
    expect(smallerModel(models, 'ggml-small.bin', 'auto')).toBeUndefined();
    expect(smallerModel(models, 'ggml-small.bin', 'ru')).toBeUndefined();
  });
});
