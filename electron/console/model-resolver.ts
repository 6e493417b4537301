/**
 * Turns the console's `model` setting into a checked ggml file: a path to a file, or a name looked up in the
 * model folders (`<dir>/<name>`, `<dir>/<name>.bin`, `<dir>/ggml-<name>.bin`); empty picks the first model found
 * (base, then tiny, then small, then the generated test model). Every candidate is checked with
 * models/validate.ts before speech-to-text sees it.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { validateModelFile } from '../../models/validate';
import { fail, ok, type Result } from '../common/result';
import { CONSOLE_ERROR_CODES } from '../common/console-api';

const DEFAULT_ORDER = ['base', 'tiny', 'small', 'base.en', 'tiny.en', 'large-v3-turbo', 'test'];

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Builds a `resolveModel` for ConsoleCore over the given model folders (first match wins). */
export function modelResolver(modelDirs: readonly string[]): (setting: string) => Promise<Result<string>> {
  return async (setting) => {
    const candidates: string[] = [];
    const name = setting.trim();
    if (name && (isAbsolute(name) || name.includes('/') || name.includes('\\'))) candidates.push(resolve(name));
    else {
      const names = name ? [name] : DEFAULT_ORDER;
      for (const n of names) for (const dir of modelDirs) candidates.push(join(dir, n), join(dir, `${n}.bin`), join(dir, `ggml-${n}.bin`));
    }
    for (const path of candidates) {
      if (!(await isFile(path))) continue;
      const checked = await validateModelFile(path);
      if (!checked.ok) return fail(CONSOLE_ERROR_CODES.STT_FAILED, `The model ${path} cannot be used: ${checked.error.message}`);
      return ok(path);
    }
    return fail(
      CONSOLE_ERROR_CODES.STT_FAILED,
      name
        ? `No model "${name}" in ${modelDirs.join(', ') || 'the model folders'}.`
        : 'No speech-to-text model is installed: import one in the settings, or run `npm run models:generate` for a test model.',
    );
  };
}
