/**
 * The model files the console's settings offer: what its model folders hold (each file checked), and the import
 * of a file from a path on the machine (a USB stick at a venue without internet) into the first folder.
 */
import { basename, resolve } from 'node:path';
import { importModelFile } from '../../models/import';
import { listInstalledModels } from '../../models/installed';
import { describeModel as describeModelInfo, type ModelInfo } from '../../models/validate';
import type { ConsoleModelInfo } from '../common/console-api';
import { modelWork } from '../common/model-choice';
import { CONSOLE_ERROR_CODES, consoleResult, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { ErrorInfo } from '../common/result';
import type { CoreLogger } from './console-context';

/** One line for the settings: what the model is, or why it cannot be used. */
function describeModel(file: string, path: string, info?: ModelInfo, error?: ErrorInfo): ConsoleModelInfo {
  if (!info) return { file, path, valid: false, description: error?.message ?? 'not a usable model' };
  return { file, path, valid: true, description: describeModelInfo(info), work: modelWork(info.hparams), multilingual: info.multilingual, fileBytes: info.fileBytes };
}

/** The model files of `dirs`, each checked; a file name in an earlier folder hides the same name in a later one. */
export async function listConsoleModels(dirs: readonly string[]): Promise<ConsoleResult<ConsoleModelInfo[]>> {
  const seen = new Set<string>();
  const out: ConsoleModelInfo[] = [];
  for (const dir of dirs) {
    for (const m of await listInstalledModels(dir)) {
      if (seen.has(m.file)) continue; // the first folder wins, as in the model lookup
      seen.add(m.file);
      out.push(describeModel(m.file, m.path, m.info, m.error));
    }
  }
  return ok(out);
}

/** Checks the model file at `source` and copies it into the first of `dirs`. */
export async function importConsoleModel(dirs: readonly string[], source: string, logger: CoreLogger): Promise<ConsoleResult<ConsoleModelInfo>> {
  const dir = dirs[0];
  if (!dir) return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'This console has no model folder to import into.');
  const from = resolve(source.trim());
  const result = consoleResult(await importModelFile(from, dir));
  if (!result.ok) return result;
  logger.info('model imported', { from, dir });
  return ok(describeModel(basename(result.value.path), result.value.path, result.value));
}
