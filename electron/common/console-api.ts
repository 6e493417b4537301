/**
 * The booth console API: the one typed boundary between the console page (renderer) and the console core
 * (Node). In the app it is the preload bridge (`window.tarjuman`); in tests and in a browser-only console on a
 * venue server it is the same API over a socket.io connection to the same core (see console-api-socket.ts).
 *
 * Every request returns `Promise<ConsoleResult<T>>` (errors as values with a typed `code`), except `pushAudio`,
 * which is fire-and-forget. Every request's arguments are parsed with `consoleRequestSchemas` where they arrive
 * (console-api-dispatch.ts, used by the IPC handler and the socket server), never trusted by type alone; the
 * core's methods take the parsed values. The schemas are typed against {@link ConsoleApi}, so the compiler checks
 * that contract and schemas agree.
 *
 * A little over 500 lines: the contract is one file on purpose, each method's types beside its schema, so that a
 * change to the boundary is read and reviewed in one place.
 */
import { z } from 'zod';
import { outputConfigListSchema, type OutputStatus } from './caption-outputs';
import { STT_LANGUAGE_CHOICES } from './languages';
import { idSchema, nameSchema } from './ids';
import { EXPORT_FORMATS, type ExportFormat } from './subtitles';
import type { ConsoleError, ConsoleResult } from './console-api-result';
import { MAX_GLOSSARY_TERMS, storedGlossaryTermSchema, type GlossaryPromptCarry } from './glossary';
import { CAPTION_SOURCES } from './protocol';
import type { ChannelChange, Notice, PartialUpdate, SubscribeResult } from './protocol';
import { STT_COMMIT_RULES, type SttModelRun, type SttRealtime } from './stt-protocol';
import type { BoothMember, HandoverKind } from './booth-relay';
import type { ConsoleAlert } from './console-alerts';
import type { JoinDetails } from './join-link';

export type { BoothMember, HandoverKind } from './booth-relay';

/** Where speech-to-text listens: the floor feed, or the interpreter's own microphone. */
export const STT_SOURCES = ['floor', 'voice'] as const;
export type SttSourceKind = (typeof STT_SOURCES)[number];

/** A fixed language for a source, or `auto` to detect per segment. */
export const CONSOLE_STT_LANGUAGES = STT_LANGUAGE_CHOICES;
export type ConsoleSttLanguage = (typeof CONSOLE_STT_LANGUAGES)[number];

/** `host`: this console runs the hub embedded; `join`: it connects to a hub elsewhere. */
export const HUB_MODES = ['host', 'join'] as const;
export type HubMode = (typeof HUB_MODES)[number];

/** Publishing roles a console can take (displays are browsers, not consoles). */
export const CONSOLE_ROLES = ['booth', 'operator'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Export formats of the session record (the one subtitle writer's). */
export { EXPORT_FORMATS, type ExportFormat };

/** Longest review window of voice lines, ms. */
export const MAX_VOICE_REVIEW_MS = 10_000;

const lineIdSchema = idSchema;

/** Most other rooms an operator console follows besides its own (one jump key each: Alt+Shift+1…9). */
export const MAX_WATCHED_ROOMS = 9;

/**
 * Another room of the same hub that an operator console follows at a glance (settings). `secret` is that room's
 * secret, or empty to present the console's own room secret (rooms of one event often share it); it is write-only
 * like the console's own. `mutedChannels`: the channels this operator muted in that room while it was the active
 * one, asserted again whenever the monitor link (re)connects, so a hub restart does not unmute them.
 */
export const watchedRoomSettingSchema = z.strictObject({
  room: nameSchema,
  secret: z.string().max(256),
  mutedChannels: z.array(nameSchema).max(16),
});
export type WatchedRoomSetting = z.infer<typeof watchedRoomSettingSchema>;

/**
 * A followed room as the page saves it: the secret omitted keeps the stored one (matched by room name), `''` uses
 * the console's own room secret; the mutes are the console's (kept).
 */
export const watchedRoomPatchSchema = z.strictObject({
  room: nameSchema,
  secret: z.string().max(256).optional(),
});
export type WatchedRoomPatch = z.infer<typeof watchedRoomPatchSchema>;

/** A followed room as the page sees it in the settings: no secret, whether one is stored. */
export interface PublicWatchedRoom {
  room: string;
  hasSecret: boolean;
  mutedChannels: string[];
}

export type { GlossaryTerm } from './glossary';

/**
 * Everything the console persists (JSON in its data dir). `secret` and `hostSecret` are stored but never logged
 * and never part of what the page gets: `getState` gives `PublicSettings` with `hasSecret` / `hasHostSecret`
 * instead. The host console hands its room secret out on purpose only, through `getJoinDetails`.
 */
export const settingsSchema = z.strictObject({
  /** Host the hub embedded, or join one elsewhere. */
  hubMode: z.enum(HUB_MODES),
  /** Join mode: the hub's base URL, e.g. `http://192.168.1.20:4000`. */
  hubUrl: z.string().max(500),
  /** Host mode: TCP port of the embedded hub (0 = any free port). */
  hostPort: z.number().int().min(0).max(65535),
  /** Host mode: address to listen on (`0.0.0.0` so displays on the venue network can connect). */
  hostAddress: z.string().min(1).max(100),
  /** The room's channels (`floor` plus one per language): hosted as such, and the operator view's columns. */
  hostChannels: z.array(nameSchema).min(1).max(16),
  room: nameSchema,
  role: z.enum(CONSOLE_ROLES),
  /** A booth's own channel (`ar`, `en`, `ru`...); ignored for an operator. */
  channel: nameSchema,
  /** Join mode: the joined room's secret or channel PIN. Write-only from the page's point of view. */
  secret: z.string().max(256),
  /**
   * Host mode: the hosted room's secret (generated at the first hosting when empty). Kept apart from `secret`, so
   * a console that hosted never presents its own room's secret to a hub it joins.
   */
  hostSecret: z.string().max(256),
  /** Human label of this console ("Arabic booth A"), shown in handover prompts. */
  label: z.string().max(80),
  /** Audio input device ids chosen in the page (MediaDeviceInfo.deviceId), or null for the default. */
  floorDeviceId: z.string().max(500).nullable(),
  voiceDeviceId: z.string().max(500).nullable(),
  /** Language of each speech-to-text source. */
  floorLanguage: z.enum(CONSOLE_STT_LANGUAGES),
  voiceLanguage: z.enum(CONSOLE_STT_LANGUAGES),
  /** Whisper model: a path to a ggml file, or a catalog name; empty = the default. */
  model: z.string().max(1000),
  /**
   * When a speech-to-text word becomes final (`StreamTuning.commit`): `agreement` (two passes agree, the default)
   * or `one-pass` (faster on a machine that does not keep up with the model; judge its accuracy on your model first).
   * Applies from the next start of a source.
   */
  sttCommit: z.enum(STT_COMMIT_RULES),
  /** Glossary terms (highlighting, speech-to-text prompt). */
  glossary: z.array(storedGlossaryTermSchema).max(MAX_GLOSSARY_TERMS),
  /** Operator: floor finals also go to the channel of the detected language (when the room has it). */
  autoRouting: z.boolean(),
  /** Operator: channels whose outgoing lines are held (not sent) while muted. */
  mutedChannels: z.array(nameSchema).max(16),
  /** Voice lines wait this long (ms) before going out; 0 = immediately. */
  voiceReviewMs: z.number().int().min(0).max(MAX_VOICE_REVIEW_MS),
  /** Publish floor speech-to-text finals to the `floor` channel (off: transcript only, for the interpreter). */
  publishFloor: z.boolean(),
  /** Channels whose typed lines go out on Enter only (no live partial while the interpreter types). */
  enterOnlyChannels: z.array(nameSchema).max(16),
  /**
   * Host mode: the hosted hub's platform outputs (YouTube, Zoom, Teams, OBS, live files), as in a hub config file.
   * Their credentials are write-only: the page gets them masked (`redactOutputCredentials`), and a masked value
   * sent back keeps the stored one.
   */
  outputs: outputConfigListSchema,
  /**
   * Operator, join mode: other rooms of the same hub followed at a glance (who is on air, last line age, mutes,
   * the link's state), each a jump away from being the active room. In the order of their jump keys.
   */
  watchRooms: z.array(watchedRoomSettingSchema).max(MAX_WATCHED_ROOMS),
});
export type Settings = z.infer<typeof settingsSchema>;

/** Settings as the page sees them: no secrets, just whether each is set; output credentials masked. */
export type PublicSettings = Omit<Settings, 'secret' | 'hostSecret' | 'watchRooms'> & { hasSecret: boolean; hasHostSecret: boolean; watchRooms: PublicWatchedRoom[] };

/**
 * A change to settings; `secret: ''` clears the secret (`hostSecret: ''`: a new one at the next hosting). Unknown keys
 * are refused. Followed rooms come as {@link watchedRoomPatchSchema} (secrets write-only); the core resolves them.
 */
export const settingsPatchSchema = settingsSchema.partial().extend({
  watchRooms: z.array(z.union([watchedRoomSettingSchema, watchedRoomPatchSchema])).max(MAX_WATCHED_ROOMS).optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** A change as the core applies it: every value complete (a followed room with its secret and mutes). */
export const settingsChangeSchema = settingsSchema.partial();
export type SettingsChange = z.infer<typeof settingsChangeSchema>;

/** Defaults of a fresh console. */
export const DEFAULT_SETTINGS: Settings = {
  hubMode: 'host',
  hubUrl: 'http://127.0.0.1:7300',
  hostPort: 7300,
  hostAddress: '0.0.0.0',
  hostChannels: ['floor', 'ar', 'en', 'ru'],
  room: 'main',
  role: 'booth',
  channel: 'en',
  secret: '',
  hostSecret: '',
  label: '',
  floorDeviceId: null,
  voiceDeviceId: null,
  floorLanguage: 'auto',
  voiceLanguage: 'en',
  model: '',
  sttCommit: 'agreement',
  glossary: [],
  autoRouting: false,
  mutedChannels: [],
  voiceReviewMs: 1500,
  publishFloor: true,
  enterOnlyChannels: [],
  outputs: [],
  watchRooms: [],
};

/** Connection to the hub as the page shows it. */
export interface HubStatus {
  mode: HubMode;
  state: 'disconnected' | 'connecting' | 'connected' | 'error';
  /** The hub's base URL (join) or this machine's local hub URL (host); null while down. */
  url: string | null;
  /** Round trip of the last ping (ack), ms; null before the first. */
  latencyMs: number | null;
  /** Why the last attempt failed (e.g. `AUTH_BAD_SECRET`, `HUB_UNREACHABLE`, `HOST_FAILED`). */
  error: ConsoleError | null;
  /**
   * Host mode: the hub's start page on each LAN address of this machine (first = preferred); it lists the
   * room's display links, so one QR code serves every channel.
   */
  displayUrls: string[];
  /** Host mode: a QR code of the room's phone page on the first LAN address (`phoneUrl`), as a `data:image/svg+xml` URL. */
  qrDataUrl: string | null;
  /** Host mode: the display page of each channel on the first LAN address (`/display?room=..&channels=..`). */
  displayLinks: Record<string, string>;
  /** Lines published but not yet acknowledged by the hub (resent after a reconnect). */
  outboxPending: number;
  /** Whether what this console sends reaches the hub now (what ON AIR must not hide). */
  delivery: DeliveryStatus;
  /**
   * Room displays watching each channel of the room, as the hub counted them at the last ping (the consoles' own
   * room views are not counted); null before the first answer or from a hub that does not count.
   */
  displays: Record<string, number> | null;
}

/**
 * Delivery at a glance. `ok`: everything sent was acknowledged, or is younger than
 * {@link DELIVERY_LATE_MS}. `late`: something has waited longer than that for the hub's ack (the link may be down
 * or silently dead; lines wait in the outbox and go out after the reconnect). `failing`: the hub cannot be
 * reached or refused the console or its last line (`reason` says why); it turns `ok` again with the next ack.
 */
export interface DeliveryStatus {
  state: 'ok' | 'late' | 'failing';
  /** Why it is not `ok`, for a person. */
  reason: string | null;
  /** Age of the oldest request the hub has not acknowledged, ms (at the time of the status). */
  oldestPendingMs: number | null;
}

/** How long a line may wait for the hub's ack before the console says it is late, ms. */
export const DELIVERY_LATE_MS = 1000;

/** Speech-to-text status of one source. */
/** `stopping`: Stop was asked; the source transcribes what it has heard before its worker goes (a few seconds at most). */
export type SttStatusKind = 'stopped' | 'loading' | 'ready' | 'busy' | 'restarting' | 'stopping' | 'failed';

/** Whether a source in `status` runs (its audio is being transcribed, or will be once it has loaded or restarted). */
export function sttRunning(status: SttStatusKind): boolean {
  return status !== 'stopped' && status !== 'failed';
}
export interface SttStatus {
  source: SttSourceKind;
  status: SttStatusKind;
  /** For `failed`/`restarting`: why. */
  reason?: string;
  /** Audio dropped because the worker was down or behind, in samples (16 kHz) since the source started. */
  droppedFrames?: number;
  /** Seconds of audio received but not yet transcribed (how far the captions run behind the speaker). */
  lagSeconds?: number;
  /** Whether this machine keeps up with the model (measured on the first minute of speech), and the pacing now. */
  realtime?: SttRealtime;
}

/** A speech-to-text caption of one source (floor transcript, or the interpreter's voice). */
export interface SttCaption {
  source: SttSourceKind;
  /** Stable per segment; a `final` with the same id commits the earlier partials. */
  id: string;
  state: 'partial' | 'final';
  text: string;
  /** Seconds in the source's audio stream. */
  start: number;
  end: number;
  /** Language decoded (detected when `auto`). */
  lang: string;
  /** Character ranges [from, to) of low-probability tokens in `text`. */
  uncertain?: [number, number][];
  /** A partial: how many characters at its start are committed words (they open its final unchanged). */
  stableChars?: number;
}

/**
 * A committed line held back because its channel was muted (by the operator, enforced by the hub). It stays
 * held, across restarts, until a person releases it (it goes out) or discards it (it never goes out).
 */
export interface HeldLine {
  id: string;
  channel: string;
  text: string;
  source: (typeof CAPTION_SOURCES)[number];
  /** When it was committed, epoch ms. */
  committedAt: number;
  /** The console holding it. */
  clientId: string;
  label: string;
}

/** Which held lines a release or discard is about. */
export const heldLinesRequestSchema = z.strictObject({
  channel: nameSchema,
  /** Omitted: every line held on the channel. */
  ids: z.array(lineIdSchema).min(1).max(500).optional(),
  /** The console holding them (operator, for another console's lines); omitted: this console. */
  clientId: lineIdSchema.optional(),
});
export type HeldLinesRequest = z.infer<typeof heldLinesRequestSchema>;

/** A voice line waiting in its review window (sent when `sendAt` passes unless sent now or cancelled). */
export interface PendingVoiceLine {
  id: string;
  channel: string;
  text: string;
  lang: string;
  /** Epoch ms when it goes out by itself (the core's clock). */
  sendAt: number;
  /** Ms left in its window when this was sent (the page counts down from it on its own clock). */
  leftMs: number;
}

/**
 * Handover of a booth channel between the two consoles of one booth. Either side starts it: the console off air
 * requests the channel (`kind: 'request'`), the console on air offers it (`kind: 'offer'`); the other side accepts
 * or declines, and the side that started it may cancel it while it waits.
 */
export interface HandoverState {
  /** This console publishes the channel. */
  onAir: boolean;
  /** A handover this console started and waits on. */
  outgoing: { requestId: string; channel: string; kind: HandoverKind; requestedAt: number } | null;
  /** A handover the other console started, which this console must accept or decline. */
  incoming: { requestId: string; channel: string; kind: HandoverKind; fromLabel: string; fromClientId: string; requestedAt: number } | null;
  /** The other consoles of this booth as the hub knows them (online, offline, on air); empty before it tells. */
  partners: BoothMember[];
  /**
   * Every booth of the room the hub told this console about, by channel, this console included: an operator
   * hears of every booth (who is on air per channel), a booth console of its own.
   */
  booths: Record<string, BoothMember[]>;
}

/** One channel of a followed room at a glance. */
export interface WatchedChannel {
  channel: string;
  /** The channel's booth consoles as the hub tells (who is on air, online); empty when the room has no booth there. */
  booth: BoothMember[];
  /** Muted room-wide by an operator. */
  muted: boolean;
  /** How long ago its last committed line came, ms, when this was sent (the page ages it on its own clock); null: none seen. */
  lastLineAgeMs: number | null;
}

/**
 * Another room an operator console follows, as its monitor link sees it. `state` and `error` are the link's: a
 * refusal (`AUTH_BAD_SECRET`, `UNKNOWN_ROOM`...) is `error` for good, an unreachable hub `connecting` with
 * `HUB_UNREACHABLE`; a view the hub refused (`UNKNOWN_CHANNEL`...) sets `error` while `state` is `connected`. What
 * the channels say is only as fresh as `staleForMs` says while not connected.
 */
export interface WatchedRoom {
  room: string;
  state: HubStatus['state'];
  /** Why the room is not seen as it is now; null when it is. */
  error: ConsoleError | null;
  /** The room's channels (as the hub names them), each at a glance; empty before the hub told. */
  channels: WatchedChannel[];
  /** The room's notice on its displays, or null. */
  notice: string | null;
  /** While not connected: ms since it last was (the channels show that moment); null when connected or never was. */
  staleForMs: number | null;
}

/** The session record of this console. */
export interface SessionInfo {
  /** Id of the session (folder name under the data dir). */
  id: string;
  /** Journal file on disk. */
  file: string;
  startedAt: number;
  /** Committed lines recorded so far, per channel. */
  lines: Record<string, number>;
  /** Set when the journal cannot be written (disk full, unwritable): captions keep flowing. */
  error: ConsoleError | null;
  /** Lines restored from a previous run of this session (crash recovery). */
  recovered: number;
}

/** A monitor a display window can open on (Electron only; the browser console gets an empty list). */
export interface MonitorInfo {
  id: number;
  label: string;
  width: number;
  height: number;
  primary: boolean;
}

/** Everything the page needs to draw itself after (re)loading. */
export interface ConsoleSnapshot {
  settings: PublicSettings;
  hub: HubStatus;
  stt: Record<SttSourceKind, SttStatus>;
  handover: HandoverState;
  /** Errors whose condition is on, oldest first (console-alerts.ts); each goes away when its condition ends. */
  alerts: ConsoleAlert[];
  /** Voice lines in their review window. */
  pendingVoice: PendingVoiceLine[];
  session: SessionInfo;
  /** Lines this console holds because their channel is muted, per channel (they wait for a release or discard). */
  heldByMute: Record<string, number>;
  /** The lines this console holds, oldest first. */
  held: HeldLine[];
  /** Lines other consoles of the room hold, as the hub relays them (operator and booths see them). */
  roomHeld: HeldLine[];
  /** Channels an operator muted room-wide (this console holds their lines too); `settings.mutedChannels` is this operator's own list. */
  hubMutedChannels?: string[];
  /** Channels of the room as the hub reports them (host: the configured list). */
  channels: string[];
  /** `electron` in the app, `browser` for the console over a socket. */
  shell: 'electron' | 'browser';
  /** Stable id of this console (handover, hub logs). */
  clientId: string;
  /** The name this console goes by in the room (its label, or "Arabic booth K" when it has none). */
  label: string;
  /** Operator in join mode: the other rooms it follows (settings `watchRooms`), in order; empty otherwise. */
  watchedRooms: WatchedRoom[];
  /** The last run on this machine of the model the settings name (its file), when it ran here long enough to tell. */
  modelRun?: SttModelRun & { model: string };
}

/** What another console needs to join the room this console hosts (see electron/common/join-link.ts). */
export interface JoinInfo extends JoinDetails {
  /** The join link (the secret in its fragment). */
  link: string;
  /** A QR code of the link (`data:image/svg+xml`). */
  qrDataUrl: string;
}

/** A line as the page publishes it. `id` omitted: the core makes one (returned in the ack). */
export const consolePublishSchema = z.strictObject({
  channel: nameSchema,
  id: lineIdSchema.optional(),
  text: z.string().max(4000),
  state: z.enum(['partial', 'final']),
  source: z.enum(CAPTION_SOURCES),
  lang: z.string().min(2).max(8).regex(/^[a-z-]+$/).optional(),
});
export type ConsolePublish = z.infer<typeof consolePublishSchema>;

/**
 * What `publish` (and `revise`) resolves with, as soon as the line is in the session record and in the outbox:
 * it never waits for the hub. The hub's answer comes later as a `line:delivery` event.
 */
export interface ConsolePublishAck {
  id: string;
  /** `queued`: in the outbox, on its way (or waiting for the reconnect); `held`: its channel is muted. */
  status: 'queued' | 'held';
  /** A committed line is on disk in the session record (false for partials, and while the disk fails). */
  saved: boolean;
}

/** What became of a line or correction this console sent, once the hub answered (or a person decided). */
export interface LineDelivery {
  channel: string;
  id: string;
  /** `line`: the line itself; `revision`: a correction of it. */
  what: 'line' | 'revision';
  /**
   * `recorded`: the committed line is on disk in the session record (any source: typed, voice, floor, script;
   * it survives a crash and is resent until the hub has it); `sent`: the hub has it (displays show it);
   * `refused`: the hub will not take it (`error`); `held`: its channel is muted and it waits; `released`: a
   * person let a held line go (it is on its way); `discarded`: a person dropped a held line (it never went out).
   */
  status: 'recorded' | 'sent' | 'refused' | 'held' | 'released' | 'discarded';
  error?: ConsoleError;
}

export const consoleReviseSchema = z.strictObject({ channel: nameSchema, id: lineIdSchema, text: z.string().max(4000) });
export type ConsoleRevise = z.infer<typeof consoleReviseSchema>;

export const openDisplaySchema = z.strictObject({
  channels: z.array(nameSchema).min(1).max(16),
  /** `MonitorInfo.id`; omitted = a non-primary monitor if any, else the primary. */
  monitor: z.number().int().optional(),
  theme: z.enum(['dark', 'light', 'transparent', 'green']).optional(),
});
export type OpenDisplay = z.infer<typeof openDisplaySchema>;

/** Argument schemas of every request, by method name: each transport parses arguments with these. */
export const consoleRequestSchemas = {
  getState: z.tuple([]),
  updateSettings: z.tuple([settingsPatchSchema]),
  connectHub: z.tuple([]),
  disconnectHub: z.tuple([]),
  getRoomView: z.tuple([]),
  publish: z.tuple([consolePublishSchema]),
  revise: z.tuple([consoleReviseSchema]),
  clearChannel: z.tuple([nameSchema]),
  clearAllChannels: z.tuple([]),
  showNotice: z.tuple([z.string().max(280).nullable(), z.number().int().positive().max(3_600_000).optional()]),
  setAutoRouting: z.tuple([z.boolean()]),
  setChannelMuted: z.tuple([nameSchema, z.boolean()]),
  releaseHeld: z.tuple([heldLinesRequestSchema]),
  discardHeld: z.tuple([heldLinesRequestSchema]),
  startSource: z.tuple([z.enum(STT_SOURCES), z.strictObject({ language: z.enum(CONSOLE_STT_LANGUAGES).optional() })]),
  stopSource: z.tuple([z.enum(STT_SOURCES)]),
  sendVoiceNow: z.tuple([lineIdSchema]),
  cancelVoice: z.tuple([lineIdSchema]),
  importGlossary: z.tuple([z.string().max(2_000_000)]),
  requestHandover: z.tuple([]),
  offerHandover: z.tuple([]),
  cancelHandover: z.tuple([]),
  respondHandover: z.tuple([z.boolean()]),
  exportSession: z.tuple([nameSchema, z.enum(EXPORT_FORMATS)]),
  listMonitors: z.tuple([]),
  openDisplayWindow: z.tuple([openDisplaySchema]),
  startNewSession: z.tuple([]),
  getJoinDetails: z.tuple([]),
  listModels: z.tuple([]),
  importModel: z.tuple([z.string().min(1).max(4096)]),
  listOutputs: z.tuple([]),
  setOutputEnabled: z.tuple([nameSchema, z.boolean()]),
  switchRoom: z.tuple([nameSchema]),
} satisfies { [K in ConsoleRequestName]: z.ZodType<Parameters<ConsoleApi[K]>> };

/** Names of the request methods (all but `pushAudio` and `on`). */
export type ConsoleRequestName = Exclude<keyof ConsoleApi, 'on' | 'pushAudio'>;
export const CONSOLE_REQUEST_NAMES = Object.keys(consoleRequestSchemas) as ConsoleRequestName[];

/** The arguments a request's schema yields are exactly the method's parameters (`satisfies` above checks one way). */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaArgs = { [K in ConsoleRequestName]: z.output<(typeof consoleRequestSchemas)[K]> };
type ApiArgs = { [K in ConsoleRequestName]: Parameters<ConsoleApi[K]> };
const schemasMatchApi: SameType<SchemaArgs, ApiArgs> = true;
void schemasMatchApi;

/** What a glossary import did. */
export interface GlossaryImport {
  terms: number;
  /** Each language whose rows do not all fit the speech-to-text prompt (none when they all do). */
  promptCarries: GlossaryPromptCarry[];
}

/** Everything the console page can ask of the core. */
export interface ConsoleApi {
  /** Settings (secret redacted), hub, speech-to-text, handover, session. */
  getState(): Promise<ConsoleResult<ConsoleSnapshot>>;
  /** Validates, applies and persists a change; returns the new public settings. */
  updateSettings(patch: SettingsPatch): Promise<ConsoleResult<PublicSettings>>;
  /** Hosts the hub (host mode) or joins the configured one (join mode). Resolves once connected or failed. */
  connectHub(): Promise<ConsoleResult<HubStatus>>;
  /** Leaves the hub (and stops the embedded hub in host mode). */
  disconnectHub(): Promise<ConsoleResult<void>>;
  /** What the room displays show now: every channel's recent committed lines and partial (preview, operator). */
  getRoomView(): Promise<ConsoleResult<SubscribeResult>>;
  /**
   * Publishes a line (a typed partial, a committed line, a script cue). Offline or unacknowledged lines wait in
   * the outbox and go out in order after the reconnect; a muted channel's lines are held.
   */
  publish(line: ConsolePublish): Promise<ConsoleResult<ConsolePublishAck>>;
  /** Corrects a committed line; displays update it in place. */
  revise(req: ConsoleRevise): Promise<ConsoleResult<ConsolePublishAck>>;
  /** Clears a channel on every display. */
  clearChannel(channel: string): Promise<ConsoleResult<void>>;
  /** Operator: clears every channel of the room. */
  clearAllChannels(): Promise<ConsoleResult<void>>;
  /** Operator: shows a room notice (`null` clears it). */
  showNotice(text: string | null, ttlMs?: number): Promise<ConsoleResult<void>>;
  /** Operator: floor finals also go to the channel of their detected language. Persisted. */
  setAutoRouting(on: boolean): Promise<ConsoleResult<void>>;
  /**
   * Operator: mutes a channel room-wide; the hub refuses its lines (`CHANNEL_MUTED`). Every console of the room
   * holds that channel's outgoing lines: partials are dropped, finals recorded as held. Held lines stay held after
   * the unmute, until a person releases or discards them. Persisted, and asserted again after a hub restart.
   * `NOT_OPERATOR` for a booth.
   */
  setChannelMuted(channel: string, muted: boolean): Promise<ConsoleResult<void>>;
  /**
   * Sends held lines of an unmuted channel, in order (`CHANNEL_MUTED` while it is still muted). A booth releases
   * its own; an operator also another console's (`clientId`), through the hub. Resolves with how many went.
   */
  releaseHeld(req: HeldLinesRequest): Promise<ConsoleResult<{ lines: number }>>;
  /** Drops held lines: they never go out and are not exported. Same rights as {@link ConsoleApi.releaseHeld}. */
  discardHeld(req: HeldLinesRequest): Promise<ConsoleResult<{ lines: number }>>;
  /** Starts speech-to-text on a source (language defaults to the source's setting). */
  startSource(source: SttSourceKind, opts: { language?: ConsoleSttLanguage }): Promise<ConsoleResult<void>>;
  stopSource(source: SttSourceKind): Promise<ConsoleResult<void>>;
  /** 16 kHz mono Float32 frames from the page's AudioWorklet. Fire-and-forget (transferred, not copied). */
  pushAudio(source: SttSourceKind, frame: Float32Array): void;
  /** Sends a voice line in its review window now. */
  sendVoiceNow(id: string): Promise<ConsoleResult<void>>;
  /** Drops a voice line in its review window. */
  cancelVoice(id: string): Promise<ConsoleResult<void>>;
  /** Replaces the glossary with a CSV (header `en,ru,ar`, any order/subset); persisted and used as STT prompt. */
  importGlossary(csvText: string): Promise<ConsoleResult<GlossaryImport>>;
  /** Booth (off air): asks the on-air console of this channel to hand it over (granted at once when it is gone). */
  requestHandover(): Promise<ConsoleResult<void>>;
  /** Booth (on air): offers the channel to the other console of the booth (`NOT_FOUND` when none is connected). */
  offerHandover(): Promise<ConsoleResult<void>>;
  /** Booth: withdraws the request or offer this console made while it waits (`NO_PENDING` when none). */
  cancelHandover(): Promise<ConsoleResult<void>>;
  /**
   * Booth: accepts or declines the handover the other console started (its request, or its offer). When this
   * console goes off air, a partial it has on the displays is committed first and its voice lines in review go out.
   */
  respondHandover(accept: boolean): Promise<ConsoleResult<void>>;
  /** The session record of a channel as SRT, WebVTT or plain text. */
  exportSession(channel: string, format: ExportFormat): Promise<ConsoleResult<string>>;
  /** Monitors for display windows (Electron; empty in the browser console). */
  listMonitors(): Promise<ConsoleResult<MonitorInfo[]>>;
  /** Opens a full-screen display window (Electron, from main only). Browser console: `NOT_SUPPORTED`, open the URL. */
  openDisplayWindow(opts: OpenDisplay): Promise<ConsoleResult<void>>;
  /** Closes the current session record and starts a new one (the old one stays on disk). */
  startNewSession(): Promise<ConsoleResult<SessionInfo>>;
  /**
   * Host mode, while hosting: how another console joins this room (hub address on the venue network, room, the
   * room's secret, a join link and its QR code). The one way the page gets a secret, on the host's request.
   * `NOT_SUPPORTED` in join mode, `NOT_CONNECTED` while not hosting.
   */
  getJoinDetails(): Promise<ConsoleResult<JoinInfo>>;
  /** The model files in the console's model folders, each checked (the Model setting takes a `file`). */
  listModels(): Promise<ConsoleResult<ConsoleModelInfo[]>>;
  /**
   * Imports a model file from a path on the console's machine (a USB stick at a venue without internet): checked,
   * then copied into the console's own model folder. `MODEL_*` codes name what is wrong with a refused file.
   */
  importModel(path: string): Promise<ConsoleResult<ConsoleModelInfo>>;
  /**
   * Operator: the hub's platform outputs of this room (YouTube, Zoom, Teams, OBS, live files) with their state,
   * backlog, drops and last caption, as the hub reports them at `GET /outputs` (targets without credentials).
   * `NOT_OPERATOR` for a booth, `NOT_CONNECTED` without a hub.
   */
  listOutputs(): Promise<ConsoleResult<OutputStatus[]>>;
  /** Operator: switches a platform output on or off on the hub (no restart; switched on, it starts live). */
  setOutputEnabled(id: string, enabled: boolean): Promise<ConsoleResult<OutputStatus>>;
  /**
   * Operator: makes a followed room (settings `watchRooms`) the active one: its channels, mutes and notices are then
   * the ones this console acts on, and the room it leaves is followed in its place (same jump key). Refused with
   * `ROOM_BUSY` while anything of this console is still on its way to the active room (lines or corrections the hub
   * has not acknowledged, held lines, voice lines in review, a half line on the displays, speech-to-text running),
   * so nothing meant for one room ends in another; with the refusal of the room itself (a wrong secret, no such
   * room); `NOT_FOUND` for a room not followed.
   */
  switchRoom(room: string): Promise<ConsoleResult<void>>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof ConsoleEvents>(event: E, fn: ConsoleEvents[E]): () => void;
}

/** A model file the console can use (or could not: `valid` false, `description` says why). */
export interface ConsoleModelInfo {
  /** File name: what the Model setting takes. */
  file: string;
  path: string;
  valid: boolean;
  /** E.g. "base, multilingual, q8_0, 78 MiB", or why the file cannot be used. */
  description: string;
  /** How its last run on this machine went (whether it kept up), when it ran here long enough to tell. */
  lastRun?: SttModelRun;
  /** A usable model: its compute per second of audio relative to whisper base (see model-choice.ts). */
  work?: number;
  /** A usable model: whether it knows languages other than English. */
  multilingual?: boolean;
  /** A usable model: its file size in bytes. */
  fileBytes?: number;
}

/** Handover events: what happened, for both consoles. */
export interface HandoverRequestedEvent {
  requestId: string;
  channel: string;
  /** `request`: the other console asks for the channel; `offer`: the console on air offers it to this one. */
  kind: HandoverKind;
  fromLabel: string;
  fromClientId: string;
}
export interface HandoverCompletedEvent {
  requestId: string;
  channel: string;
  /** `accepted`: the channel changed hands; `declined`/`expired`/`cancelled`/`failed`: nothing changed. */
  outcome: 'accepted' | 'declined' | 'expired' | 'cancelled' | 'failed';
  /** Whether this console is on air now. */
  onAir: boolean;
}

/** Events the core pushes to the page. */
export interface ConsoleEvents {
  'state:changed': (s: ConsoleSnapshot) => void;
  'stt:caption': (e: SttCaption) => void;
  'stt:status': (e: SttStatus) => void;
  /** What the room displays show (room-wide subscription, for the preview and operator view). */
  'hub:partial': (u: PartialUpdate) => void;
  'hub:changed': (c: ChannelChange) => void;
  'hub:notice': (n: Notice) => void;
  'hub:status': (s: HubStatus) => void;
  /** A voice line entered its review window / left it (sent or cancelled). */
  'voice:pending': (lines: PendingVoiceLine[]) => void;
  'handover:requested': (e: HandoverRequestedEvent) => void;
  'handover:completed': (e: HandoverCompletedEvent) => void;
  /** A new error (journal unwritable, publish refused...); the page shows the snapshot's `alerts`, which say when it ends. */
  'console:error': (e: ConsoleError) => void;
  /** The hub answered a line or correction this console sent, or a held line was released or discarded. */
  'line:delivery': (e: LineDelivery) => void;
  /** Operator: the rooms it follows besides its own, whenever one of them changed (at most a few times a second). */
  'rooms:changed': (rooms: WatchedRoom[]) => void;
}
export type ConsoleEventName = keyof ConsoleEvents;
export { CONSOLE_EVENT_NAMES, CONSOLE_TRANSPORT } from './console-transport';

export { CONSOLE_ERROR_CODES, type ConsoleError, type ConsoleErrorCode, type ConsoleResult } from './console-api-result';
