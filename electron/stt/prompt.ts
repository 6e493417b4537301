/**
 * The initial prompt of a pass: glossary terms of the event (names, organisations, acronyms; parsed by
 * `electron/common/glossary.ts`) plus the recently committed text. Whisper conditions on at most 224 prompt
 * tokens; the prompt is kept under a conservative estimate of that.
 */
import { GLOSSARY_LANGUAGES, promptWords, type GlossaryLanguage, type GlossaryPromptCarry, type GlossaryTerm } from '../common/glossary';
import type { SttSourceLanguage, SttTask } from '../common/stt-protocol';

/**
 * A conservative estimate of whisper (byte-level BPE) tokens: about 3 ASCII characters per token, and one
 * token per non-ASCII character (real Arabic and Cyrillic text averages 2-3 characters per token).
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

/**
 * The glossary terms that help a source: its own language; all three for `auto`; plus English for translate. A form
 * whose words all stand, in order, inside a longer form of the same row is left out (`Tokayev` beside `Kassym-Jomart
 * Tokayev`): the longer one already gives whisper its spelling, and every prompt token is decoded again in every pass.
 */
export function termsFor(glossary: readonly GlossaryTerm[], language: SttSourceLanguage, task: SttTask): string[] {
  return [...eachTerm(glossary, language, task)];
}

/** {@link termsFor}'s terms one at a time: a prompt takes the first few of a glossary of up to 5,000 rows. */
function* eachTerm(glossary: readonly GlossaryTerm[], language: SttSourceLanguage, task: SttTask): Generator<string> {
  const langs: GlossaryLanguage[] = language === 'auto' ? ['en', 'ru', 'ar'] : [language];
  if (task === 'translate' && !langs.includes('en')) langs.push('en');
  const seen = new Set<string>();
  for (const term of glossary) {
    const forms = [...new Set(langs.flatMap((lang) => promptWords(term[lang])))];
    for (const t of forms) {
      if (seen.has(t) || forms.some((other) => other.length > t.length && containsWords(other, t))) continue;
      seen.add(t);
      yield t;
    }
  }
}

/** True when `words` stands in `text` as whole words (case-insensitive): not inside a longer word. */
export function containsWords(text: string, words: string): boolean {
  const hay = text.toLocaleLowerCase();
  const needle = words.toLocaleLowerCase();
  if (needle === '') return false;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    if (!WORD_CHAR.test(hay.charAt(at - 1)) && !WORD_CHAR.test(hay.charAt(at + needle.length))) return true;
  }
  return false;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** Inputs of `buildInitialPrompt`. */
export interface PromptInput {
  /** Recently committed text of the stream (only its tail is used). */
  committedText: string;
  glossary: readonly GlossaryTerm[];
  language: SttSourceLanguage;
  task: SttTask;
  /** Token budget (whisper's limit is 224; default 200 leaves room for the estimate's error). */
  maxTokens?: number;
  /** Characters of committed text carried over (default 200). */
  carryChars?: number;
  /** Share of the budget the glossary may take (default 0.6). */
  glossaryShare?: number;
}

/**
 * The initial prompt: glossary terms (as many as fit their share of the budget, in file order) then the tail of
 * the committed text (cut at a word boundary), which sits next to the audio being decoded. A term the carried text
 * already says is not repeated before it.
 */
export function buildInitialPrompt(input: PromptInput): string {
  return promptText(initialPromptParts(input));
}

/** The prompt of {@link initialPromptParts}' parts. */
export function promptText(parts: { terms: readonly string[]; carry: string }): string {
  return [glossaryText(parts.terms), parts.carry].filter(Boolean).join(' ');
}

/** The two parts of {@link buildInitialPrompt}: the glossary terms it carries and the committed text after them. */
export function initialPromptParts(input: PromptInput): { terms: string[]; carry: string } {
  const maxTokens = input.maxTokens ?? 200;
  const carryChars = input.carryChars ?? 200;
  const terms = promptTerms(input);
  let carry = input.committedText.replace(/\s+/g, ' ').trim();
  if (carry.length > carryChars) {
    carry = carry.slice(carry.length - carryChars);
    const space = carry.indexOf(' ');
    carry = space >= 0 ? carry.slice(space + 1) : carry;
  }
  const budgetLeft = maxTokens - estimateTokens(glossaryText(terms)) - 1;
  while (carry.length > 0 && estimateTokens(carry) > budgetLeft) {
    const space = carry.indexOf(' ');
    carry = space >= 0 ? carry.slice(space + 1) : '';
  }
  return { terms: terms.filter((term) => !containsWords(carry, term)), carry };
}

/** The glossary terms a prompt carries: as many as fit their share of the budget, in file order. */
function promptTerms(input: Omit<PromptInput, 'committedText'>): string[] {
  const glossaryBudget = Math.floor((input.maxTokens ?? 200) * (input.glossaryShare ?? 0.6));
  const terms: string[] = [];
  let used = 0;
  for (const term of eachTerm(input.glossary, input.language, input.task)) {
    const cost = estimateTokens(term) + 1;
    if (used + cost > glossaryBudget) break;
    terms.push(term);
    used += cost;
  }
  return terms;
}

/**
 * How many rows of `glossary` (in file order) a transcribing stream of `language` carries in its prompt at the
 * normal budget (fewer when the machine falls behind): the rest are matched on the rail but never bias whisper.
 */
export function promptGlossaryRows(glossary: readonly GlossaryTerm[], language: GlossaryLanguage): number {
  const carried = new Set(promptTerms({ glossary, language, task: 'transcribe' }));
  return glossary.filter((row) => promptWords(row[language]).some((form) => carried.has(form))).length;
}

/** Each glossary language whose rows do not all fit a prompt (see {@link GlossaryPromptCarry}). */
export function glossaryPromptShortfall(glossary: readonly GlossaryTerm[]): GlossaryPromptCarry[] {
  return GLOSSARY_LANGUAGES.map((lang) => ({
    lang,
    rows: promptGlossaryRows(glossary, lang),
    of: glossary.filter((row) => (row[lang] ?? '') !== '').length,
  })).filter((c) => c.rows < c.of);
}

function glossaryText(terms: readonly string[]): string {
  return terms.length > 0 ? `${terms.join(', ')}.` : '';
}
