/**
 * What the hub does to caption text before any display sees it.
 *
 * - Text over {@link MAX_TEXT_LENGTH} UTF-16 code units is refused (`TEXT_TOO_LONG`), checked first so a huge
 *   string costs nothing more.
 * - A lone surrogate (invalid UTF-16, which cannot be encoded as UTF-8) is refused (`INVALID_PAYLOAD`).
 * - Bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) are removed, so a caption
 *   cannot flip the direction of the line or of what follows it; the display sets each line's direction
 *   itself. The plain marks LRM, RLM and ALM (U+200E, U+200F, U+061C) are kept: they only nudge neutral
 *   characters and are legitimate in mixed Arabic/Latin text.
 * - C0/C1 control characters other than newline and tab are removed (`\r\n` and `\r` become `\n`); they have
 *   no meaning in a caption and would corrupt the SRT/WebVTT exports. Everything else is kept exactly as given:
 *   displays always render caption text as text, never as HTML.
 */
import { ERROR_CODES, type ErrorCode, MAX_TEXT_LENGTH } from '../common/protocol';
import { fail, ok, type Result } from '../common/result';

// eslint-disable-next-line no-control-regex
const STRIPPED = /[\u202A-\u202E\u2066-\u2069\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks and cleans a caption (or notice) text as described in the module comment.
 * @param maxLength longest accepted text, in UTF-16 code units
 */
export function cleanCaptionText(text: string, maxLength: number = MAX_TEXT_LENGTH): Result<string, ErrorCode> {
  if (text.length > maxLength) {
    return fail(ERROR_CODES.TEXT_TOO_LONG, `text is ${text.length} characters; the limit is ${maxLength}`);
  }
  if (LONE_SURROGATE.test(text)) {
    return fail(ERROR_CODES.INVALID_PAYLOAD, 'text is not valid Unicode (lone surrogate)');
  }
  return ok(strip(text));
}

function strip(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(STRIPPED, '');
}

/**
 * Where the settled start of a partial (its first `stableChars` characters, see `PublishLine.stableChars`) ends in
 * the cleaned text: the characters {@link cleanCaptionText} removes from that start no longer count. Never splits
 * a surrogate pair; undefined when nothing is settled.
 */
export function cleanedStableChars(text: string, stableChars: number | undefined): number | undefined {
  if (!stableChars) return undefined;
  let end = Math.min(stableChars, text.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return strip(text.slice(0, end)).length || undefined;
}
