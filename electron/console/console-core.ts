/**
 * The booth console's core: everything the console does that is not drawing, as one {@link ConsoleApi}. Runs in
 * Node (the Electron main process, or headless for a browser-only console and the tests) and never imports
 * electron: the shell injects what differs (how speech-to-text workers are spawned, how display windows open).
 *
 * This class is the facade: it builds the pieces and answers the API by delegating to them. Arguments arrive
 * parsed (console-api-dispatch.ts checks them where they enter the process).
 *
 *   console-state-file.ts   identity, open session, hub wanted, on air (persisted)
 *   console-settings.ts     settings in effect, per-key subscriptions
 *   console-session.ts      the session record in use
 *   hub-connection.ts       host or join the hub, the link, the hub status (hosted-hub.ts, hub-link.ts)
 *   booth-handover.ts       on air, handover between the two consoles of a booth
 *   line-publisher.ts       who may write, mutes (channel-mutes.ts), write-ahead, send
 *   stt-router.ts           floor and voice sources, routing, the voice review window (voice-review.ts)
 *   room-monitors.ts        operator: the other rooms it follows, and the switch to one of them
 *
 * Each piece depends on the context port (console-context.ts) and on pieces above it in this list only.
 */
import { mkdir } from 'node:fs/promises';
import { parseGlossaryCsv } from '../common/glossary';
import { glossaryPromptShortfall } from '../stt/prompt';
import { displayUrl } from '../common/hub-config';
import type { OutputStatus } from '../common/caption-outputs';
import type { SubscribeResult } from '../common/protocol';
import type { Result } from '../common/result';
import type {
  ConsoleApi,
  ConsoleEventName,
  ConsoleEvents,
  ConsoleModelInfo,
  ConsolePublish,
  ConsolePublishAck,
  ConsoleRevise,
  ConsoleSnapshot,
  ConsoleSttLanguage,
  ExportFormat,
  GlossaryImport,
  HeldLinesRequest,
  HubStatus,
  JoinInfo,
  MonitorInfo,
  OpenDisplay,
  PublicSettings,
  SessionInfo,
  SettingsPatch,
  SttSourceKind,
  SttStatus,
} from '../common/console-api';
import { STT_SOURCES, sttRunning } from '../common/console-api';
import { CONSOLE_ERROR_CODES, consoleError, consoleResult, fail, ok, type ConsoleError, type ConsoleResult } from '../common/console-api-result';
import { AlertSet, type ConsoleAlert } from '../common/console-alerts';
import { BoothHandover } from './booth-handover';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { ConsoleEventBus, stderrCoreLogger, type ConsoleContext, type CoreLogger } from './console-context';
import { importConsoleModel, listConsoleModels } from './console-models';
import { ConsoleSession } from './console-session';
import { ConsoleSettings } from './console-settings';
import { ConsoleStateFile } from './console-state-file';
import { consoleLabel, HubConnection } from './hub-connection';
import { fetchHubOutputs, switchHubOutput, type HubOutputsTarget } from './hub-outputs-client';
import { LinePublisher } from './line-publisher';
import { roomBusyError, RoomMonitors, roomSwitchChange } from './room-monitors';
import { redactSettings, SettingsStore } from './settings-store';
import type { SttSourceFactory } from './stt-source';
import { SttRouter } from './stt-router';
import { ModelRuns } from './model-runs';
import { checkSettingsPatch } from './settings-check';

export { stderrCoreLogger, type CoreLogger } from './console-context';

/** How the shell opens display windows (Electron); absent in the browser console. */
export interface DisplayWindowOpener {
  listMonitors(): MonitorInfo[];
  open(url: string, opts: OpenDisplay): Result<void>;
}

/** Options of {@link ConsoleCore.create}. */
export interface ConsoleCoreOptions {
  /** Settings, console state, session records and the embedded hub's journal live here. */
  dataDir: string;
  /** `electron` in the app, `browser` for the console served over a socket. */
  shell?: 'electron' | 'browser';
  /** Starts speech-to-text sources; without it `startSource` answers `STT_FAILED`. */
  sttFactory?: SttSourceFactory;
  /** Resolves the model setting (a path or a catalog name) to a file; default: the setting as a path. */
  resolveModel?: (setting: string) => Promise<Result<string>>;
  /** Folders holding model files, searched in order (`listModels`); `importModel` copies into the first. */
  modelDirs?: readonly string[];
  /** Opens display windows (Electron). */
  displays?: DisplayWindowOpener;
  /** Built renderer directory (display page) served by the embedded hub. */
  hubStaticDir?: string;
  logger?: CoreLogger;
  /** Hub link timings (tests shorten them). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  ackWaitMs?: number;
  resendAfterMs?: number;
  /** Reconnect to the hub at start when the console was connected when it closed (default true). */
  restoreConnection?: boolean;
  /** Take over a data folder lock this process still holds (tests that simulate a crash); default refused. */
  takeOverOwnLock?: boolean;
}

/** A console that could not start (`DATA_DIR_LOCKED`: another console uses the data folder). */
export class ConsoleStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleStartError';
  }
}

/** The pieces of a running core. */
interface Pieces {
  state: ConsoleStateFile;
  session: ConsoleSession;
  connection: HubConnection;
  handover: BoothHandover;
  publisher: LinePublisher;
  stt: SttRouter;
  rooms: RoomMonitors;
  modelRuns: ModelRuns;
}

/** The console core. Create with {@link ConsoleCore.create}; `close()` when done. */
export class ConsoleCore implements ConsoleApi {
  private readonly logger: CoreLogger;
  private readonly events: ConsoleEventBus;
  private readonly settings: ConsoleSettings;
  private readonly ctx: ConsoleContext;
  /** Errors keyed by their condition (console-alerts.ts); the snapshot carries those still on. */
  private readonly alerts = new AlertSet();
  private pieces!: Pieces;
  private lock: DataDirLock | null = null;
  private closed = false;

  private constructor(private readonly options: ConsoleCoreOptions) {
    this.logger = options.logger ?? stderrCoreLogger;
    this.events = new ConsoleEventBus(this.logger, () => this.snapshot());
    this.settings = new ConsoleSettings(new SettingsStore(options.dataDir), {
      logger: this.logger,
      onWriteFailed: (error) => this.ctx.alert('settings', consoleError(error)),
      onWritten: () => this.ctx.alert('settings', null),
      onChanged: () => this.events.changed(),
    });
    this.ctx = {
      settings: this.settings,
      emit: (event, payload) => this.events.emit(event, payload),
      changed: () => this.events.changed(),
      alert: (key, error) => {
        if (!this.alerts.set(key, error)) return;
        if (error) this.events.emit('console:error', { code: error.code, message: error.message });
        this.events.changed();
      },
      roomChannels: () => [...(this.pieces?.connection.hostedChannels ?? this.settings.value.hostChannels)],
      logger: this.logger,
    };
  }

  /**
   * Locks the data folder, loads settings and state, reopens the session record, and reconnects to the hub if
   * it was connected. Throws {@link ConsoleStartError} when another console uses the data folder.
   */
  static async create(options: ConsoleCoreOptions): Promise<ConsoleCore> {
    const core = new ConsoleCore(options);
    try {
      await core.init();
    } catch (err) {
      await core.lock?.release();
      throw err;
    }
    return core;
  }

  private async init(): Promise<void> {
    const { options, ctx } = this;
    await mkdir(options.dataDir, { recursive: true }).catch(() => undefined);
    const lock = await lockDataDir(options.dataDir, { takeOverOwn: options.takeOverOwnLock ?? false });
    if (!lock.ok) throw new ConsoleStartError(lock.error.code, lock.error.message);
    this.lock = lock.value;
    const settings = await this.settings.load();
    const state = await ConsoleStateFile.load(options.dataDir, this.logger);
    const session = await ConsoleSession.open(ctx, options.dataDir, state);
    const modelRuns = await ModelRuns.load(options.dataDir, this.logger);
    const connection = new HubConnection(ctx, state, {
      dataDir: options.dataDir,
      ...(options.hubStaticDir ? { hubStaticDir: options.hubStaticDir } : {}),
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.pingTimeoutMs ? { pingTimeoutMs: options.pingTimeoutMs } : {}),
      ...(options.ackWaitMs ? { ackWaitMs: options.ackWaitMs } : {}),
      ...(options.resendAfterMs ? { resendAfterMs: options.resendAfterMs } : {}),
    });
    const handover = new BoothHandover(ctx, connection, state);
    const publisher = new LinePublisher(ctx, connection, handover, session, state.value.clientId, state);
    const stt = new SttRouter(
      ctx,
      publisher,
      connection,
      session,
      {
        ...(options.sttFactory ? { sttFactory: options.sttFactory } : {}),
        ...(options.resolveModel ? { resolveModel: options.resolveModel } : {}),
        // The snapshot carries the run of the model the settings name: a new verdict changes it.
        onRealtime: (model, realtime) => {
          if (modelRuns.note(model.path, model.setting, realtime)) ctx.changed();
        },
      },
      state.value.clientId,
    );
    // Going off air: the voice lines in their review window go out while this console may still write.
    handover.onRelease(() => stt.voice.flush());
    const rooms = new RoomMonitors(ctx, connection, state.value.clientId, {
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.pingTimeoutMs ? { pingTimeoutMs: options.pingTimeoutMs } : {}),
    });
    this.pieces = { state, session, connection, handover, publisher, stt, rooms, modelRuns };
    this.events.start();
    this.logger.info('console started', {
      dataDir: options.dataDir,
      session: state.value.sessionId,
      recovered: session.record.recovered,
      hubMode: settings.hubMode,
      role: settings.role,
    });
    if (state.value.hubWanted && (options.restoreConnection ?? true)) void connection.connect();
  }

  on<E extends ConsoleEventName>(event: E, fn: ConsoleEvents[E]): () => void {
    return this.events.on(event, fn);
  }

  private snapshot(): ConsoleSnapshot {
    const { state, session, connection, handover, publisher, stt, rooms, modelRuns } = this.pieces;
    const hub = connection.status;
    const modelRun = modelRuns.forSetting(this.settings.value.model);
    const sttStatus = stt.status();
    const sessionInfo = session.info();
    return {
      settings: redactSettings(this.settings.value),
      hub,
      stt: sttStatus,
      handover: handover.snapshot,
      alerts: this.currentAlerts(hub, sttStatus, sessionInfo.error, handover.onAir),
      pendingVoice: stt.voice.lines(),
      session: sessionInfo,
      heldByMute: publisher.heldCounts(),
      held: publisher.heldLines(),
      roomHeld: [],
      hubMutedChannels: publisher.mutes.roomMuted(),
      channels: this.ctx.roomChannels(),
      shell: this.options.shell ?? 'browser',
      clientId: state.value.clientId,
      label: consoleLabel(this.settings.value, state.value.clientId),
      watchedRooms: rooms.list(),
      ...(modelRun ? { modelRun } : {}),
    };
  }

  /** The alerts still on: the states that carry an error (hub, speech-to-text, session record) and the raised ones. */
  private currentAlerts(hub: HubStatus, sttStatus: Record<SttSourceKind, SttStatus>, sessionError: ConsoleError | null, onAir: boolean): ConsoleAlert[] {
    this.alerts.set('hub', hub.state !== 'connected' ? hub.error : null);
    for (const source of STT_SOURCES) {
      const s = sttStatus[source];
      this.alerts.set(`stt:${source}`, s.status === 'failed' ? { code: CONSOLE_ERROR_CODES.STT_FAILED, message: `Speech-to-text (${source}) failed: ${s.reason ?? 'no reason given'}` } : null);
    }
    this.alerts.set('session', sessionError);
    return this.alerts.list({ hubConnected: hub.state === 'connected', onAir, sttRunning: { floor: sttRunning(sttStatus.floor.status), voice: sttRunning(sttStatus.voice.status) } });
  }

  async getState(): Promise<ConsoleResult<ConsoleSnapshot>> {
    return ok(this.snapshot());
  }

  /**
   * Refuses, with what is wrong, a hub address that is no http(s) base URL (`host:port` is taken as `http://`) and
   * a model that cannot be found or used: either would only fail later, at connect or at start, far from the Save.
   */
  async updateSettings(patch: SettingsPatch): Promise<ConsoleResult<PublicSettings>> {
    const checked = await checkSettingsPatch(patch, this.settings.value, this.options.resolveModel);
    if (!checked.ok) return checked;
    return ok(redactSettings(await this.settings.update(checked.value)));
  }

  connectHub(): Promise<ConsoleResult<HubStatus>> {
    return this.pieces.connection.connect();
  }

  disconnectHub(): Promise<ConsoleResult<void>> {
    return this.pieces.connection.disconnect();
  }

  async getRoomView(): Promise<ConsoleResult<SubscribeResult>> {
    const link = this.pieces.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to a hub.');
    return link.roomView();
  }

  publish(line: ConsolePublish): Promise<ConsoleResult<ConsolePublishAck>> {
    return this.pieces.publisher.publish(line);
  }

  revise(req: ConsoleRevise): Promise<ConsoleResult<ConsolePublishAck>> {
    return this.pieces.publisher.revise(req);
  }

  clearChannel(channel: string): Promise<ConsoleResult<void>> {
    return this.pieces.publisher.clearChannel(channel);
  }

  clearAllChannels(): Promise<ConsoleResult<void>> {
    return this.pieces.publisher.clearAllChannels();
  }

  showNotice(text: string | null, ttlMs?: number): Promise<ConsoleResult<void>> {
    return this.pieces.publisher.showNotice(text, ttlMs);
  }

  async setAutoRouting(on: boolean): Promise<ConsoleResult<void>> {
    await this.settings.update({ autoRouting: on });
    return ok(undefined);
  }

  setChannelMuted(channel: string, muted: boolean): Promise<ConsoleResult<void>> {
    return this.pieces.publisher.mutes.setMuted(channel, muted);
  }

  async releaseHeld(req: HeldLinesRequest): Promise<ConsoleResult<{ lines: number }>> {
    return this.pieces.publisher.releaseHeld(req);
  }

  async discardHeld(req: HeldLinesRequest): Promise<ConsoleResult<{ lines: number }>> {
    return this.pieces.publisher.discardHeld(req);
  }

  startSource(source: SttSourceKind, opts: { language?: ConsoleSttLanguage }): Promise<ConsoleResult<void>> {
    return this.pieces.stt.start(source, opts);
  }

  stopSource(source: SttSourceKind): Promise<ConsoleResult<void>> {
    return this.pieces.stt.stop(source);
  }

  pushAudio(source: SttSourceKind, frame: Float32Array): void {
    this.pieces.stt.push(source, frame);
  }

  sendVoiceNow(id: string): Promise<ConsoleResult<void>> {
    return this.pieces.stt.voice.sendNow(id);
  }

  async cancelVoice(id: string): Promise<ConsoleResult<void>> {
    return this.pieces.stt.voice.cancel(id);
  }

  async importGlossary(csvText: string): Promise<ConsoleResult<GlossaryImport>> {
    const parsed = parseGlossaryCsv(csvText);
    if (!parsed.ok) return fail(CONSOLE_ERROR_CODES.GLOSSARY_INVALID, parsed.error.message);
    await this.settings.update({ glossary: parsed.value });
    return ok({ terms: parsed.value.length, promptCarries: glossaryPromptShortfall(parsed.value) });
  }

  async listModels(): Promise<ConsoleResult<ConsoleModelInfo[]>> {
    const listed = await listConsoleModels(this.options.modelDirs ?? []);
    if (!listed.ok) return listed;
    const runs = this.pieces.modelRuns;
    return ok(listed.value.map((m) => {
      const lastRun = runs.get(m.file);
      return lastRun ? { ...m, lastRun } : m;
    }));
  }

  importModel(path: string): Promise<ConsoleResult<ConsoleModelInfo>> {
    return importConsoleModel(this.options.modelDirs ?? [], path, this.logger);
  }

  requestHandover(): Promise<ConsoleResult<void>> {
    return this.pieces.handover.request();
  }

  offerHandover(): Promise<ConsoleResult<void>> {
    return this.pieces.handover.offer();
  }

  cancelHandover(): Promise<ConsoleResult<void>> {
    return this.pieces.handover.cancel();
  }

  respondHandover(accept: boolean): Promise<ConsoleResult<void>> {
    return this.pieces.handover.respond(accept);
  }

  async exportSession(channel: string, format: ExportFormat): Promise<ConsoleResult<string>> {
    return ok(this.pieces.session.export(channel, format));
  }

  async startNewSession(): Promise<ConsoleResult<SessionInfo>> {
    return ok(await this.pieces.session.startNew());
  }

  getJoinDetails(): Promise<ConsoleResult<JoinInfo>> {
    return this.pieces.connection.joinDetails();
  }

  async listMonitors(): Promise<ConsoleResult<MonitorInfo[]>> {
    return ok(this.options.displays?.listMonitors() ?? []);
  }

  async openDisplayWindow(opts: OpenDisplay): Promise<ConsoleResult<void>> {
    if (!this.options.displays) return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'Open the display link in a browser on the room screen.');
    const base = this.pieces.connection.hostedUrl ?? this.settings.value.hubUrl;
    let url = displayUrl(base, this.settings.value.room, opts.channels);
    if (opts.theme) url += `&theme=${opts.theme}`;
    return consoleResult(this.options.displays.open(url, opts));
  }

  async listOutputs(): Promise<ConsoleResult<OutputStatus[]>> {
    const target = this.outputsTarget();
    return target.ok ? fetchHubOutputs(target.value) : target;
  }

  async setOutputEnabled(id: string, enabled: boolean): Promise<ConsoleResult<OutputStatus>> {
    const target = this.outputsTarget();
    if (!target.ok) return target;
    const result = await switchHubOutput(target.value, id, enabled);
    if (result.ok) this.logger.info(enabled ? 'platform output switched on' : 'platform output switched off', { output: id });
    return result;
  }

  /** The hub the operator's output requests go to, with the room secret. */
  private outputsTarget(): ConsoleResult<HubOutputsTarget> {
    const settings = this.settings.value;
    if (settings.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Platform outputs are the caption operator\'s.');
    const url = this.pieces.connection.linkedUrl;
    if (url === '') return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to a hub.');
    return ok({ url, secret: settings.hubMode === 'host' ? settings.hostSecret : settings.secret });
  }

  /**
   * Makes a followed room the active one (see {@link ConsoleApi.switchRoom}); resolves once the console's link went
   * to it (connected, or failed: the hub status says why).
   */
  async switchRoom(room: string): Promise<ConsoleResult<void>> {
    const { connection, publisher, stt, rooms } = this.pieces;
    const settings = this.settings.value;
    if (settings.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only an operator console switches rooms.');
    if (settings.hubMode !== 'join') return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, "This console hosts its room's hub: it follows other rooms when it joins a hub.");
    if (room === settings.room) return ok(undefined);
    if (!settings.watchRooms.some((w) => w.room === room)) return fail('NOT_FOUND', `${room} is not among the rooms this console follows: add it in the settings first.`);
    const refusal = rooms.refusalOf(room);
    if (refusal) return fail(refusal.code, `${room} refuses this console (${refusal.message}): check its secret in the settings.`);
    const busy = [...publisher.onItsWay(), ...stt.onItsWay()];
    if (busy.length > 0) return { ok: false, error: roomBusyError(settings.room, room, busy) };
    const change = roomSwitchChange(settings, room, rooms.channelsOf(room));
    if (!change) return fail('NOT_FOUND', `${room} is not among the rooms this console follows.`);
    this.logger.info('switching rooms', { from: settings.room, to: room });
    await this.settings.update(change);
    await connection.settled();
    return ok(undefined);
  }

  /** Stops sources, closes the hub link (and the embedded hub) and the session record. Settings stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pieces.stt.close();
    this.pieces.rooms.close();
    this.events.close();
    await this.pieces.connection.close();
    await this.pieces.session.close();
    await this.pieces.modelRuns.flushed();
    await this.lock?.release();
    this.logger.info('console closed', {});
  }

  /** The base URL of the hub this console is linked to (embedded or joined), or '' when not linked. */
  get currentHubUrl(): string {
    return this.pieces.connection.linkedUrl;
  }

  /** The embedded hub's base URL (host mode), for tests and the shell. */
  get hostedHubUrl(): string | null {
    return this.pieces.connection.hostedUrl;
  }
}
