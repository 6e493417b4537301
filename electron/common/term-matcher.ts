/**
 * Finds glossary terms in floor text the way people say them: every word of a term in order, each word in any
 * inflection (`word-forms.ts`), hyphenated words written with a hyphen, a space or together, any of a cell's
 * `|` forms, and an acronym in brackets on its own. Acronyms match case-sensitively ("RATS", not "rats"), with
 * an English plural or possessive ("SDGs", "SCO's").
 *
 * Overlaps resolve to the longest match (in words), then the earliest; a full name followed by its acronym in
 * brackets is one match. The glossary is indexed by the keys of each term's first word, so a line costs one
 * lookup per word whatever the glossary's size.
 *
 * Runs anywhere: no DOM, no Node.
 */
import { GLOSSARY_LANGUAGES, termForms, type GlossaryLanguage, type GlossaryTerm } from './glossary';
import { fold, scriptOf, tokenize, wordKeys, type WordToken } from './word-forms';

/** A term found in a text: `[start, end)` are UTF-16 offsets into the original text. */
export interface GlossaryMatch {
  start: number;
  end: number;
  /** The glossary row the match belongs to. */
  term: GlossaryTerm;
  /** Which language of the row matched. */
  lang: GlossaryLanguage;
  /** The acronym alone was said ("SCO"), not the full name. */
  viaAcronym: boolean;
}

/** One word of a prepared form: matched by key intersection, or (acronyms) by exact letters. */
type PatternWord = { keys: ReadonlySet<string> } | { exact: string };

interface Pattern {
  words: PatternWord[];
  term: GlossaryTerm;
  lang: GlossaryLanguage;
  viaAcronym: boolean;
  /** Characters of the form, to break ties between patterns of equal word count. */
  length: number;
}

const isUpper = (s: string): boolean => s === s.toUpperCase() && s !== s.toLowerCase();

/** The word sequences a form may be said as: hyphenated words split (the tokenizer splits them) and joined. */
function variants(tokens: WordToken[]): string[][] {
  const split = tokens.map((t) => t.folded);
  const joined: string[] = [];
  for (const t of tokens) {
    if (t.hyphenBefore && joined.length > 0) joined[joined.length - 1] += t.folded;
    else joined.push(t.folded);
  }
  return joined.length === split.length ? [split] : [split, joined];
}

function acronymPattern(acronym: string, term: GlossaryTerm, lang: GlossaryLanguage): Pattern | null {
  const tokens = tokenize(acronym);
  if (tokens.length === 0) return null;
  const words: PatternWord[] = tokens.map((t) => (isUpper(t.text.replace(/s$/, '')) ? { exact: t.text.replace(/s$/, '') } : { keys: new Set(wordKeys(t.folded, t.script)) }));
  return { words, term, lang, viaAcronym: true, length: acronym.length };
}

/**
 * The glossary prepared for matching. Build once per glossary (the console rebuilds it when the glossary
 * changes); `match` is then cheap enough to run on every partial line.
 */
export class GlossaryMatcher {
  private readonly byFirstKey = new Map<string, Pattern[]>();
  private readonly byFirstExact = new Map<string, Pattern[]>();

  /** Number of glossary rows. */
  readonly size: number;

  constructor(readonly terms: readonly GlossaryTerm[]) {
    this.size = terms.length;
    for (const term of terms) {
      for (const lang of GLOSSARY_LANGUAGES) {
        for (const form of termForms(term[lang])) {
          const tokens = tokenize(form.name);
          // A one-word all-capitals name ("UNESCO", "ООН") is an acronym: matched by its letters.
          if (tokens.length === 1 && tokens[0]!.text.length >= 2 && isUpper(tokens[0]!.text)) {
            const p = acronymPattern(form.name, term, lang);
            if (p) this.add({ ...p, viaAcronym: false });
          } else if (tokens.length > 0 && fold(form.name).replace(/[^\p{L}]/gu, '').length >= 2) {
            for (const seq of variants(tokens)) {
              const words = seq.map((w): PatternWord => ({ keys: new Set(wordKeys(w, scriptOf(w))) }));
              this.add({ words, term, lang, viaAcronym: false, length: form.name.length });
            }
          }
          if (form.acronym) {
            const p = acronymPattern(form.acronym, term, lang);
            if (p) this.add(p);
          }
        }
      }
    }
  }

  /** All non-overlapping term occurrences in `text`, in order. */
  match(text: string): GlossaryMatch[] {
    if (this.size === 0 || text.length === 0) return [];
    const tokens = tokenize(text);
    const keys = tokens.map((t) => new Set(wordKeys(t.folded, t.script)));
    const found: { first: number; last: number; pattern: Pattern }[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const candidates = new Set<Pattern>(this.byFirstExact.get(acronymLetters(tokens[i]!.text)) ?? []);
      for (const k of keys[i]!) for (const p of this.byFirstKey.get(k) ?? []) candidates.add(p);
      for (const p of candidates) {
        if (i + p.words.length > tokens.length) continue;
        let matched = true;
        for (let w = 0; w < p.words.length && matched; w++) {
          const token = tokens[i + w]!;
          // Words of a term are adjacent: only spaces or a hyphen between them, no punctuation.
          if (w > 0 && !/^[\s\-\u2010\u2011]*$/u.test(text.slice(tokens[i + w - 1]!.end, token.start))) matched = false;
          else matched = wordMatches(p.words[w]!, token, keys[i + w]!);
        }
        if (matched) found.push({ first: i, last: i + p.words.length - 1, pattern: p });
      }
    }
    found.sort((a, b) => b.last - b.first - (a.last - a.first) || b.pattern.length - a.pattern.length || a.first - b.first);
    const taken: boolean[] = [];
    const chosen: typeof found = [];
    for (const f of found) {
      let free = true;
      for (let k = f.first; k <= f.last; k++) if (taken[k]) free = false;
      if (!free) continue;
      for (let k = f.first; k <= f.last; k++) taken[k] = true;
      chosen.push(f);
    }
    chosen.sort((a, b) => a.first - b.first);
    const result: GlossaryMatch[] = [];
    for (const c of chosen) {
      const start = tokens[c.first]!.start;
      const end = tokens[c.last]!.end;
      const prev = result[result.length - 1];
      // "Shanghai Cooperation Organisation (SCO)": the acronym in brackets joins the full name's match.
      if (prev && prev.term === c.pattern.term && c.pattern.viaAcronym && /^\s*\($/.test(text.slice(prev.end, start))) {
        prev.end = text[end] === ')' ? end + 1 : end;
        continue;
      }
      result.push({ start, end, term: c.pattern.term, lang: c.pattern.lang, viaAcronym: c.pattern.viaAcronym });
    }
    return result;
  }

  /**
   * Rows for a search box: every row when the query is empty; otherwise rows where a form contains the query
   * (folded: case, ё, Arabic letter variants), or where each query word matches a word of a form in any
   * inflection ("декларации" finds "Ташкентская декларация"). Rows containing the query come first.
   */
  search(query: string): GlossaryTerm[] {
    const q = fold(query.trim());
    if (!q) return [...this.terms];
    const queryWords = tokenize(query).map((t) => new Set(wordKeys(t.folded, t.script)));
    const contains: GlossaryTerm[] = [];
    const inflected: GlossaryTerm[] = [];
    for (const term of this.terms) {
      const cells = GLOSSARY_LANGUAGES.map((l) => term[l] ?? '').filter(Boolean);
      if (cells.some((c) => fold(c).includes(q))) {
        contains.push(term);
        continue;
      }
      if (queryWords.length === 0) continue;
      const words = cells.flatMap((c) => tokenize(c).map((t) => wordKeys(t.folded, t.script)));
      if (queryWords.every((qk) => words.some((keys) => keys.some((k) => qk.has(k))))) inflected.push(term);
    }
    return [...contains, ...inflected];
  }

  private add(p: Pattern): void {
    const first = p.words[0]!;
    if ('exact' in first) push(this.byFirstExact, first.exact, p);
    else for (const k of first.keys) push(this.byFirstKey, k, p);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** An acronym as written in text, without an English plural or possessive: "SDGs" -> "SDG", "SCO's" -> "SCO". */
function acronymLetters(word: string): string {
  return word.replace(/['’]s$/, '').replace(/(?<=\p{Lu})s$/u, '');
}

function wordMatches(p: PatternWord, token: WordToken, keys: ReadonlySet<string>): boolean {
  if ('exact' in p) return acronymLetters(token.text) === p.exact;
  for (const k of keys) if (p.keys.has(k)) return true;
  return false;
}
