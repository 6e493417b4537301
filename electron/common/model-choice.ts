/**
 * Which installed model to offer when the chosen one cannot keep up on this machine: the next smaller size class
 * (tiny < base < small < medium / large-v3-turbo < large), never one that fell behind here itself, multilingual
 * unless the floor is English only. Quantized siblings of the same size are not "smaller": on this project's
 * engine small q8_0 and q5_1 cost within 10% of small f16 (README, engine measurements), the encoder dominates.
 */
import type { ConsoleModelInfo, ConsoleSttLanguage } from './console-api';

/** What sets a model's compute per second of audio (ggml header fields). */
export interface ModelShape {
  nAudioLayer: number;
  nTextLayer: number;
  nAudioState: number;
}

/**
 * Compute of a whisper model per second of audio relative to whisper base (1): its layers times its width squared.
 * tiny 0.38, base 1, small 4.5, medium 16, large-v3-turbo 18.8 (32 encoder layers, 4 decoder), large 33.
 */
export function modelWork(shape: ModelShape): number {
  const work = (shape.nAudioLayer + shape.nTextLayer) * shape.nAudioState ** 2;
  return Math.round((work / (12 * 512 ** 2)) * 100) / 100;
}

/**
 * The model to offer instead of `current` (a file name of `models`) for a floor in `language`, or undefined when
 * none is smaller, or `current` is not in the list.
 */
export function smallerModel(models: readonly ConsoleModelInfo[], current: string, language: ConsoleSttLanguage): ConsoleModelInfo | undefined {
  const now = models.find((m) => m.file === current)?.work;
  if (now === undefined) return undefined;
  const candidates = models.filter(
    (m) => m.valid && m.work !== undefined && m.work < now * 0.9 && m.lastRun?.verdict !== 'behind' && (language === 'en' || m.multilingual === true),
  );
  // The largest of the smaller ones; among the same size, one that kept up here, then the smaller file.
  const rank = (m: ConsoleModelInfo): [number, number, number] => [m.work ?? 0, m.lastRun?.verdict === 'keeps-up' ? 1 : 0, -(m.fileBytes ?? 0)];
  return candidates.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
  })[0];
}
