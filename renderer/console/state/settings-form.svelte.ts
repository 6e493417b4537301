/**
 * The settings panel: an editable copy of the console's settings, saved as one patch. The secret is
 * write-only: the field starts empty and is sent only when typed in (or cleared on purpose). It is the joined
 * room's secret in join mode and the hosted room's in host mode (two settings, so neither leaks into the other).
 * A join link from the host console fills hub address, room and secret at once. A change that sends the room
 * secret to a new hub host waits for a confirmation (hub-destination.ts). In host mode it also edits the hosted hub's
 * platform outputs (output-drafts.ts), whose credentials are write-only like the secret. An operator that joins a
 * hub also lists the other rooms of that hub it follows, each with its own secret (write-only too; empty: the
 * console's room secret).
 */
import { MAX_WATCHED_ROOMS, type ConsoleApi, type ConsoleModelInfo, type PublicSettings, type SettingsPatch, type WatchedRoomPatch } from '../../../electron/common/console-api';
import type { GlossaryLanguage, GlossaryPromptCarry } from '../../../electron/common/glossary';
import { nameSchema } from '../../../electron/common/ids';
import { parseHubUrl } from '../../../electron/common/hub-url';
import { parseJoinLink } from '../../../electron/common/join-link';
import type { OutputKind } from '../../../electron/common/caption-outputs';
import type { ErrorInfo } from '../../../electron/common/result';
import { newOutputDraft, outputDraft, outputsOf, type OutputDraft } from './output-drafts';
import { newSecretDestination, type SecretDestination } from './hub-destination';

/** The fields the panel edits. */
export type SettingsDraft = Pick<
  PublicSettings,
  'hubMode' | 'hubUrl' | 'hostPort' | 'room' | 'role' | 'channel' | 'label' | 'model' | 'sttCommit' | 'floorLanguage' | 'voiceLanguage' | 'voiceReviewMs' | 'publishFloor'
>;

const FIELDS: (keyof SettingsDraft)[] = [
  'hubMode',
  'hubUrl',
  'hostPort',
  'room',
  'role',
  'channel',
  'label',
  'model',
  'sttCommit',
  'floorLanguage',
  'voiceLanguage',
  'voiceReviewMs',
  'publishFloor',
];

/** A row of the rooms to follow, as edited. */
export interface WatchedRoomDraft {
  /** Stable per row (the room name is edited). */
  key: number;
  room: string;
  /** Typed secret; empty = leave the stored one (or, with none stored, use the console's room secret). */
  secret: string;
  /** The room (by its saved name) has a secret stored. */
  hasSecret: boolean;
  /** Remove the stored secret (the console's room secret is presented instead). */
  clearSecret: boolean;
}

export type SettingsApi = Pick<
  ConsoleApi,
  'updateSettings' | 'connectHub' | 'disconnectHub' | 'importGlossary' | 'listModels' | 'importModel'
>;

export class SettingsForm {
  draft = $state<SettingsDraft | null>(null);
  /** Typed secret; empty = leave unchanged. */
  secret = $state('');
  clearSecret = $state(false);
  hasSecret = $state(false);
  hasHostSecret = $state(false);
  /** Why the last pasted join link was not taken. */
  joinLinkError = $state<string | null>(null);
  saving = $state(false);
  error = $state.raw<ErrorInfo | null>(null);
  /** Result of the last glossary import, for the panel. */
  glossaryMessage = $state<string | null>(null);
  /** The model files the console found (for the Model choice). */
  models = $state.raw<ConsoleModelInfo[]>([]);
  /** Result of the last model import, for the panel. */
  modelMessage = $state<string | null>(null);
  /** A save that would send the room secret to a new host, waiting for `confirmDestination()` or `cancelDestination()`. */
  pendingDestination = $state.raw<SecretDestination | null>(null);
  /** Host mode: the hosted hub's platform outputs being edited. */
  outputs = $state.raw<OutputDraft[]>([]);
  /** The hosted room's channels (what an output can carry). */
  hostChannels = $state.raw<string[]>([]);
  /** Operator, join mode: the other rooms to follow being edited, in the order of their keys. */
  watchRooms = $state.raw<WatchedRoomDraft[]>([]);
  private outputsEdited = $state(false);
  private watchEdited = $state(false);
  private watchKey = 0;

  private saved: SettingsDraft | null = null;
  private savedOutputs: PublicSettings['outputs'] = [];
  private savedWatchRooms: PublicSettings['watchRooms'] = [];

  constructor(private readonly api: SettingsApi) {}

  /** Takes the saved settings (on load and after a save); an edit in progress is kept. */
  load(settings: PublicSettings): void {
    const fresh = Object.fromEntries(FIELDS.map((k) => [k, settings[k]])) as SettingsDraft;
    const editing = this.dirty;
    this.saved = fresh;
    if (!editing) {
      this.draft = { ...fresh };
      this.outputs = settings.outputs.map(outputDraft);
      this.outputsEdited = false;
      this.watchRooms = (settings.watchRooms ?? []).map((w) => ({ key: ++this.watchKey, room: w.room, secret: '', hasSecret: w.hasSecret, clearSecret: false }));
      this.watchEdited = false;
    }
    this.hostChannels = [...settings.hostChannels];
    this.savedOutputs = settings.outputs;
    this.savedWatchRooms = settings.watchRooms ?? [];
    this.hasSecret = settings.hasSecret;
    this.hasHostSecret = settings.hasHostSecret;
  }

  /** Whether the secret the field stands for (the hosted room's, or the joined one's) is set. */
  get secretSet(): boolean {
    return this.draft?.hubMode === 'host' ? this.hasHostSecret : this.hasSecret;
  }

  /** Takes a join link: join mode with its hub address, room and secret (saved with the rest). */
  applyJoinLink(text: string): boolean {
    const parsed = parseJoinLink(text);
    if (!parsed.ok) {
      this.joinLinkError = parsed.error.message;
      return false;
    }
    this.joinLinkError = null;
    this.set('hubMode', 'join');
    this.set('hubUrl', parsed.value.hubUrl);
    this.set('room', parsed.value.room);
    this.setSecret(parsed.value.secret);
    return true;
  }

  get dirty(): boolean {
    if (!this.draft || !this.saved) return false;
    const d = this.draft;
    const s = this.saved;
    return this.secret !== '' || this.clearSecret || this.outputsEdited || this.watchEdited || FIELDS.some((k) => d[k] !== s[k]);
  }

  /** Adds a row for another room to follow (at most {@link MAX_WATCHED_ROOMS}). */
  addWatchRoom(): void {
    if (this.watchRooms.length >= MAX_WATCHED_ROOMS) return;
    this.watchRooms = [...this.watchRooms, { key: ++this.watchKey, room: '', secret: '', hasSecret: false, clearSecret: false }];
    this.watchEdited = true;
  }

  /** Removes the row `key` (saved with the rest). */
  removeWatchRoom(key: number): void {
    this.watchRooms = this.watchRooms.filter((w) => w.key !== key);
    this.watchEdited = true;
  }

  /** Changes the row `key`: its room name, a typed secret, or the stored secret marked for removal. */
  setWatchRoom(key: number, change: Partial<Pick<WatchedRoomDraft, 'room' | 'secret' | 'clearSecret'>>): void {
    this.watchRooms = this.watchRooms.map((w) => (w.key === key ? { ...w, ...change, ...(change.secret ? { clearSecret: false } : {}) } : w));
    this.watchEdited = true;
  }

  /** The rooms to follow as the core takes them, or what is wrong with a row, in words. */
  private watchRoomsPatch(): { ok: true; value: WatchedRoomPatch[] } | { ok: false; error: { code: string; message: string } } {
    const value: WatchedRoomPatch[] = [];
    for (const [i, w] of this.watchRooms.entries()) {
      const room = w.room.trim();
      const name = nameSchema.safeParse(room);
      if (!name.success) {
        const why = room === '' ? 'has no name: type it, or remove the row' : `"${room}" is not a room name (letters, digits, _ and - only)`;
        return { ok: false, error: { code: 'INVALID_ARGUMENTS', message: `Room to follow ${i + 1} ${why}.` } };
      }
      value.push(w.secret !== '' ? { room, secret: w.secret } : w.clearSecret ? { room, secret: '' } : { room });
    }
    return { ok: true, value };
  }

  /** Adds an output of `kind` on the first language channel of the room (the operator picks another). */
  addOutput(kind: OutputKind): void {
    const channel = this.hostChannels.find((c) => c !== 'floor') ?? this.hostChannels[0] ?? 'en';
    this.outputs = [...this.outputs, newOutputDraft(kind, channel, this.outputs.map((o) => o.id))];
    this.outputsEdited = true;
  }

  /** Removes the output of row `key` (saved with the rest). */
  removeOutput(key: number): void {
    this.outputs = this.outputs.filter((o) => o.key !== key);
    this.outputsEdited = true;
  }

  /** Changes fields of the output of row `key`. */
  setOutput(key: number, change: Partial<Pick<OutputDraft, 'id' | 'channel' | 'address' | 'lang' | 'credential'>>): void {
    this.outputs = this.outputs.map((o) => (o.key === key ? { ...o, ...change } : o));
    this.outputsEdited = true;
  }

  set<K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]): void {
    if (this.draft) this.draft = { ...this.draft, [key]: value };
    this.pendingDestination = null;
  }

  setSecret(value: string): void {
    this.secret = value;
    if (value !== '') this.clearSecret = false;
  }

  /** Marks the stored secret for removal. */
  removeSecret(): void {
    this.secret = '';
    this.clearSecret = true;
  }

  /** The patch of what changed. */
  patch(): SettingsPatch {
    const patch: Record<string, unknown> = {};
    if (this.draft && this.saved) for (const k of FIELDS) if (this.draft[k] !== this.saved[k]) patch[k] = this.draft[k];
    const secretKey = this.draft?.hubMode === 'host' ? 'hostSecret' : 'secret';
    if (this.secret !== '') patch[secretKey] = this.secret;
    else if (this.clearSecret) patch[secretKey] = '';
    return patch as SettingsPatch;
  }

  /**
   * Saves the changes; on success the form takes the saved settings and forgets the typed secret. A hub address
   * is checked first (`host:port` becomes `http://host:port`), so a wrong one is said at once, in words. A change
   * that sends the secret to a new hub host is not saved yet: it waits in `pendingDestination` for a confirmation.
   */
  async save(): Promise<boolean> {
    const typedUrl = this.patch().hubUrl;
    const url = typedUrl === undefined ? null : parseHubUrl(typedUrl);
    if (url && !url.ok) {
      this.error = url.error;
      return false;
    }
    const destination = this.draft && this.saved ? newSecretDestination(this.saved, this.draft) : null;
    if (destination) {
      this.pendingDestination = destination;
      return false;
    }
    return this.saveNow();
  }

  /** Saves the change waiting for confirmation (the secret may go to its new host). */
  confirmDestination(): Promise<boolean> {
    this.pendingDestination = null;
    return this.saveNow();
  }

  /** Keeps the change unsaved (the draft stays for editing). */
  cancelDestination(): void {
    this.pendingDestination = null;
  }

  private async saveNow(): Promise<boolean> {
    const patch = this.patch();
    if (this.watchEdited) {
      const rooms = this.watchRoomsPatch();
      if (!rooms.ok) {
        this.error = rooms.error;
        return false;
      }
      patch.watchRooms = rooms.value;
    }
    // The outputs go with a change of room too: they carry the hosted room's name.
    if (this.draft && (this.outputsEdited || (patch.room !== undefined && this.outputs.length > 0))) {
      const outputs = outputsOf(this.outputs, this.draft.room);
      if (!outputs.ok) {
        this.error = outputs.error;
        return false;
      }
      patch.outputs = outputs.value;
    }
    if (Object.keys(patch).length === 0) return true;
    if (patch.hubUrl !== undefined) {
      const url = parseHubUrl(patch.hubUrl);
      if (!url.ok) {
        this.error = url.error;
        return false;
      }
      patch.hubUrl = url.value;
    }
    this.saving = true;
    try {
      const r = await this.api.updateSettings(patch);
      if (!r.ok) {
        this.error = r.error;
        return false;
      }
      this.error = null;
      this.secret = '';
      this.clearSecret = false;
      this.saved = null;
      this.draft = null;
      this.outputsEdited = false;
      this.watchEdited = false;
      this.load(r.value);
      return true;
    } finally {
      this.saving = false;
    }
  }

  /** Drops the edits. */
  revert(): void {
    this.pendingDestination = null;
    this.secret = '';
    this.clearSecret = false;
    if (this.saved) this.draft = { ...this.saved };
    this.outputs = this.savedOutputs.map(outputDraft);
    this.outputsEdited = false;
    this.watchRooms = this.savedWatchRooms.map((w) => ({ key: ++this.watchKey, room: w.room, secret: '', hasSecret: w.hasSecret, clearSecret: false }));
    this.watchEdited = false;
  }

  /** Imports a glossary CSV's text (from a file input). */
  async importGlossary(csvText: string, fileName: string): Promise<boolean> {
    const r = await this.api.importGlossary(csvText);
    if (!r.ok) {
      this.glossaryMessage = `${fileName}: ${r.error.message}`;
      return false;
    }
    this.glossaryMessage = `${fileName}: ${r.value.terms} terms imported.${promptNote(r.value.promptCarries)}`;
    return true;
  }

  /** Reads the model folders again. */
  async loadModels(): Promise<void> {
    const r = await this.api.listModels();
    if (r.ok) this.models = r.value;
    else this.modelMessage = r.error.message;
  }

  /** Imports a model file from a path on the console's machine and picks it in the draft. */
  async importModel(path: string): Promise<boolean> {
    const trimmed = path.trim();
    if (!trimmed) return false;
    const r = await this.api.importModel(trimmed);
    if (!r.ok) {
      this.modelMessage = `${trimmed}: ${r.error.message}`;
      return false;
    }
    this.modelMessage = `${r.value.file} imported (${r.value.description}); save to use it.`;
    this.set('model', r.value.file);
    await this.loadModels();
    return true;
  }
}

const LANGUAGE_NAMES: Record<GlossaryLanguage, string> = { en: 'English', ru: 'Russian', ar: 'Arabic' };

/** What an import message adds when the speech-to-text prompt cannot carry every row (see GlossaryImport). */
function promptNote(carries: readonly GlossaryPromptCarry[]): string {
  if (carries.length === 0) return '';
  const counts = carries.map((c) => `${c.rows} of ${c.of} ${LANGUAGE_NAMES[c.lang]}`).join(', ');
  return (
    ` Speech-to-text carries the first ${counts} in its prompt (each prompt word costs time in every pass); ` +
    'the rest are highlighted but do not steer recognition: put the names the floor will say first.'
  );
}
