/**
 * Text direction of caption lines and a sanitiser for bidi control characters.
 *
 * A caption line's direction is decided once and set explicitly on the element that shows it; the browser's
 * first-strong-character rule (`dir="auto"`) is not enough, because an Arabic line that starts with a Latin
 * acronym ("UNOCT ...") or a number would then lay out left to right. We decide by the language when it is
 * known (the channel's language or the line's `lang`), and otherwise by the majority of strong characters.
 *
 * Caption text comes from people and speech-to-text; bidi override, embedding and isolate controls in it could
 * flip the direction of a whole display, so they are removed before showing or storing a line.
 */

/** Direction of a line of text. */
export type TextDirection = 'rtl' | 'ltr';

/**
 * Languages (ISO 639-1 / 639-2 primary subtags) written right to left: Arabic, Hebrew, Persian, Urdu, Pashto,
 * Sindhi, Uyghur, Yiddish, Dhivehi, Kurdish (Sorani), Syriac.
 */
export const RTL_LANGUAGES: ReadonlySet<string> = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb', 'syr']);

/**
 * Languages this module knows to be written left to right. A tag that is in neither set (for example the
 * `floor` channel name) is "unknown" and the text decides.
 */
const LTR_LANGUAGES: ReadonlySet<string> = new Set([
  'en', 'ru', 'fr', 'es', 'de', 'it', 'pt', 'zh', 'ja', 'ko', 'tr', 'uk', 'kk', 'uz', 'az', 'hy', 'ka', 'el', 'pl',
  'nl', 'sv', 'no', 'da', 'fi', 'cs', 'sk', 'hu', 'ro', 'bg', 'sr', 'hr', 'bs', 'sl', 'mk', 'sq', 'id', 'ms', 'vi',
  'th', 'hi', 'bn', 'sw', 'am', 'tg', 'ky', 'mn', 'be', 'lt', 'lv', 'et', 'tl', 'ta', 'te', 'ml', 'kn', 'mr', 'gu',
]);

/** Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Adlam...). */
const RTL_LETTER =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}]/u;

const LETTER = /\p{L}/gu;

/**
 * Bidi formatting characters: LRE, RLE, PDF, LRO, RLO (U+202A-U+202E), LRI, RLI, FSI, PDI (U+2066-U+2069),
 * and the marks LRM, RLM (U+200E, U+200F) and ALM (U+061C).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/** Control characters other than the bidi ones (C0, DEL, C1), line and paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const OTHER_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;

/** The primary subtag of a language tag, lower case (`ar-EG` → `ar`), or undefined for an empty tag. */
function primaryLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const primary = lang.trim().toLowerCase().split(/[-_]/)[0];
  return primary ? primary : undefined;
}

/**
 * The direction a language is written in, or `undefined` when the tag is missing or not a language this module
 * knows (for example a channel named `floor`).
 */
export function directionOfLanguage(lang: string | undefined): TextDirection | undefined {
  const primary = primaryLanguage(lang);
  if (primary === undefined) return undefined;
  if (RTL_LANGUAGES.has(primary)) return 'rtl';
  if (LTR_LANGUAGES.has(primary)) return 'ltr';
  return undefined;
}

/** Counts of strong (letter) characters by direction. */
export interface StrongCharacterCounts {
  rtl: number;
  ltr: number;
}

/** Counts the letters of right-to-left and left-to-right scripts in `text` (digits and punctuation are weak). */
export function countStrongCharacters(text: string): StrongCharacterCounts {
  const counts = { rtl: 0, ltr: 0 };
  for (const match of text.matchAll(LETTER)) {
    if (RTL_LETTER.test(match[0])) counts.rtl += 1;
    else counts.ltr += 1;
  }
  return counts;
}

/**
 * The direction of `text` by the majority of its strong characters (letters), not by the first one: "UNOCT
 * يعقد اجتماعه" is rtl. Returns `undefined` when the text has no letters (only digits, punctuation or spaces);
 * a tie goes to rtl, since a mixed line with as many Arabic as Latin letters is an Arabic sentence quoting a
 * Latin name far more often than the reverse.
 */
export function directionOfText(text: string): TextDirection | undefined {
  const { rtl, ltr } = countStrongCharacters(text);
  if (rtl === 0 && ltr === 0) return undefined;
  return rtl >= ltr ? 'rtl' : 'ltr';
}

/**
 * The direction to lay out one caption line: by its language when known (`lang` is the line's or the channel's
 * language), else by the majority of strong characters, else `fallback`.
 */
export function lineDirection(text: string, lang?: string, fallback: TextDirection = 'ltr'): TextDirection {
  return directionOfLanguage(lang) ?? directionOfText(text) ?? fallback;
}

/** Removes bidi override, embedding and isolate controls and the directional marks, so text cannot flip a layout. */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/**
 * Makes caption text safe to lay out: removes bidi controls, turns other control characters (newlines, tabs,
 * C1 controls, line separators) into spaces, collapses runs of spaces and trims. Zero-width joiners and
 * non-joiners (needed for Arabic and Persian shaping) and no-break spaces are kept.
 */
export function sanitizeCaptionText(text: string): string {
  return stripBidiControls(text)
    .replace(OTHER_CONTROLS, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
