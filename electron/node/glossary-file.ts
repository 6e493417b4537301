/** A glossary CSV read from disk for the command-line tools (`npm run assist`, `npm run transcribe`). */
import { readFile } from 'node:fs/promises';
import { parseGlossaryCsv, type GlossaryTerm } from '../common/glossary';
import { fail, type Result } from '../common/result';

/** The terms of the glossary at `path`, or why not, in one line that names the file. */
export async function readGlossaryFile(path: string): Promise<Result<GlossaryTerm[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return fail('GLOSSARY_UNREADABLE', `cannot read the glossary ${path}`);
  }
  const parsed = parseGlossaryCsv(text);
  return parsed.ok ? parsed : fail(parsed.error.code, `glossary ${path}: ${parsed.error.message}`);
}
