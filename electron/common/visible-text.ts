/**
 * Whether caption text shows anything. A line of only directional marks (LRM, RLM, ALM), bidi controls,
 * zero-width spaces and joiners, word joiners, byte-order marks or other default-ignorable characters, and
 * white space, draws nothing: a display would keep an empty row on screen. Such text is as empty as "".
 */

/** A character that is drawn: not white space, a control, a format character or a default-ignorable code point. */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

/** Does `text` hold at least one character that is drawn? (Stops at the first: a caption costs next to nothing.) */
export function hasVisibleCharacter(text: string): boolean {
  return VISIBLE.test(text);
}
