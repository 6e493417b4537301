/**
 * Import of a model file from disk (a USB stick at a venue without internet): the file is validated first, then
 * copied under a temporary name into the models folder, validated again there, and renamed into place, so the
 * folder never holds a half-copied model under its final name.
 */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fail, ok, type Result } from '../electron/common/result';
import { validateModelFile, type ModelInfo } from './validate';

/** Options of {@link importModelFile}. */
export interface ImportOptions {
  /** File name in the models folder; default: the source's base name (must end in `.bin`). */
  name?: string;
}

/**
 * Validates `source` and copies it atomically into `modelsDir`. Fails with the `MODEL_*` code of the validation
 * (nothing is copied), or `IMPORT_BAD_NAME` / `IMPORT_COPY_FAILED`.
 */
export async function importModelFile(
  source: string,
  modelsDir: string,
  options: ImportOptions = {},
): Promise<Result<ModelInfo>> {
  const name = options.name ?? path.basename(source);
  if (!/^[\w.-]+\.bin$/.test(name) || name.startsWith('.')) {
    return fail('IMPORT_BAD_NAME', `"${name}" is not a model file name (letters, digits, . - _, ending in .bin).`);
  }
  const checked = await validateModelFile(source);
  if (!checked.ok) return checked;
  const dest = path.join(modelsDir, name);
  const tmp = path.join(modelsDir, `.${name}.import-${process.pid}-${Date.now()}`);
  try {
    await mkdir(modelsDir, { recursive: true });
    await copyFile(source, tmp);
    const copied = await validateModelFile(tmp);
    if (!copied.ok) {
      await rm(tmp, { force: true });
      return fail('IMPORT_COPY_FAILED', `The copy of ${source} is damaged: ${copied.error.message}`);
    }
    await rename(tmp, dest);
    return ok({ ...copied.value, path: dest });
  } catch (error) {
    await rm(tmp, { force: true });
    return fail('IMPORT_COPY_FAILED', `Cannot copy ${source} to ${dest}: ${(error as Error).message}`);
  }
}
