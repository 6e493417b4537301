/**
 * Names in a floor line that the glossary does not know: runs of capitalised Latin or Cyrillic words ("Maria
 * Sanchez", "Организация Объединённых Наций") and acronyms ("UN", "ООН"). Arabic has no capitals: Arabic names
 * come from the glossary only.
 *
 * Runs anywhere: no DOM, no Node.
 */
import { monthWord } from './number-words';
import { fold } from './word-forms';

/** A name or acronym: `[start, end)` are UTF-16 offsets. */
export interface NameMention {
  start: number;
  end: number;
  text: string;
  /** All capitals ("OSCE", "ООН"). */
  acronym: boolean;
}

/** A capitalised Latin or Cyrillic word (with inner hyphens or apostrophes: "Jean-Claude", "O'Neill"). */
const CAPITALISED = /[A-ZА-ЯЁ][\p{Ll}\p{Lu}]*(?:[-'’][\p{Lu}\p{Ll}][\p{Ll}\p{Lu}]*)*/gu;
const LETTER = /[\p{L}\p{M}\p{N}]/u;
/** Function words that are capitalised only because they start a sentence ("The Secretary-General said"). */
const SENTENCE_STARTERS = new Set(
  (
    'the a an this that these those in on at for from to and but or if as so we our it its my i you he she they there here ' +
    'what when where why how today yesterday let let\'s please thank mr mrs ms dr ' +
    'в на и но а мы наш это этот эта эти для по с к о от из как что когда где сегодня я вы он она они там здесь'
  ).split(' '),
);

/**
 * Names: runs of capitalised words and acronyms. A single capitalised word that starts a sentence is not a name
 * by that alone, and neither are English "I" and month names.
 */
export function findNames(text: string): NameMention[] {
  const words: { start: number; end: number; acronym: boolean; sentenceStart: boolean }[] = [];
  for (const m of text.matchAll(CAPITALISED)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > 0 && LETTER.test(text[start - 1]!)) continue; // inside a word ("iPhone")
    if (end < text.length && LETTER.test(text[end]!)) continue;
    const letters = m[0].replace(/[-'’]/g, '');
    if (letters.length === 1) continue;
    if (monthWord(fold(m[0])) !== null) continue;
    const acronym = letters === letters.toUpperCase();
    const before = text.slice(0, start).trimEnd();
    const sentenceStart = before === '' || /[.!?…:;"«“(—–-]$/.test(before);
    words.push({ start, end, acronym, sentenceStart });
  }
  const marks: NameMention[] = [];
  let i = 0;
  while (i < words.length) {
    let j = i;
    // Capitalised words separated only by spaces form one name.
    while (j + 1 < words.length && /^[ \u00a0]+$/.test(text.slice(words[j]!.end, words[j + 1]!.start))) j++;
    let first = words[i]!;
    while (first.sentenceStart && i < j && SENTENCE_STARTERS.has(text.slice(first.start, first.end).toLowerCase())) {
      i++;
      first = { ...words[i]!, sentenceStart: false };
    }
    const multi = j > i;
    // A lone sentence-initial capitalised word is not marked: it is capitalised because it starts the sentence.
    if (multi || first.acronym || !first.sentenceStart) {
      const last = words[j]!;
      const acronym = !multi && first.acronym;
      marks.push({ start: first.start, end: last.end, text: text.slice(first.start, last.end), acronym });
    }
    i = j + 1;
  }
  return marks;
}
