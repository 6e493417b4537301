/**
 * The wall display's type size, chosen so that a row never wraps and every channel fits on screen.
 *
 * Rows are broken at a per-language character limit (42 for Arabic and English, 39 for Russian). The font size
 * is the largest at which the widest row that limit allows, in the shipped faces, fits the width between the
 * margins: all capitals for Latin and Cyrillic (the widest text a caption realistically carries), Arabic text
 * for Arabic. The width of a row of `limit` characters is taken as `limit` times the average advance of a
 * long sample of such text, measured in the real font. The size is also capped so that every channel's rows,
 * labels and gaps fit the height. A row wider still (a run of "W", a wide symbol) is shrunk on its own by
 * {@link rowFitScale}, so no row ever wraps or overflows.
 *
 * The layout constants below are the only source of the CSS values that the height depends on: the page sets
 * them as custom properties from here.
 */
import { directionOfLanguage } from '../../electron/common/bidi';
import { displayLength, lineLengthFor } from '../../electron/common/line-breaking';

/** Measures the advance width of `text` (px) at a font size of `px`, in the caption faces. */
export type MeasureText = (text: string, px: number) => number;

/** Row height, in em of the caption size. */
export const LINE_HEIGHT = 1.3;
/** Channel label size (em of the caption size) and its line height (em of the label size). */
export const LABEL_SIZE = 0.38;
export const LABEL_LINE_HEIGHT = 1.4;
/** Labels are never smaller than this (px): readable on a small screen. */
export const MIN_LABEL_PX = 12;
/** Space between stacked channels, in em of the caption size. */
export const CHANNEL_GAP = 0.5;
/** The page's own margins when no title-safe margin is asked for: 4% of the width at the sides, 3% / 4% of the height. */
export const SIDE_MARGIN = 0.04;
export const TOP_MARGIN = 0.03;
export const BOTTOM_MARGIN = 0.04;
/** Measured widths are trusted to this much: the browser's layout may differ from a canvas by a pixel or two. */
const WIDTH_SLACK = 0.97;

/** Samples of the widest text each script's captions carry. */
const WIDE_SAMPLES = {
  latin: 'UNITED NATIONS OFFICE OF COUNTER-TERRORISM WELCOMES THE MEMBER STATES OF THE WORLD HEALTH ORGANIZATION, QUEBEC AND ZAGREB',
  cyrillic: 'ОРГАНИЗАЦИЯ ОБЪЕДИНЁННЫХ НАЦИЙ ПО ВОПРОСАМ ОБРАЗОВАНИЯ, НАУКИ И КУЛЬТУРЫ ЖДЁТ ЩЕДРЫХ ПОЖЕРТВОВАНИЙ ОТ ЧЛЕНОВ ШТАБ-КВАРТИРЫ',
  arabic: 'مكتب الأمم المتحدة لمكافحة الإرهاب يعقد اجتماعه السنوي في فيينا بمشاركة الدول الأعضاء والمنظمات الإقليمية شرقاً وغرباً',
} as const;

const CYRILLIC_LANGUAGES: ReadonlySet<string> = new Set(['ru', 'uk', 'be', 'bg', 'sr', 'mk', 'kk', 'ky', 'tg', 'mn']);

/** The samples whose widest row sizes a channel: its script's, or all of them for a channel of no known language. */
function samplesFor(lang: string | undefined): string[] {
  const primary = lang?.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (directionOfLanguage(primary) === 'rtl') return [WIDE_SAMPLES.arabic];
  if (CYRILLIC_LANGUAGES.has(primary)) return [WIDE_SAMPLES.cyrillic];
  if (directionOfLanguage(primary) === 'ltr') return [WIDE_SAMPLES.latin];
  return [WIDE_SAMPLES.latin, WIDE_SAMPLES.cyrillic, WIDE_SAMPLES.arabic];
}

/** The characters per row of a channel for a display `size`: rows get shorter when the text is scaled up. */
export function rowLengthFor(lang: string | undefined, size: number): number {
  const limit = lineLengthFor(lang);
  return size > 1 ? Math.max(8, Math.floor(limit / size)) : limit;
}

/** Width (px at a font size of 1 px) of the widest row of `chars` characters a channel in `lang` allows. */
export function widestRowWidth(lang: string | undefined, chars: number, measure: MeasureText): number {
  const perChar = Math.max(...samplesFor(lang).map((sample) => measure(sample, 100) / 100 / displayLength(sample)));
  return perChar * chars;
}

/** What the layout depends on. */
export interface CaptionFitInput {
  /** The page's size (px). */
  width: number;
  height: number;
  /** The channels' languages (undefined for a channel that is not a language, such as `floor`), top to bottom. */
  langs: ReadonlyArray<string | undefined>;
  /** Rows per channel. */
  lines: number;
  /** Whether each channel has a label above it. */
  labels: boolean;
  /** The display's `size` parameter: below 1 makes the text smaller; above 1, larger with shorter rows. */
  size: number;
  /** A title-safe margin on every edge, as a fraction of the width or height (0 = the page's own margins). */
  safeMargin: number;
}

/** The computed layout, in px. */
export interface CaptionLayout {
  /** Caption text size. */
  fontPx: number;
  /** Label text size (never below {@link MIN_LABEL_PX}). */
  labelPx: number;
  /** Margins of the caption area. */
  padX: number;
  padTop: number;
  padBottom: number;
  /** Width a row may take. */
  rowWidth: number;
}

/** The largest caption size at which the widest allowed row of every channel fits and all channels fit the height. */
export function fitCaptionLayout(input: CaptionFitInput, measure: MeasureText): CaptionLayout {
  const safe = Math.min(0.25, Math.max(0, input.safeMargin));
  const padX = input.width * Math.max(SIDE_MARGIN, safe);
  const padTop = input.height * Math.max(TOP_MARGIN, safe);
  const padBottom = input.height * Math.max(BOTTOM_MARGIN, safe);
  const rowWidth = Math.max(1, input.width - 2 * padX);
  const channels = Math.max(1, input.langs.length);
  const widest = Math.max(...input.langs.map((lang) => widestRowWidth(lang, rowLengthFor(lang, input.size), measure)), 1e-6);
  const byWidth = (rowWidth * WIDTH_SLACK) / widest;

  const available = Math.max(1, input.height - padTop - padBottom);
  const fixedLabelPx = (px: number): number => Math.max(MIN_LABEL_PX, px * LABEL_SIZE) * LABEL_LINE_HEIGHT;
  const heightAt = (px: number): number =>
    channels * input.lines * LINE_HEIGHT * px + (input.labels ? channels * fixedLabelPx(px) : 0) + (channels - 1) * CHANNEL_GAP * px;
  // heightAt is increasing in px: bisect for the largest size that fits.
  let low = 0;
  let high = Math.max(byWidth, 1);
  if (heightAt(high) > available) {
    for (let i = 0; i < 40; i += 1) {
      const mid = (low + high) / 2;
      if (heightAt(mid) <= available) low = mid;
      else high = mid;
    }
    high = low;
  }
  const fontPx = Math.min(byWidth, high) * Math.min(1, input.size);
  return { fontPx, labelPx: Math.max(MIN_LABEL_PX, fontPx * LABEL_SIZE), padX, padTop, padBottom, rowWidth };
}

/** How much to shrink one row so it fits `rowWidth` (1 when it already fits). */
export function rowFitScale(text: string, fontPx: number, rowWidth: number, measure: MeasureText): number {
  const width = measure(text, fontPx);
  const room = rowWidth * WIDTH_SLACK;
  return width <= room ? 1 : room / width;
}
