/**
 * Settings a person saves are checked for what the schema cannot know, before they take effect: the hub address
 * is written as an origin (`localhost:7300` becomes `http://localhost:7300`; a path or another scheme is refused
 * with what to type), and a model that cannot be found or used is refused when it is saved, not when speech-to-
 * text starts in front of the room. Platform outputs sent back with their credentials masked (as the page got them)
 * keep the stored ones, and in host mode each must carry a channel of the hosted room: the hosted hub would not start
 * them otherwise.
 */
import { restoreOutputCredentials } from '../common/caption-outputs';
import type { Settings, SettingsPatch } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import { parseHubUrl } from '../common/hub-url';
import type { Result } from '../common/result';
import { checkOutputRooms } from '../hub/outputs/hub-outputs';

/** The patch as it will be applied, or why it is refused. */
export async function checkSettingsPatch(
  patch: SettingsPatch,
  current: Readonly<Settings>,
  resolveModel: ((setting: string) => Promise<Result<string>>) | undefined,
): Promise<ConsoleResult<SettingsPatch>> {
  const checked: SettingsPatch = { ...patch };
  if (patch.outputs !== undefined) {
    const outputs = restoreOutputCredentials(patch.outputs, current.outputs);
    if (!outputs.ok) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, outputs.error.message);
    checked.outputs = outputs.value;
  }
  const next = { ...current, ...checked };
  const hostingChanged = ['outputs', 'room', 'hostChannels', 'hubMode'].some((k) => k in patch);
  if (hostingChanged && next.hubMode === 'host') {
    const mismatch = checkOutputRooms(next.outputs, [{ id: next.room, channels: next.hostChannels }]);
    if (mismatch) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, `Platform outputs: ${mismatch}`);
  }
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
