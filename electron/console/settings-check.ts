/**
 * Settings a person saves are checked for what the schema cannot know, before they take effect: the hub address
 * is written as an origin (`localhost:7300` becomes `http://localhost:7300`; a path or another scheme is refused
 * with what to type), and a model that cannot be found or used is refused when it is saved, not when speech-to-
 * text starts in front of the room. Platform outputs sent back with their credentials masked (as the page got them)
 * keep the stored ones, and in host mode each must carry a channel of the hosted room: the hosted hub would not start
 * them otherwise. Other rooms to follow (an operator's overview) come without their secrets unless typed: the stored
 * ones are kept; a room listed twice, or also the console's own room, is refused with what to change.
 */
import { restoreOutputCredentials } from '../common/caption-outputs';
import type { Settings, SettingsChange, SettingsPatch, WatchedRoomSetting } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import { parseHubUrl } from '../common/hub-url';
import type { Result } from '../common/result';
import { checkOutputRooms } from '../hub/outputs/hub-outputs';

/** The patch as it will be applied, or why it is refused. */
export async function checkSettingsPatch(
  patch: SettingsPatch,
  current: Readonly<Settings>,
  resolveModel: ((setting: string) => Promise<Result<string>>) | undefined,
): Promise<ConsoleResult<SettingsChange>> {
  const { watchRooms, ...rest } = patch;
  const checked: SettingsChange = { ...rest };
  if (watchRooms !== undefined) checked.watchRooms = resolveWatchRooms(watchRooms, current.watchRooms);
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
  const watching = checkWatchRooms(patch, next);
  if (watching) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, watching);
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

/** Followed rooms as saved: a secret not typed keeps the stored one of that room, the mutes are always the stored ones. */
function resolveWatchRooms(rooms: NonNullable<SettingsPatch['watchRooms']>, stored: readonly WatchedRoomSetting[]): WatchedRoomSetting[] {
  return rooms.map((entry) => {
    if ('mutedChannels' in entry) return { ...entry, mutedChannels: [...entry.mutedChannels] };
    const before = stored.find((w) => w.room === entry.room);
    return { room: entry.room, secret: entry.secret ?? before?.secret ?? '', mutedChannels: [...(before?.mutedChannels ?? [])] };
  });
}

/** What is wrong with the rooms to follow after this change, in words; null when nothing is. */
function checkWatchRooms(patch: SettingsPatch, next: Readonly<Settings>): string | null {
  if (patch.watchRooms === undefined && patch.room === undefined) return null;
  const rooms = next.watchRooms.map((w) => w.room);
  if (rooms.includes(next.room)) return `${next.room} is this console's own room and also among the other rooms to follow: remove it from the list.`;
  const twice = rooms.find((room, i) => rooms.indexOf(room) !== i);
  if (twice) return `${twice} is listed twice among the rooms to follow.`;
  if (patch.watchRooms === undefined || rooms.length === 0) return null;
  if (next.role !== 'operator') return 'Only an operator console follows other rooms: set the role to Operator, or leave the list empty.';
  if (next.hubMode !== 'join') return "Other rooms are followed on a hub this console joins: a hosted hub has this console's room only.";
  return null;
}
