/**
 * The languages Tarjuman knows by name, once: the event's caption languages, the choices speech-to-text takes,
 * and the test for a channel named after its language. No zod here: the display bundle imports it.
 */

/** The languages of a room's caption channels by default (Arabic, English, Russian). */
export const CAPTION_LANGUAGES = ['ar', 'en', 'ru'] as const;
export type CaptionLanguage = (typeof CAPTION_LANGUAGES)[number];

/** What speech-to-text may be told to expect: one of the caption languages, or `auto` (detect per line). */
export const STT_LANGUAGE_CHOICES = [...CAPTION_LANGUAGES, 'auto'] as const;
export type SttLanguageChoice = (typeof STT_LANGUAGE_CHOICES)[number];

/** Is `value` a two-letter ISO 639-1 code (a language channel such as `ar`, a detected language)? */
export function isLanguageCode(value: string | undefined | null): value is string {
  return typeof value === 'string' && /^[a-z]{2}$/.test(value);
}
