/**
 * Whether caption text shows anything. A line of only directional marks (LRM, RLM, ALM), bidi controls,
 * zero-width spaces and joiners, word joiners, byte-order marks or other default-ignorable characters, and
 * white space, draws nothing: a display would keep an empty row on screen. Such text is as empty as "".
 */

/** Characters that draw nothing: white space, controls, format characters and default-ignorable code points. */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** Does `text` hold at least one character that is drawn? */
export function hasVisibleCharacter(text: string): boolean {
  return text.replace(INVISIBLE, '') !== '';
}
