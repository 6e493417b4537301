import { describe, expect, it } from 'vitest';
import {
  CHANNEL_GAP,
  LABEL_LINE_HEIGHT,
  LINE_HEIGHT,
  MIN_LABEL_PX,
  fitCaptionLayout,
  rowFitScale,
  rowLengthFor,
  widestRowWidth,
  type MeasureText,
} from './caption-fit';

/**
 * A stand-in for the browser's text measurement (the real faces are measured in the browser test): capitals
 * 0.7 em, other letters 0.52 em, Arabic 0.48 em, a space 0.26 em, "W" 0.95 em.
 */
const measure: MeasureText = (text, px) =>
  [...text].reduce((w, ch) => {
    if (ch === 'W') return w + 0.95;
    if (ch === ' ') return w + 0.26;
    if (/\p{Script=Arabic}/u.test(ch)) return w + 0.48;
    if (/\p{Lu}/u.test(ch)) return w + 0.7;
    return w + 0.52;
  }, 0) * px;

const CAPS_ROW = 'UNITED NATIONS OFFICE OF COUNTER-TERRORISM';

describe('caption fit', () => {
  it('sizes the text so the widest row the language allows fits between the margins', () => {
    expect(CAPS_ROW.length).toBe(42);
    for (const [width, height] of [
      [1280, 720],
      [1920, 1080],
      [390, 844],
    ] as const) {
      const layout = fitCaptionLayout({ width, height, langs: ['en'], lines: 2, labels: false, size: 1, safeMargin: 0 }, measure);
      expect(measure(CAPS_ROW, layout.fontPx), `${width}x${height}`).toBeLessThanOrEqual(layout.rowWidth);
      // ...and not much smaller than that: the width is used.
      expect(measure(CAPS_ROW, layout.fontPx)).toBeGreaterThan(layout.rowWidth * 0.85);
    }
  });

  it('fits stacked channels, their labels and gaps in the height, with labels of at least 12 px', () => {
    const input = { width: 1280, height: 720, langs: ['ar', 'en', 'ru'], lines: 3, labels: true, size: 1, safeMargin: 0 };
    const layout = fitCaptionLayout(input, measure);
    const used =
      3 * 3 * LINE_HEIGHT * layout.fontPx + 3 * Math.max(MIN_LABEL_PX, layout.labelPx) * LABEL_LINE_HEIGHT + 2 * CHANNEL_GAP * layout.fontPx;
    expect(used).toBeLessThanOrEqual(720 - layout.padTop - layout.padBottom + 0.01);
    expect(layout.labelPx).toBeGreaterThanOrEqual(MIN_LABEL_PX);
    const twelve = fitCaptionLayout({ ...input, langs: Array.from({ length: 8 }, () => 'en'), lines: 4 }, measure);
    expect(twelve.labelPx).toBe(MIN_LABEL_PX);
  });

  it('uses the widest script of a channel of no known language, and the Cyrillic limit for Russian', () => {
    expect(widestRowWidth('floor', 42, measure)).toBeGreaterThanOrEqual(widestRowWidth('ar', 42, measure));
    expect(widestRowWidth('floor', 42, measure)).toBeGreaterThanOrEqual(widestRowWidth('en', 42, measure));
    expect(rowLengthFor('ru', 1)).toBe(39);
    expect(rowLengthFor('ar', 1)).toBe(42);
  });

  it('makes rows shorter for a size above 1 and the text smaller below 1', () => {
    const base = { width: 1280, height: 720, langs: ['en'], lines: 2, labels: false, safeMargin: 0 };
    const one = fitCaptionLayout({ ...base, size: 1 }, measure);
    const big = fitCaptionLayout({ ...base, size: 1.5 }, measure);
    const small = fitCaptionLayout({ ...base, size: 0.5 }, measure);
    expect(rowLengthFor('en', 1.5)).toBe(28);
    expect(big.fontPx / one.fontPx).toBeCloseTo(42 / 28, 1);
    expect(small.fontPx).toBeCloseTo(one.fontPx / 2, 5);
  });

  it('keeps a title-safe margin', () => {
    const layout = fitCaptionLayout({ width: 1920, height: 1080, langs: ['en'], lines: 2, labels: false, size: 1, safeMargin: 0.1 }, measure);
    expect(layout.padX).toBe(192);
    expect(layout.padBottom).toBe(108);
    expect(layout.rowWidth).toBe(1920 - 384);
  });

  it('shrinks only a row wider than any the limit allows', () => {
    expect(rowFitScale(CAPS_ROW, 20, 1000, measure)).toBe(1);
    const wide = 'W'.repeat(42);
    const scale = rowFitScale(wide, 40, 1000, measure);
    expect(scale).toBeLessThan(1);
    expect(measure(wide, 40 * scale)).toBeLessThanOrEqual(1000);
  });
});
