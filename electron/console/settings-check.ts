/**
 * Settings a person saves are checked for what the schema cannot know, before they take effect: the hub address
 * is written as an origin (`localhost:7300` becomes `http://localhost:7300`; a path or another scheme is refused
 * with what to type), and a model that cannot be found or used is refused when it is saved, not when speech-to-
 * text starts in front of the room.
 */
import type { SettingsPatch } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import { parseHubUrl } from '../common/hub-url';
import type { Result } from '../common/result';

/** The patch as it will be applied, or why it is refused. */
export async function checkSettingsPatch(
  patch: SettingsPatch,
  resolveModel: ((setting: string) => Promise<Result<string>>) | undefined,
): Promise<ConsoleResult<SettingsPatch>> {
  const checked: SettingsPatch = { ...patch };
  if (patch.hubUrl !== undefined) {
    const url = parseHubUrl(patch.hubUrl);
    if (!url.ok) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, url.error.message);
    checked.hubUrl = url.value;
  }
  if (patch.model !== undefined && patch.model.trim() !== '' && resolveModel) {
    const model = await resolveModel(patch.model);
    if (!model.ok) return fail('MODEL_NOT_FOUND', model.error.message);
  }
  return ok(checked);
}
