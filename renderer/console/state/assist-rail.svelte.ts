/**
 * The assist rail beside the floor transcript: only the trouble spots of the floor speech (numbers, glossary
 * terms with the booth's equivalent, names and acronyms), newest on top, in the booth language's conventions.
 *
 * Rules:
 * - Every floor caption (partial or final) is analysed by the one assist step (`electron/common/assist.ts`, the
 *   same pass as the transcript highlights). A line's items stay together as a block: a growing partial and its
 *   final replace the block in place, so items do not jump; a new line's block goes on top. Inside a block the
 *   last-said item is on top.
 * - An item keeps the time it first appeared while later versions of its line still carry it; it is `fresh`
 *   for a few seconds, which the page shows.
 * - A term or name said again within a minute moves up to the new line instead of showing twice. Numbers are
 *   always shown: each one is new information.
 * - At most {@link ASSIST_ITEMS_KEPT} items are kept.
 */
import { analyseFloorLine } from '../../../electron/common/assist';
import type { SttCaption } from '../../../electron/common/console-api';
import { GLOSSARY_LANGUAGES, type GlossaryLanguage, type GlossaryTerm } from '../../../electron/common/glossary';
import { defaultNumberFormat, formatForBooth, type BoothNumberFormat } from '../../../electron/common/number-format';
import { GlossaryMatcher } from '../../../electron/common/term-matcher';
import { fold } from '../../../electron/common/word-forms';

/** Items kept on the rail. */
export const ASSIST_ITEMS_KEPT = 40;
/** A repeated term or name within this time moves up instead of showing twice, ms. */
const REPEAT_WINDOW_MS = 60_000;

/** One item of the rail. */
export interface AssistItem {
  /** Stable while the item stays on its line: line id, kind and what it is. */
  id: string;
  kind: 'number' | 'term' | 'name';
  /** What the booth reads: the figure in its conventions, the term's equivalent, the name. */
  primary: string;
  /** Language of `primary` (for direction and font). */
  primaryLang: string;
  /** What the floor said. */
  heard: string;
  /** Language of the floor line. */
  heardLang: string;
  /** Numbers: the unit as the reader gives it (`%`, `USD`, `year`...); terms: the row's other languages. */
  detail: string;
  /** For terms: the glossary row. */
  row?: GlossaryTerm;
  /** For numbers: the value and unit as read, so the figure can be rewritten in another style. */
  figure?: { value: string; unit: string | null };
  lineId: string;
  /** When the item first appeared (the clock passed in, ms). */
  arrivedAt: number;
  /** The line is still a partial: the item may change. */
  provisional: boolean;
}

/** Where the rail keeps the booth's number preferences (localStorage in the page; null in tests). */
export type PreferenceStore = Pick<Storage, 'getItem' | 'setItem'>;

const PREFS_KEY = 'tarjuman.assist.numbers';

/** The booth language of a channel name (`ar`, `en-2`, `ru`); English for anything else. */
export function boothLanguageOf(channel: string): GlossaryLanguage {
  const lang = channel.slice(0, 2).toLowerCase();
  return (GLOSSARY_LANGUAGES as readonly string[]).includes(lang) ? (lang as GlossaryLanguage) : 'en';
}

export class AssistRail {
  items = $state.raw<AssistItem[]>([]);
  booth = $state<GlossaryLanguage>('en');
  numberFormat = $state.raw<BoothNumberFormat>(defaultNumberFormat('en'));
  /** The glossary, prepared (shared with the transcript highlights). */
  glossary = $state.raw<GlossaryMatcher>(new GlossaryMatcher([]));
  /** The booth changed the number style from the default for its language. */
  private customFormat: Partial<Pick<BoothNumberFormat, 'style' | 'arabicDigits'>> = {};

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly prefs: PreferenceStore | null = null,
  ) {
    try {
      const saved = JSON.parse(prefs?.getItem(PREFS_KEY) ?? '{}') as Record<string, unknown>;
      if (saved['style'] === 'digits' || saved['style'] === 'scale') this.customFormat.style = saved['style'];
      if (typeof saved['arabicDigits'] === 'boolean') this.customFormat.arabicDigits = saved['arabicDigits'];
    } catch {
      // A damaged preference is the default.
    }
    this.numberFormat = { ...defaultNumberFormat('en'), ...this.customFormat };
  }

  /** The booth's language and the glossary; items already shown are rewritten for a new booth language. */
  configure(settings: { booth: GlossaryLanguage; glossary: GlossaryMatcher }): void {
    const changed = settings.booth !== this.booth || settings.glossary !== this.glossary;
    this.booth = settings.booth;
    this.glossary = settings.glossary;
    this.numberFormat = { ...defaultNumberFormat(settings.booth), ...this.customFormat };
    if (changed) this.items = [];
  }

  /** Digits (340,000,000) or a scale word (340 million); remembered for this console. */
  setNumberStyle(style: BoothNumberFormat['style']): void {
    this.customFormat.style = style;
    this.applyFormat();
  }

  /** Arabic-Indic (٣٤٠) or Latin (340) digits for an Arabic booth; remembered for this console. */
  setArabicDigits(on: boolean): void {
    this.customFormat.arabicDigits = on;
    this.applyFormat();
  }

  /** Applies a floor caption (other sources are ignored). */
  apply(caption: SttCaption): void {
    if (caption.source !== 'floor') return;
    const at = this.now();
    const previous = this.items.filter((i) => i.lineId === caption.id);
    const block = this.itemsFor(caption, at, previous);
    const repeated = block.filter((i) => i.kind !== 'number').map((i) => i.id.slice(caption.id.length + 1));
    let items = this.items.filter((i) => {
      if (i.lineId === caption.id) return true;
      // A term or name said again recently moves up to this line.
      return !(i.kind !== 'number' && repeated.includes(i.id.slice(i.lineId.length + 1)) && at - i.arrivedAt < REPEAT_WINDOW_MS);
    });
    const firstOfLine = items.findIndex((i) => i.lineId === caption.id);
    items = items.filter((i) => i.lineId !== caption.id);
    if (firstOfLine >= 0) items.splice(Math.min(firstOfLine, items.length), 0, ...block);
    else items.unshift(...block);
    this.items = items.slice(0, ASSIST_ITEMS_KEPT);
  }

  /** Empties the rail (the page's Clear button). */
  clear(): void {
    this.items = [];
  }

  private itemsFor(caption: SttCaption, at: number, previous: readonly AssistItem[]): AssistItem[] {
    const found = analyseFloorLine(caption.text, { glossary: this.glossary, booth: this.booth, lang: caption.lang });
    const provisional = caption.state === 'partial';
    const out: { start: number; item: AssistItem }[] = [];
    const seen: string[] = [];
    const make = (start: number, key: string, item: Omit<AssistItem, 'id' | 'lineId' | 'arrivedAt' | 'provisional' | 'heardLang'>): void => {
      let id = `${caption.id}:${key}`;
      for (let n = 2; seen.includes(id); n++) id = `${caption.id}:${key}#${n}`;
      seen.push(id);
      const before = previous.find((p) => p.id === id);
      out.push({ start, item: { ...item, id, lineId: caption.id, heardLang: caption.lang, arrivedAt: before?.arrivedAt ?? at, provisional } });
    };
    for (const n of found.numbers) {
      make(n.start, `number:${n.value}:${n.unit ?? ''}`, {
        kind: 'number',
        primary: formatForBooth(n, this.numberFormat),
        primaryLang: this.booth,
        heard: n.text,
        detail: n.unit ?? '',
        figure: { value: n.value, unit: n.unit },
      });
    }
    for (const t of found.terms) {
      const others = GLOSSARY_LANGUAGES.filter((l) => l !== this.booth && l !== t.lang)
        .map((l) => t.row[l]?.split('|')[0])
        .filter(Boolean)
        .join(' · ');
      make(t.start, `term:${JSON.stringify([t.row.en, t.row.ru, t.row.ar])}`, {
        kind: 'term',
        primary: t.equivalent,
        primaryLang: t.row[this.booth] ? this.booth : t.lang,
        heard: t.text,
        detail: others,
        row: t.row,
      });
    }
    for (const n of found.names) {
      make(n.start, `name:${fold(n.text)}`, { kind: 'name', primary: n.text, primaryLang: caption.lang, heard: n.text, detail: n.acronym ? 'acronym' : 'name' });
    }
    // The last-said item on top.
    return out.sort((a, b) => b.start - a.start).map((o) => o.item);
  }

  private applyFormat(): void {
    this.numberFormat = { ...defaultNumberFormat(this.booth), ...this.customFormat };
    try {
      this.prefs?.setItem(PREFS_KEY, JSON.stringify(this.customFormat));
    } catch {
      // Storage full or blocked: the choice holds for this session.
    }
    this.items = this.items.map((i) => (i.figure ? { ...i, primary: formatForBooth(i.figure, this.numberFormat) } : i));
  }
}
