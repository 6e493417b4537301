/** What is in the models folder: every `*.bin`, with its validation result and catalog entry. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorInfo } from '../electron/common/result';
import { catalogEntryForFile, type CatalogModel } from './catalog';
import { validateModelFile, type ModelInfo } from './validate';

/** One file in the models folder. */
export interface InstalledModel {
  file: string;
  path: string;
  /** The catalog entry for this file name, if it is a catalog model. */
  catalog?: CatalogModel;
  /** Set when the file is a valid model. */
  info?: ModelInfo;
  /** Set when it is not (truncated, corrupt, not ggml). */
  error?: ErrorInfo;
}

/** The models folder: `TARJUMAN_MODELS_DIR`, else the repository's `models/` folder. */
export function defaultModelsDir(): string {
  return process.env.TARJUMAN_MODELS_DIR ?? path.dirname(fileURLToPath(import.meta.url));
}

/**
 * Lists the `*.bin` files of `modelsDir` (not partial downloads or imports in progress), each validated.
 * A missing folder lists as empty.
 */
export async function listInstalledModels(modelsDir: string = defaultModelsDir()): Promise<InstalledModel[]> {
  const names = await readdir(modelsDir).catch(() => [] as string[]);
  const files = names.filter((n) => n.endsWith('.bin') && !n.startsWith('.')).sort();
  const out: InstalledModel[] = [];
  for (const file of files) {
    const full = path.join(modelsDir, file);
    const checked = await validateModelFile(full);
    const catalog = catalogEntryForFile(file);
    out.push({
      file,
      path: full,
      ...(catalog ? { catalog } : {}),
      ...(checked.ok ? { info: checked.value } : { error: checked.error }),
    });
  }
  return out;
}
