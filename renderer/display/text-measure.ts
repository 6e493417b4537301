/**
 * Text measurement in the page's own fonts, through a 2D canvas (the same shaping as the page's text, without
 * touching the layout). Used by the caption fit; measure again once the caption faces have loaded.
 */
import type { MeasureText } from './caption-fit';

/** Entries kept before the cache starts over (rows change all the time; the samples are measured once). */
const CACHE_LIMIT = 4000;

/** A {@link MeasureText} for `family` at `weight`; falls back to an estimate when the page has no 2D canvas. */
export function createCanvasMeasure(family: string, weight: string): MeasureText {
  const context = document.createElement('canvas').getContext('2d');
  const cache = new Map<string, number>();
  return (text, px) => {
    if (!context) return text.length * px * 0.7;
    const key = `${px}\u0000${text}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    context.font = `${weight} ${px}px ${family}`;
    const width = context.measureText(text).width;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, width);
    return width;
  };
}
