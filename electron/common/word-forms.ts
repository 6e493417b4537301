/**
 * Words as people say them: folding (case, Arabic letter variants and diacritics, ё), tokenising with original
 * offsets, and the keys under which two inflected forms of one word meet. Two words match when their key sets
 * intersect; the sets are built the same way for a glossary form and for floor text, so the rules need not
 * produce one canonical stem, only a shared one:
 *
 * - English: possessive dropped, British -isation/-programme spellings folded, then the Snowball (Porter2)
 *   English stemmer (plurals, -ing, -ed...).
 * - Russian: the Snowball Russian stemmer, plus the word without one case ending and a fleeting vowel
 *   (беженец/беженцы), since Snowball alone stems nominative and oblique forms of some names apart.
 * - Arabic: proclitics (و ف ب ك ل and ال, لل), pronoun suffixes, sound plurals and duals (ات ون ين ان), ة and the
 *   ت it becomes before a suffix, and the accusative alif (نهرا). Broken plurals are left to the glossary (`|`).
 *
 * Runs anywhere: no DOM, no Node (the stemmers are plain JavaScript).
 */
import { stemmer as englishStemmer } from '@orama/stemmers/english';
import { stemmer as russianStemmer } from '@orama/stemmers/russian';

const ARABIC_DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]/;

/**
 * Folds one character for matching: lower case, Arabic alef and yeh/teh-marbuta variants unified, Russian ё as
 * е, typographic apostrophes as '. Arabic diacritics and tatweel fold to '' (dropped).
 */
export function foldChar(ch: string): string {
  if (ARABIC_DIACRITICS.test(ch)) return '';
  switch (ch) {
    case 'أ':
    case 'إ':
    case 'آ':
    case 'ٱ':
      return 'ا';
    case 'ى':
      return 'ي';
    case 'ة':
      return 'ه';
    case 'ё':
    case 'Ё':
      return 'е';
    case '’':
    case 'ʼ':
    case '‘':
      return "'";
    default:
      return ch.toLowerCase();
  }
}

/** `text` folded character by character (see {@link foldChar}). */
export function fold(text: string): string {
  let out = '';
  for (const ch of text) out += foldChar(ch);
  return out;
}

/** Writing systems a word can be in. */
export type Script = 'latin' | 'cyrillic' | 'arabic' | 'other';

/** A word of a text: `[start, end)` are UTF-16 offsets into the original. */
export interface WordToken {
  /** The word as written. */
  text: string;
  /** {@link fold}ed. */
  folded: string;
  start: number;
  end: number;
  script: Script;
  /** Joined to the previous word by a hyphen with no space ("counter-terrorism", "twenty-seven"). */
  hyphenBefore: boolean;
}

/** A run of letters (with inner apostrophes: "nation's", "O'Neill"), or a run of letters after a hyphen. */
const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;

/** The script of a word, from its first letter. */
export function scriptOf(word: string): Script {
  const c = word.codePointAt(0) ?? 0;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f)) return 'latin';
  if (c >= 0x400 && c <= 0x4ff) return 'cyrillic';
  if ((c >= 0x600 && c <= 0x6ff) || (c >= 0x750 && c <= 0x77f) || (c >= 0xfb50 && c <= 0xfeff)) return 'arabic';
  return 'other';
}

/** The words of a text in order (digits, punctuation and spaces separate words; a hyphen is remembered). */
export function tokenize(text: string): WordToken[] {
  const out: WordToken[] = [];
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    const prev = text[start - 1];
    out.push({
      text: m[0],
      folded: fold(m[0]),
      start,
      end: start + m[0].length,
      script: scriptOf(m[0]),
      hyphenBefore: (prev === '-' || prev === '\u2010' || prev === '\u2011') && out.length > 0 && out[out.length - 1]!.end === start - 1,
    });
  }
  return out;
}

const RUSSIAN_ENDINGS = [
  'ями', 'ами', 'ого', 'его', 'ому', 'ему', 'ыми', 'ими', 'ой', 'ей', 'ий', 'ый', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ым', 'им', 'ом', 'ем',
  'ую', 'юю', 'ых', 'их', 'ам', 'ям', 'ах', 'ях', 'ов', 'ев', 'а', 'я', 'у', 'ю', 'ы', 'и', 'е', 'о', 'ь',
];

function russianKeys(word: string): string[] {
  const keys = new Set<string>([word, russianStemmer(word)]);
  for (const ending of RUSSIAN_ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= 3) {
      keys.add(word.slice(0, -ending.length));
      break;
    }
  }
  // A fleeting vowel: беженец / беженцы, Душанбинец / -нца.
  if (word.endsWith('ец') && word.length >= 5) keys.add(`${word.slice(0, -2)}ц`);
  return [...keys];
}

function englishKeys(word: string): string[] {
  const bare = word
    .replace(/'s$|s'$|'$/, (m) => (m === "s'" ? 's' : ''))
    .replace(/isation/, 'ization')
    .replace(/programme/, 'program')
    .replace(/centre/, 'center');
  return [englishStemmer(bare)];
}

const ARABIC_PROCLITICS = ['وبال', 'وكال', 'وال', 'فال', 'بال', 'كال', 'ولل', 'فلل', 'لل', 'ال', 'وب', 'ول', 'وك', 'فب', 'فل', 'و', 'ف', 'ب', 'ل', 'ك'];
const ARABIC_PRONOUNS = ['هما', 'كما', 'ها', 'هم', 'هن', 'كم', 'كن', 'نا', 'ه', 'ك'];
const ARABIC_NUMBER_SUFFIXES = ['ات', 'ون', 'ين', 'ان', 'تان', 'تين'];

/** Bases of an Arabic word once proclitics are taken off: the word itself and each plausible stripping. */
export function arabicBases(word: string): string[] {
  const bases = [word];
  for (const p of ARABIC_PROCLITICS) {
    if (word.startsWith(p) && word.length - p.length >= 2) bases.push(word.slice(p.length));
  }
  return bases;
}

function arabicKeys(word: string): string[] {
  const keys = new Set<string>();
  for (const base of arabicBases(word)) {
    const stems = new Set<string>([base]);
    // The accusative alif of an indefinite noun: نهرا, عابرا.
    if (base.endsWith('ا') && base.length >= 4) stems.add(base.slice(0, -1));
    for (const s of [...stems]) {
      for (const pr of ARABIC_PRONOUNS) {
        if (s.endsWith(pr) && s.length - pr.length >= 2) {
          const rest = s.slice(0, -pr.length);
          stems.add(rest);
          // ة is written ت before a pronoun: منظمتنا.
          if (rest.endsWith('ت') && rest.length >= 3) stems.add(`${rest.slice(0, -1)}ه`);
        }
      }
    }
    for (const s of [...stems]) {
      for (const suffix of ARABIC_NUMBER_SUFFIXES) {
        if (s.endsWith(suffix) && s.length - suffix.length >= 2) {
          const rest = s.slice(0, -suffix.length);
          stems.add(rest);
          if (rest.endsWith('ت') && rest.length >= 3) stems.add(`${rest.slice(0, -1)}ه`);
        }
      }
    }
    // The feminine ending: منظمة / منظمات meet at منظم.
    for (const s of [...stems]) if (s.endsWith('ه') && s.length >= 3) stems.add(s.slice(0, -1));
    for (const s of stems) if (s.length >= 2) keys.add(s);
  }
  return [...keys];
}

/** The keys of one folded word (see the module comment). Words in other scripts key as themselves. */
export function wordKeys(folded: string, script: Script = scriptOf(folded)): string[] {
  switch (script) {
    case 'latin':
      return englishKeys(folded);
    case 'cyrillic':
      return russianKeys(folded);
    case 'arabic':
      return arabicKeys(folded);
    default:
      return [folded];
  }
}
