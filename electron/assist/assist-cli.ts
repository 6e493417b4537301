/**
 * `npm run assist -- --glossary terms.csv --booth ru [--lang en]`: the booth assistant on the command line, to
 * check a glossary before an event or to run the assist step over a transcript. Reads floor lines on stdin,
 * `lang<TAB>text` or plain text (in the `--lang` language), and prints one JSON object per input line, in order:
 * `{"numbers":[{"text","value","unit"}],"terms":[{"text","row":{"en","ru","ar"},"equivalent"}],"names":[{"text","acronym"}]}`.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { analyseFloorLine, toAssistRecord } from '../common/assist';
import { GLOSSARY_LANGUAGES, type GlossaryLanguage, type GlossaryTerm } from '../common/glossary';
import { GlossaryMatcher } from '../common/term-matcher';
import { readGlossaryFile } from '../node/glossary-file';

const USAGE = 'usage: npm run assist -- [--glossary terms.csv] [--booth ar|en|ru] [--lang ar|en|ru] < floor-lines';

function die(message: string, code = 1): never {
  process.stderr.write(`assist: ${message}\n`);
  process.exit(code);
}

const isLanguage = (s: string): s is GlossaryLanguage => (GLOSSARY_LANGUAGES as readonly string[]).includes(s);

/** A floor line: `lang<TAB>text` when the first field is a language code, else all text. */
export function splitFloorLine(line: string, defaultLang: string | undefined): { lang: string | undefined; text: string } {
  const tab = line.indexOf('\t');
  if (tab > 0) {
    const lang = line.slice(0, tab).trim().toLowerCase();
    if (/^[a-z]{2}(?:-[a-z0-9]+)?$/.test(lang)) return { lang, text: line.slice(tab + 1) };
  }
  return { lang: defaultLang, text: line };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { glossary: { type: 'string' }, booth: { type: 'string', default: 'en' }, lang: { type: 'string' }, help: { type: 'boolean', default: false } },
    }));
  } catch (err) {
    die(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!isLanguage(values.booth)) die(`--booth must be one of ${GLOSSARY_LANGUAGES.join(', ')} (got ${values.booth})`, 2);
  if (values.lang !== undefined && !isLanguage(values.lang)) die(`--lang must be one of ${GLOSSARY_LANGUAGES.join(', ')} (got ${values.lang})`, 2);
  let terms: GlossaryTerm[] = [];
  if (values.glossary) {
    const read = await readGlossaryFile(values.glossary);
    if (!read.ok) die(read.error.message);
    terms = read.value;
  }
  if (process.stdin.isTTY) process.stderr.write('assist: reading floor lines from the terminal (lang<TAB>text or plain text); Ctrl+D ends\n');
  const glossary = new GlossaryMatcher(terms);
  const booth = values.booth;
  for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const { lang, text } = splitFloorLine(raw, values.lang);
    const record = toAssistRecord(analyseFloorLine(text, { glossary, booth, lang }));
    process.stdout.write(`${JSON.stringify(record)}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
