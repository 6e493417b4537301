/**
 * The booth console's core: everything the console does that is not drawing. Runs in Node (the Electron main
 * process, or headless for a browser-only console and the tests) and never imports electron: the shell injects
 * what differs (how speech-to-text workers are spawned, how display windows open).
 *
 * It owns the settings (persisted), the hub connection (hosting the hub embedded, or joining one), the outbox
 * of lines, the room view, the speech-to-text sources (floor → `floor` channel and, with auto-routing, the
 * detected language's channel; voice → the booth's own channel after a review window), channel mutes, the
 * glossary, handover between the two consoles of a booth, and the session record.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { basename, join, resolve } from 'node:path';
import QRCode from 'qrcode';
import { importModelFile } from '../../models/import';
import { listInstalledModels } from '../../models/installed';
import { describeModel as describeModelInfo, type ModelInfo } from '../../models/validate';
import { z } from 'zod';
import { startCaptionHub, type CaptionHub, type HubLogger } from '../hub/index';
import { attachBoothRelay, type BoothRelay } from '../hub/booth-relay';
import { displayUrl } from '../common/hub-config';
import { parseGlossaryCsv } from '../common/glossary';
import { FLOOR_CHANNEL, type ChannelChange, type Notice, type PartialUpdate, type PublishLine, type SubscribeResult } from '../common/protocol';
import { fail, ok, type ErrorInfo, type Result } from '../common/result';
import type { CaptionEvent, SttStatusEvent } from '../common/stt-protocol';
import {
  CONSOLE_ERROR_CODES,
  consolePublishSchema,
  consoleRequestSchemas,
  consoleReviseSchema,
  type ConsoleApi,
  type ConsoleEventName,
  type ConsoleEvents,
  type ConsoleModelInfo,
  type ConsolePublish,
  type ConsolePublishAck,
  type ConsoleRevise,
  type ConsoleSnapshot,
  type ConsoleSttLanguage,
  type ExportFormat,
  type HandoverState,
  type HubStatus,
  type MonitorInfo,
  type OpenDisplay,
  type PendingVoiceLine,
  type PublicSettings,
  type SessionInfo,
  type Settings,
  type SettingsPatch,
  type SttSourceKind,
  type SttStatus,
} from '../common/console-api';
import { HubLink, type HubLinkStatus } from './hub-link';
import { SessionRecord } from './session-record';
import { describeIssues, redactSettings, SettingsStore, writeFileAtomic } from './settings-store';
import { toSttGlossary, type SttSourceFactory, type SttSourceHandle } from './stt-source';

/** Where the core writes its log. Callers never pass secrets; the core never logs settings values. */
export interface CoreLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Writes one JSON-fielded line per event to standard error. */
export const stderrCoreLogger: CoreLogger = {
  info: (m, f) => process.stderr.write(`${new Date().toISOString()} console info ${m}${f ? ` ${JSON.stringify(f)}` : ''}\n`),
  warn: (m, f) => process.stderr.write(`${new Date().toISOString()} console warn ${m}${f ? ` ${JSON.stringify(f)}` : ''}\n`),
  error: (m, f) => process.stderr.write(`${new Date().toISOString()} console error ${m}${f ? ` ${JSON.stringify(f)}` : ''}\n`),
};

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
}

/** What survives a restart besides settings: identity, the open session, whether the hub was connected. */
const consoleStateSchema = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9_.:-]{4,64}$/),
  sessionId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  hubWanted: z.boolean(),
  onAir: z.boolean(),
});
type ConsoleState = z.infer<typeof consoleStateSchema>;

const CONSOLE_STATE_FILE = 'console-state.json';

/** Settings that change how the console reaches the hub: changing one while connected reconnects. */
const CONNECTION_SETTINGS = ['hubMode', 'hubUrl', 'hostPort', 'hostAddress', 'hostChannels', 'room', 'role', 'channel', 'secret', 'label'] as const;

function newSessionId(): string {
  const d = new Date();
  const stamp = d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The LAN IPv4 addresses of this machine (non-internal), for display URLs. */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const addr of list ?? []) {
      if (addr.family === 'IPv4' && !addr.internal) found.push(addr.address);
    }
  }
  return found;
}

const EMPTY_HUB_STATUS = (mode: Settings['hubMode']): HubStatus => ({
  mode,
  state: 'disconnected',
  url: null,
  latencyMs: null,
  error: null,
  displayUrls: [],
  qrDataUrl: null,
  outboxPending: 0,
  displayLinks: {},
});

/** The console core. Create with {@link ConsoleCore.create}; `close()` when done. */
export class ConsoleCore implements ConsoleApi {
  private readonly listeners = new Map<ConsoleEventName, Set<(payload: unknown) => void>>();
  private readonly logger: CoreLogger;
  private readonly settings: SettingsStore;
  private state!: ConsoleState;
  private session!: SessionRecord;
  private hub: CaptionHub | null = null;
  private relay: BoothRelay | null = null;
  private link: HubLink | null = null;
  private hubStatus: HubStatus;
  private readonly stt = new Map<SttSourceKind, { handle: SttSourceHandle; status: SttStatus; language: ConsoleSttLanguage }>();
  private readonly sttStatus: Record<SttSourceKind, SttStatus> = {
    floor: { source: 'floor', status: 'stopped' },
    voice: { source: 'voice', status: 'stopped' },
  };
  private readonly pendingVoice = new Map<string, { line: PendingVoiceLine; timer: NodeJS.Timeout }>();
  private readonly held = new Map<string, ConsolePublish[]>();
  /** Channels an operator muted room-wide (from the hub). */
  private hubMuted = new Set<string>();
  private readonly lineStarts = new Map<string, number>();
  private handover: HandoverState = { onAir: false, outgoing: null, incoming: null };
  private stateChangedQueued = false;
  private idCounter = 0;
  /** The first hub connection after start resends what the previous run left unacknowledged. */
  private recoveryPending = true;
  private hubQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly options: ConsoleCoreOptions) {
    this.logger = options.logger ?? stderrCoreLogger;
    this.settings = new SettingsStore(options.dataDir);
    this.hubStatus = EMPTY_HUB_STATUS('host');
  }

  /** Loads settings and state, reopens the session record, and reconnects to the hub if it was connected. */
  static async create(options: ConsoleCoreOptions): Promise<ConsoleCore> {
    const core = new ConsoleCore(options);
    await core.init();
    return core;
  }

  private async init(): Promise<void> {
    await mkdir(this.options.dataDir, { recursive: true }).catch(() => undefined);
    const settings = await this.settings.load();
    this.hubStatus = EMPTY_HUB_STATUS(settings.hubMode);
    this.state = await this.loadState();
    this.handover.onAir = settings.role === 'operator' || this.state.onAir;
    await this.openSession(this.state.sessionId);
    this.logger.info('console started', {
      dataDir: this.options.dataDir,
      session: this.state.sessionId,
      recovered: this.session.recovered,
      hubMode: settings.hubMode,
      role: settings.role,
    });
    if (this.state.hubWanted && (this.options.restoreConnection ?? true)) void this.connectHub();
  }

  private async loadState(): Promise<ConsoleState> {
    const file = join(this.options.dataDir, CONSOLE_STATE_FILE);
    try {
      const parsed = consoleStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // Missing or damaged: a fresh identity below.
    }
    const fresh: ConsoleState = { clientId: `c-${randomBytes(6).toString('hex')}`, sessionId: newSessionId(), hubWanted: false, onAir: false };
    await this.saveState(fresh);
    return fresh;
  }

  private async saveState(state: ConsoleState): Promise<void> {
    this.state = state;
    try {
      await writeFileAtomic(join(this.options.dataDir, CONSOLE_STATE_FILE), `${JSON.stringify(state)}\n`);
    } catch (err) {
      this.logger.warn('console state not saved', { code: (err as NodeJS.ErrnoException).code });
    }
  }

  private async openSession(sessionId: string): Promise<void> {
    this.session = await SessionRecord.open({
      dir: join(this.options.dataDir, 'sessions', sessionId),
      sessionId,
      onError: (error) => {
        if (error) {
          this.logger.error('session record not written', { code: error.code, file: this.session?.file });
          this.emit('console:error', error);
        } else {
          this.logger.info('session record written again', {});
        }
        this.queueStateChanged();
      },
    });
    if (this.session.error) this.emit('console:error', this.session.error);
  }

  // ---- events ---------------------------------------------------------------------------------------------

  on<E extends ConsoleEventName>(event: E, fn: ConsoleEvents[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const listener = fn as unknown as (payload: unknown) => void;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<E extends ConsoleEventName>(event: E, payload: Parameters<ConsoleEvents[E]>[0]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        fn(payload);
      } catch (err) {
        this.logger.error('event listener failed', { event, error: String(err) });
      }
    }
  }

  /** Coalesces state notifications: one `state:changed` per turn of the event loop. */
  private queueStateChanged(): void {
    if (this.stateChangedQueued || this.closed) return;
    this.stateChangedQueued = true;
    setImmediate(() => {
      this.stateChangedQueued = false;
      if (!this.closed) this.emit('state:changed', this.snapshot());
    });
  }

  // ---- state ----------------------------------------------------------------------------------------------

  private snapshot(): ConsoleSnapshot {
    const heldByMute: Record<string, number> = {};
    for (const [ch, lines] of this.held) if (lines.length > 0) heldByMute[ch] = lines.length;
    const session: SessionInfo = {
      id: this.session.sessionId,
      file: this.session.file,
      startedAt: this.session.startedAt,
      lines: this.session.counts(),
      error: this.session.error,
      recovered: this.session.recovered,
    };
    return {
      settings: redactSettings(this.settings.value),
      hub: { ...this.hubStatus },
      stt: { floor: { ...this.sttStatus.floor }, voice: { ...this.sttStatus.voice } },
      handover: { ...this.handover },
      pendingVoice: [...this.pendingVoice.values()].map((p) => ({ ...p.line })),
      session,
      heldByMute,
      hubMutedChannels: [...this.hubMuted].sort(),
      channels: this.roomChannels(),
      shell: this.options.shell ?? 'browser',
      clientId: this.state.clientId,
    };
  }

  private roomChannels(): string[] {
    return this.hub?.rooms.find((r) => r.id === this.settings.value.room)?.channels.slice() ?? [...this.settings.value.hostChannels];
  }

  async getState(): Promise<Result<ConsoleSnapshot>> {
    return ok(this.snapshot());
  }

  async updateSettings(patch: SettingsPatch): Promise<Result<PublicSettings>> {
    const before = this.settings.value;
    const result = await this.settings.update(patch);
    if (!result.ok && result.error.code !== CONSOLE_ERROR_CODES.SETTINGS_WRITE_FAILED) return result;
    if (!result.ok) this.emit('console:error', result.error);
    const after = this.settings.value;
    this.logger.info('settings changed', { keys: Object.keys(patch as object).sort() });
    if (before.role !== after.role) this.handover.onAir = after.role === 'operator' ? true : this.link?.onAir ?? false;
    if (JSON.stringify(before.glossary) !== JSON.stringify(after.glossary)) {
      for (const s of this.stt.values()) s.handle.setGlossary(toSttGlossary(after.glossary));
    }
    if (before.voiceReviewMs !== after.voiceReviewMs && after.voiceReviewMs === 0) {
      for (const id of [...this.pendingVoice.keys()]) void this.sendVoiceNow(id);
    }
    for (const channel of before.mutedChannels) {
      if (!after.mutedChannels.includes(channel)) {
        void this.link?.setMuted(channel, false);
        if (!this.isMuted(channel)) void this.releaseHeld(channel);
      }
    }
    if (after.role === 'operator') {
      for (const channel of after.mutedChannels) if (!before.mutedChannels.includes(channel)) void this.link?.setMuted(channel, true);
    }
    if (before.hubMode !== after.hubMode && !this.link) this.hubStatus = EMPTY_HUB_STATUS(after.hubMode);
    const reconnect = CONNECTION_SETTINGS.some((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
    if (reconnect && this.link) {
      // The connection settings changed while linked: apply them now (displays reconnect and catch up by themselves).
      this.logger.info('hub settings changed; reconnecting', {});
      void this.connectHub();
    }
    this.queueStateChanged();
    return ok(redactSettings(after));
  }

  // ---- hub ------------------------------------------------------------------------------------------------

  connectHub(): Promise<Result<HubStatus>> {
    return this.serialHub(() => this.connectHubNow());
  }

  disconnectHub(): Promise<Result<void>> {
    return this.serialHub(() => this.disconnectHubNow());
  }

  /** Runs hub connection changes one at a time (a second Connect waits for the first). */
  private serialHub<T>(task: () => Promise<T>): Promise<T> {
    const run = this.hubQueue.then(task, task);
    this.hubQueue = run.catch(() => undefined);
    return run;
  }

  private async connectHubNow(): Promise<Result<HubStatus>> {
    if (this.closed) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'The console is closing.');
    await this.teardownHub();
    let settings = this.settings.value;
    this.hubStatus = { ...EMPTY_HUB_STATUS(settings.hubMode), state: 'connecting' };
    this.queueStateChanged();
    let url = settings.hubUrl;
    if (settings.hubMode === 'host') {
      const hosted = await this.startHostedHub();
      if (!hosted.ok) {
        this.hubStatus = { ...EMPTY_HUB_STATUS(settings.hubMode), state: 'error', error: hosted.error };
        this.emitHubStatus();
        return fail(hosted.error.code, hosted.error.message);
      }
      url = hosted.value;
      settings = this.settings.value;
    } else if (!/^https?:\/\/[^\s/]+/.test(url)) {
      const error = { code: CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, message: `The hub address "${url}" is not an http(s) URL.` };
      this.hubStatus = { ...EMPTY_HUB_STATUS(settings.hubMode), state: 'error', error };
      this.emitHubStatus();
      return fail(error.code, error.message);
    }
    await this.saveState({ ...this.state, hubWanted: true });
    const link = new HubLink(
      {
        url,
        room: settings.room,
        role: settings.role,
        channel: settings.channel,
        secret: settings.secret,
        clientId: this.state.clientId,
        label: settings.label || `${settings.role} ${settings.channel}`,
        viewChannels: this.roomChannels(),
        wasOnAir: this.state.onAir,
        operatorMutes: settings.role === 'operator' ? settings.mutedChannels : [],
        ...(this.options.pingIntervalMs ? { pingIntervalMs: this.options.pingIntervalMs } : {}),
        ...(this.options.pingTimeoutMs ? { pingTimeoutMs: this.options.pingTimeoutMs } : {}),
        ...(this.options.ackWaitMs ? { ackWaitMs: this.options.ackWaitMs } : {}),
        ...(this.options.resendAfterMs ? { resendAfterMs: this.options.resendAfterMs } : {}),
      },
      {
        status: (s) => this.onLinkStatus(s),
        partial: (u: PartialUpdate) => this.emit('hub:partial', u),
        changed: (c: ChannelChange) => this.emit('hub:changed', c),
        notice: (n: Notice) => this.emit('hub:notice', n),
        acked: (kind, payload) => {
          const line = payload as PublishLine;
          if (kind === 'publish' && line.state === 'final') void this.session.markAcked(line.channel, line.id);
        },
        refused: (kind, key, error, payload) => {
          // Settled for good (the hub will not take it): not retried at the next start either.
          const line = payload as PublishLine | null;
          if (kind === 'publish' && line?.state === 'final') void this.session.markAcked(line.channel, line.id);
          this.logger.warn('hub refused a request', { kind, key, code: error.code });
          this.emit('console:error', { code: error.code, message: `The hub refused a ${kind}: ${error.message}` });
        },
        onAir: (info) => this.setOnAir(info.onAir),
        mutes: (muted) => this.applyHubMutes(muted),
        viewRefused: (error) => {
          this.logger.warn('room view refused', { code: error.code });
          this.emit('console:error', { code: error.code, message: `The room view is empty: ${error.message} (check the room's channels in the settings).` });
        },
        handoverAsked: (e) => {
          this.handover = { ...this.handover, incoming: { ...e, requestedAt: Date.now() } };
          this.emit('handover:requested', e);
          this.queueStateChanged();
        },
        handoverDone: (e) => {
          const outgoing = this.handover.outgoing?.requestId === e.requestId ? null : this.handover.outgoing;
          const incoming = this.handover.incoming?.requestId === e.requestId ? null : this.handover.incoming;
          this.handover = { ...this.handover, outgoing, incoming };
          this.setOnAir(e.onAir);
          this.emit('handover:completed', {
            requestId: e.requestId,
            channel: e.channel,
            outcome: e.outcome === 'reclaimed' ? 'accepted' : e.outcome,
            onAir: e.onAir,
          });
        },
      },
    );
    this.link = link;
    if (this.recoveryPending) {
      this.recoveryPending = false;
      this.resendUnacknowledged(link);
    }
    const connected = await link.connect();
    this.logger.info('hub link', { mode: settings.hubMode, url, room: settings.room, role: settings.role, ok: connected.ok, code: connected.ok ? undefined : connected.error.code });
    this.onLinkStatus(link.status);
    if (!connected.ok) return fail(connected.error.code, connected.error.message);
    return ok({ ...this.hubStatus });
  }

  private async disconnectHubNow(): Promise<Result<void>> {
    await this.teardownHub();
    await this.saveState({ ...this.state, hubWanted: false });
    this.hubStatus = EMPTY_HUB_STATUS(this.settings.value.hubMode);
    this.emitHubStatus();
    return ok(undefined);
  }

  /**
   * Puts the session's committed lines that the hub never acknowledged (the console closed or crashed first)
   * back in the outbox, in order. The hub is idempotent per line id, so one that did arrive is not doubled.
   */
  private resendUnacknowledged(link: HubLink): void {
    const lines = this.session.unacknowledged();
    if (lines.length === 0) return;
    this.logger.info('resending lines the hub never acknowledged', { lines: lines.length });
    for (const line of lines) {
      void link.publish({
        id: line.id,
        channel: line.channel,
        text: line.text,
        state: 'final',
        source: line.source,
        ...(line.lang ? { lang: line.lang } : {}),
        startedAt: line.startedAt,
      });
    }
  }

  private async teardownHub(): Promise<void> {
    this.hubMuted = new Set();
    this.link?.close();
    this.link = null;
    this.relay?.detach();
    this.relay = null;
    const hub = this.hub;
    this.hub = null;
    if (hub) await hub.close().catch((err: unknown) => this.logger.warn('hub close failed', { error: String(err) }));
  }

  /** Starts the embedded hub; resolves with the URL the console itself connects to. */
  private async startHostedHub(): Promise<Result<string>> {
    let settings = this.settings.value;
    if (settings.secret.length < 4) {
      // A hosted room needs a secret: make one (the page shows that one is set, never its value).
      await this.settings.apply({ secret: randomBytes(9).toString('base64url') });
      settings = this.settings.value;
    }
    const logger: HubLogger = {
      info: (m, f) => this.logger.info(`hub: ${m}`, f),
      warn: (m, f) => this.logger.warn(`hub: ${m}`, f),
      error: (m, f) => this.logger.error(`hub: ${m}`, f),
    };
    try {
      this.hub = await startCaptionHub({
        port: settings.hostPort,
        host: settings.hostAddress,
        rooms: [{ id: settings.room, channels: [...settings.hostChannels], secret: settings.secret }],
        dataDir: join(this.options.dataDir, 'hub'),
        ...(this.options.hubStaticDir ? { staticDir: this.options.hubStaticDir } : {}),
        logger,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'UNKNOWN';
      const message =
        code === 'EADDRINUSE'
          ? `Port ${settings.hostPort} is in use on this machine: pick another port or join the hub that runs there.`
          : `The embedded hub did not start (${code}): ${(err as Error).message}`;
      return fail(CONSOLE_ERROR_CODES.HOST_FAILED, message);
    }
    this.relay = attachBoothRelay(this.hub.io);
    const port = this.hub.port;
    const loopbackOnly = settings.hostAddress === '127.0.0.1' || settings.hostAddress === 'localhost' || settings.hostAddress === '::1';
    const hosts = loopbackOnly ? ['127.0.0.1'] : settings.hostAddress === '0.0.0.0' || settings.hostAddress === '::' ? lanAddresses() : [settings.hostAddress];
    if (hosts.length === 0) hosts.push('127.0.0.1');
    const bases = hosts.map((h) => `http://${h}:${port}`);
    const displayLinks: Record<string, string> = {};
    for (const channel of this.roomChannels()) displayLinks[channel] = displayUrl(bases[0]!, settings.room, [channel]);
    const qrDataUrl = await qrSvgDataUrl(`${bases[0]!}/`);
    this.hubStatus = {
      ...this.hubStatus,
      url: this.hub.url,
      displayUrls: bases.map((b) => `${b}/`),
      displayLinks,
      qrDataUrl,
    };
    return ok(this.hub.url);
  }

  private onLinkStatus(s: HubLinkStatus): void {
    const link = this.link;
    const prev = this.hubStatus;
    // A new latency figure alone goes out as `hub:status` only (every few seconds; the snapshot is bigger).
    const onlyLatency = prev.state === s.state && prev.outboxPending === s.outboxPending && prev.error?.code === s.error?.code;
    this.hubStatus = {
      ...this.hubStatus,
      state: s.state,
      latencyMs: s.latencyMs,
      error: s.error,
      outboxPending: s.outboxPending,
      url: this.hub?.url ?? (link ? this.settings.value.hubUrl : null),
    };
    if (onlyLatency) this.emit('hub:status', { ...this.hubStatus });
    else this.emitHubStatus();
  }

  private emitHubStatus(): void {
    this.emit('hub:status', { ...this.hubStatus });
    this.queueStateChanged();
  }

  private setOnAir(onAir: boolean): void {
    const value = this.settings.value.role === 'operator' ? true : onAir;
    if (this.handover.onAir !== value) {
      this.logger.info('on-air changed', { onAir: value, channel: this.settings.value.channel });
    }
    this.handover = { ...this.handover, onAir: value };
    if (this.state.onAir !== onAir) void this.saveState({ ...this.state, onAir });
    this.queueStateChanged();
  }

  async getRoomView(): Promise<Result<SubscribeResult>> {
    if (!this.link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Not connected to a hub.');
    return this.link.roomView();
  }

  // ---- publishing -----------------------------------------------------------------------------------------

  private newLineId(): string {
    return `${this.state.clientId}.${Date.now().toString(36)}.${(++this.idCounter).toString(36)}`;
  }

  /** Checks that this console may write to `channel` now. */
  private mayWrite(channel: string): Result<void> {
    const settings = this.settings.value;
    if (!this.link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    if (!this.roomChannels().includes(channel)) {
      return fail('UNKNOWN_CHANNEL', `The room ${settings.room} has no channel ${channel}.`);
    }
    if (settings.role === 'booth') {
      if (channel !== settings.channel) return fail('FORBIDDEN', `This booth publishes to ${settings.channel} only.`);
      if (!this.handover.onAir) return fail(CONSOLE_ERROR_CODES.NOT_ON_AIR, 'The other console of this booth is on air; request a handover first.');
    }
    return ok(undefined);
  }

  async publish(line: ConsolePublish): Promise<Result<ConsolePublishAck>> {
    const parsed = consolePublishSchema.safeParse(line);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    return this.publishLine({ ...parsed.data, id: parsed.data.id ?? this.newLineId() });
  }

  /** Publishes through mute, session record and outbox. `extra` carries audio times from speech-to-text. */
  private async publishLine(
    line: ConsolePublish & { id: string },
    extra: { audioStart?: number; audioEnd?: number } = {},
  ): Promise<Result<ConsolePublishAck>> {
    const allowed = this.mayWrite(line.channel);
    if (!allowed.ok) return allowed;
    const now = Date.now();
    if (!this.lineStarts.has(line.id)) {
      this.lineStarts.set(line.id, now);
      if (this.lineStarts.size > 5000) this.lineStarts.delete(this.lineStarts.keys().next().value!);
    }
    if (this.isMuted(line.channel)) {
      if (line.state === 'final') {
        let held = this.held.get(line.channel);
        if (!held) this.held.set(line.channel, (held = []));
        held.push(line);
        this.queueStateChanged();
      }
      return ok({ id: line.id, ack: null, status: 'held' });
    }
    return this.sendLine(line, extra);
  }

  private async sendLine(line: ConsolePublish & { id: string }, extra: { audioStart?: number; audioEnd?: number }): Promise<Result<ConsolePublishAck>> {
    const link = this.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    const startedAt = this.lineStarts.get(line.id) ?? Date.now();
    if (line.state === 'final') {
      if (line.text.trim() === '') return fail('INVALID_PAYLOAD', 'A committed line needs text.');
      // Write-ahead: the record has the line before the hub does (bounded wait so a slow disk never stalls captions).
      const recorded = this.session.commit({
        id: line.id,
        channel: line.channel,
        text: line.text,
        source: line.source,
        ...(line.lang ? { lang: line.lang } : {}),
        startedAt,
      });
      await Promise.race([recorded, new Promise((r) => setTimeout(r, 250))]);
      this.lineStarts.delete(line.id);
      this.queueStateChanged();
    }
    const wire: PublishLine = {
      id: line.id,
      channel: line.channel,
      text: line.text,
      state: line.state,
      source: line.source,
      ...(line.lang ? { lang: line.lang } : {}),
      ...(extra.audioStart !== undefined ? { audioStart: extra.audioStart } : {}),
      ...(extra.audioEnd !== undefined && (extra.audioStart === undefined || extra.audioEnd >= extra.audioStart) ? { audioEnd: extra.audioEnd } : {}),
      startedAt,
    };
    const result = await link.publish(wire);
    if (!result.ok) return result;
    return ok({ id: line.id, ack: result.value, status: result.value ? 'sent' : 'queued' });
  }

  async revise(req: ConsoleRevise): Promise<Result<ConsolePublishAck>> {
    const parsed = consoleReviseSchema.safeParse(req);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    const allowed = this.mayWrite(parsed.data.channel);
    if (!allowed.ok) return allowed;
    if (parsed.data.text.trim() === '') return fail('INVALID_PAYLOAD', 'A correction needs text (clear the channel to remove lines).');
    void this.session.revise(parsed.data.channel, parsed.data.id, parsed.data.text);
    const result = await this.link!.revise(parsed.data);
    if (!result.ok) return result;
    return ok({ id: parsed.data.id, ack: result.value, status: result.value ? 'sent' : 'queued' });
  }

  async clearChannel(channel: string): Promise<Result<void>> {
    const parsed = consoleRequestSchemas.clearChannel.safeParse([channel]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    const allowed = this.mayWrite(channel);
    if (!allowed.ok) return allowed;
    void this.session.clear(channel);
    const result = await this.link!.clear(channel);
    return result.ok ? ok(undefined) : result;
  }

  async clearAllChannels(): Promise<Result<void>> {
    if (this.settings.value.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator clears every channel.');
    for (const channel of this.roomChannels()) {
      const r = await this.clearChannel(channel);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  async showNotice(text: string | null, ttlMs?: number): Promise<Result<void>> {
    const parsed = consoleRequestSchemas.showNotice.safeParse(ttlMs === undefined ? [text] : [text, ttlMs]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    if (this.settings.value.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator shows notices.');
    if (!this.link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    const result = await this.link.notice(text === null || text.trim() === '' ? null : text, ttlMs);
    return result.ok ? ok(undefined) : result;
  }

  async setAutoRouting(on: boolean): Promise<Result<void>> {
    if (typeof on !== 'boolean') return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, 'on is a boolean');
    const r = await this.updateSettings({ autoRouting: on });
    return r.ok ? ok(undefined) : r;
  }

  async setChannelMuted(channel: string, muted: boolean): Promise<Result<void>> {
    const parsed = consoleRequestSchemas.setChannelMuted.safeParse([channel, muted]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    if (this.settings.value.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator mutes a channel.');
    const current = this.settings.value.mutedChannels;
    const next = muted ? [...new Set([...current, channel])] : current.filter((c) => c !== channel);
    const r = await this.updateSettings({ mutedChannels: next });
    return r.ok ? ok(undefined) : r;
  }

  /** Whether lines to `channel` are held: muted by this operator console, or room-wide by an operator. */
  private isMuted(channel: string): boolean {
    return this.settings.value.mutedChannels.includes(channel) || this.hubMuted.has(channel);
  }

  private applyHubMutes(muted: string[]): void {
    const before = this.hubMuted;
    this.hubMuted = new Set(muted);
    for (const channel of before) if (!this.hubMuted.has(channel) && !this.isMuted(channel)) void this.releaseHeld(channel);
    this.queueStateChanged();
  }

  /** Sends the finals held while a channel was muted, in order. */
  private async releaseHeld(channel: string): Promise<void> {
    const lines = this.held.get(channel) ?? [];
    this.held.delete(channel);
    for (const line of lines) {
      const r = await this.sendLine(line as ConsolePublish & { id: string }, {});
      if (!r.ok) this.emit('console:error', { code: r.error.code, message: `A held line was not sent: ${r.error.message}` });
    }
    this.queueStateChanged();
  }

  // ---- speech-to-text -------------------------------------------------------------------------------------

  async startSource(source: SttSourceKind, opts: { language?: ConsoleSttLanguage }): Promise<Result<void>> {
    const parsed = consoleRequestSchemas.startSource.safeParse([source, opts ?? {}]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    const factory = this.options.sttFactory;
    if (!factory) return fail(CONSOLE_ERROR_CODES.STT_FAILED, 'Speech-to-text is not available in this console.');
    await this.stopSource(source);
    const settings = this.settings.value;
    const language = parsed.data[1].language ?? (source === 'floor' ? settings.floorLanguage : settings.voiceLanguage);
    const model = this.options.resolveModel ? await this.options.resolveModel(settings.model) : settings.model ? ok(settings.model) : fail(CONSOLE_ERROR_CODES.STT_FAILED, 'No speech-to-text model is set.');
    if (!model.ok) {
      this.setSttStatus(source, { source, status: 'failed', reason: model.error.message });
      return model;
    }
    const idPrefix = `${this.state.clientId}.${Date.now().toString(36)}.${source === 'floor' ? 'f' : 'v'}`;
    this.setSttStatus(source, { source, status: 'loading' });
    const handle = factory(
      { source, language, modelPath: model.value, glossary: toSttGlossary(settings.glossary), idPrefix },
      {
        caption: (e) => this.onSttCaption(source, e),
        status: (e) => this.onSttStatus(source, e),
        dropped: (samples) => {
          this.sttStatus[source] = { ...this.sttStatus[source], droppedFrames: samples };
        },
      },
    );
    this.stt.set(source, { handle, status: this.sttStatus[source], language });
    this.logger.info('speech-to-text started', { source, language });
    return ok(undefined);
  }

  async stopSource(source: SttSourceKind): Promise<Result<void>> {
    const running = this.stt.get(source);
    this.stt.delete(source);
    if (running) await running.handle.stop().catch(() => undefined);
    this.setSttStatus(source, { source, status: 'stopped' });
    return ok(undefined);
  }

  pushAudio(source: SttSourceKind, frame: Float32Array): void {
    if (!(frame instanceof Float32Array) || frame.length === 0 || frame.length > 16_000 * 5) return;
    this.stt.get(source)?.handle.push(frame);
  }

  private setSttStatus(source: SttSourceKind, status: SttStatus): void {
    const prev = this.sttStatus[source].status;
    this.sttStatus[source] = status;
    this.emit('stt:status', { ...status });
    // busy <-> ready flips with every decoding pass: `stt:status` carries it, no full snapshot each time.
    const passFlip = (prev === 'busy' && status.status === 'ready') || (prev === 'ready' && status.status === 'busy');
    if (!passFlip) this.queueStateChanged();
  }

  private onSttStatus(source: SttSourceKind, e: SttStatusEvent): void {
    if (!this.stt.has(source)) return;
    this.setSttStatus(source, {
      source,
      status: e.state,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(this.sttStatus[source].droppedFrames ? { droppedFrames: this.sttStatus[source].droppedFrames } : {}),
      ...(e.realtime ? { realtime: e.realtime } : {}),
    });
  }

  private onSttCaption(source: SttSourceKind, e: CaptionEvent): void {
    if (!this.stt.has(source)) return;
    this.emit('stt:caption', {
      source,
      id: e.id,
      state: e.state,
      text: e.text,
      start: e.start,
      end: e.end,
      lang: e.lang,
      ...(e.uncertain ? { uncertain: e.uncertain } : {}),
    });
    if (source === 'floor') this.routeFloor(e);
    else this.routeVoice(e);
  }

  /** Floor captions: partials and finals to `floor`; with auto-routing, finals also to the language's channel. */
  private routeFloor(e: CaptionEvent): void {
    const settings = this.settings.value;
    if (!this.link || !settings.publishFloor) return;
    const lang = /^[a-z]{2}$/.test(e.lang) ? e.lang : undefined;
    const channels = this.roomChannels();
    const canFloor = channels.includes(FLOOR_CHANNEL) && (settings.role === 'operator' || settings.channel === FLOOR_CHANNEL);
    const times = { audioStart: e.start, audioEnd: e.end };
    if (canFloor && (e.state === 'final' ? e.text.trim() !== '' : true)) {
      void this.publishLine({ id: e.id, channel: FLOOR_CHANNEL, text: e.text, state: e.state, source: 'floor-stt', ...(lang ? { lang } : {}) }, times).then((r) => {
        if (!r.ok && e.state === 'final') this.emit('console:error', { code: r.error.code, message: `A floor line was not sent: ${r.error.message}` });
      });
    }
    if (
      e.state === 'final' &&
      e.text.trim() !== '' &&
      settings.autoRouting &&
      settings.role === 'operator' &&
      lang &&
      lang !== FLOOR_CHANNEL &&
      channels.includes(lang)
    ) {
      void this.publishLine({ id: `${e.id}.${lang}`, channel: lang, text: e.text, state: 'final', source: 'floor-stt', lang }, times);
    }
  }

  /** Voice captions: finals go to the booth's channel after the review window (0 = at once, partials too). */
  private routeVoice(e: CaptionEvent): void {
    const settings = this.settings.value;
    if (!this.link) return;
    const channel = settings.channel;
    const lang = /^[a-z]{2}$/.test(e.lang) ? e.lang : undefined;
    const times = { audioStart: e.start, audioEnd: e.end };
    if (settings.voiceReviewMs === 0) {
      if (e.state === 'final' && e.text.trim() === '') return;
      void this.publishLine({ id: e.id, channel, text: e.text, state: e.state, source: 'voice-stt', ...(lang ? { lang } : {}) }, times);
      return;
    }
    if (e.state !== 'final' || e.text.trim() === '') return;
    const line: PendingVoiceLine = { id: e.id, channel, text: e.text, lang: lang ?? settings.voiceLanguage, sendAt: Date.now() + settings.voiceReviewMs };
    const timer = setTimeout(() => void this.sendVoiceNow(e.id), settings.voiceReviewMs);
    this.pendingVoice.set(e.id, { line, timer });
    this.emitPendingVoice();
  }

  private emitPendingVoice(): void {
    this.emit('voice:pending', [...this.pendingVoice.values()].map((p) => ({ ...p.line })));
    this.queueStateChanged();
  }

  async sendVoiceNow(id: string): Promise<Result<void>> {
    const pending = this.pendingVoice.get(id);
    if (!pending) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No voice line with this id is waiting (sent or cancelled already).');
    clearTimeout(pending.timer);
    this.pendingVoice.delete(id);
    this.emitPendingVoice();
    const { line } = pending;
    const r = await this.publishLine({
      id: line.id,
      channel: line.channel,
      text: line.text,
      state: 'final',
      source: 'voice-stt',
      ...(/^[a-z]{2}$/.test(line.lang) ? { lang: line.lang } : {}),
    });
    if (!r.ok) {
      this.emit('console:error', { code: r.error.code, message: `A voice line was not sent: ${r.error.message}` });
      return r;
    }
    return ok(undefined);
  }

  async cancelVoice(id: string): Promise<Result<void>> {
    const pending = this.pendingVoice.get(id);
    if (!pending) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No voice line with this id is waiting (sent or cancelled already).');
    clearTimeout(pending.timer);
    this.pendingVoice.delete(id);
    this.emitPendingVoice();
    return ok(undefined);
  }

  // ---- glossary, handover, session, displays --------------------------------------------------------------

  async importGlossary(csvText: string): Promise<Result<{ terms: number }>> {
    if (typeof csvText !== 'string') return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, 'csvText is a string');
    const parsed = parseGlossaryCsv(csvText);
    if (!parsed.ok) return fail(CONSOLE_ERROR_CODES.GLOSSARY_INVALID, parsed.error.message);
    const r = await this.updateSettings({ glossary: parsed.value });
    if (!r.ok) return r;
    return ok({ terms: parsed.value.length });
  }

  // ---- models ------------------------------------------------------------------------------------------------

  async listModels(): Promise<Result<ConsoleModelInfo[]>> {
    const seen = new Set<string>();
    const out: ConsoleModelInfo[] = [];
    for (const dir of this.options.modelDirs ?? []) {
      for (const m of await listInstalledModels(dir)) {
        if (seen.has(m.file)) continue; // the first folder wins, as in the model lookup
        seen.add(m.file);
        out.push(describeModel(m.file, m.path, m.info, m.error));
      }
    }
    return ok(out);
  }

  async importModel(source: string): Promise<Result<ConsoleModelInfo>> {
    const parsed = consoleRequestSchemas.importModel.safeParse([source]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, 'path is a file path');
    const dir = this.options.modelDirs?.[0];
    if (!dir) return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'This console has no model folder to import into.');
    const from = resolve(source.trim());
    const result = await importModelFile(from, dir);
    if (!result.ok) return result;
    this.logger.info('model imported', { from, dir });
    return ok(describeModel(basename(result.value.path), result.value.path, result.value));
  }

  async requestHandover(): Promise<Result<void>> {
    if (this.settings.value.role !== 'booth') return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'Handover is between the two consoles of a booth.');
    if (!this.link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    if (this.handover.onAir) return fail('CONFLICT', 'This console is already on air.');
    const requestId = `h-${randomBytes(6).toString('hex')}`;
    const channel = this.settings.value.channel;
    this.handover = { ...this.handover, outgoing: { requestId, channel, requestedAt: Date.now() } };
    this.queueStateChanged();
    const r = await this.link.requestHandover(requestId);
    if (!r.ok) {
      this.handover = { ...this.handover, outgoing: null };
      this.queueStateChanged();
      return r;
    }
    if (r.value.granted) {
      this.handover = { ...this.handover, outgoing: null };
      this.setOnAir(true);
      this.emit('handover:completed', { requestId, channel, outcome: 'accepted', onAir: true });
    }
    return ok(undefined);
  }

  async respondHandover(accept: boolean): Promise<Result<void>> {
    if (typeof accept !== 'boolean') return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, 'accept is a boolean');
    const incoming = this.handover.incoming;
    if (!incoming) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No handover request is waiting.');
    if (!this.link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    const r = await this.link.respondHandover(incoming.requestId, accept);
    if (!r.ok) {
      this.handover = { ...this.handover, incoming: null };
      this.queueStateChanged();
      return r;
    }
    return ok(undefined);
  }

  async exportSession(channel: string, format: ExportFormat): Promise<Result<string>> {
    const parsed = consoleRequestSchemas.exportSession.safeParse([channel, format]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    return ok(this.session.export(channel, format));
  }

  async startNewSession(): Promise<Result<SessionInfo>> {
    await this.session.close();
    const sessionId = newSessionId();
    await this.saveState({ ...this.state, sessionId });
    await this.openSession(sessionId);
    this.queueStateChanged();
    return ok(this.snapshot().session);
  }

  async listMonitors(): Promise<Result<MonitorInfo[]>> {
    return ok(this.options.displays?.listMonitors() ?? []);
  }

  async openDisplayWindow(opts: OpenDisplay): Promise<Result<void>> {
    const parsed = consoleRequestSchemas.openDisplayWindow.safeParse([opts]);
    if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, describeIssues(parsed.error.issues));
    if (!this.options.displays) return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'Open the display link in a browser on the room screen.');
    const base = this.hub ? this.hub.url : this.settings.value.hubUrl;
    let url = displayUrl(base, this.settings.value.room, parsed.data[0].channels);
    if (parsed.data[0].theme) url += `&theme=${parsed.data[0].theme}`;
    return this.options.displays.open(url, parsed.data[0]);
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  /** Stops sources, closes the hub link (and the embedded hub) and the session record. Settings stay on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const p of this.pendingVoice.values()) clearTimeout(p.timer);
    this.pendingVoice.clear();
    for (const source of [...this.stt.keys()]) await this.stopSource(source);
    this.closed = true;
    await this.serialHub(() => this.teardownHub());
    await this.session.close();
    this.logger.info('console closed', {});
  }

  /** The base URL of the hub this console is linked to (embedded or joined), or '' when not linked. */
  get currentHubUrl(): string {
    if (!this.link) return '';
    return this.hub?.url ?? this.settings.value.hubUrl;
  }

  /** The embedded hub's base URL (host mode), for tests and the shell. */
  get hostedHubUrl(): string | null {
    return this.hub?.url ?? null;
  }
}

/** A QR code of `text` as an SVG data URL (shown by the page as an image; the console CSP allows data: images). */
export async function qrSvgDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** Error info for unknown throws at a boundary. */
export function internalError(err: unknown): ErrorInfo {
  return { code: CONSOLE_ERROR_CODES.INTERNAL, message: `Internal error: ${err instanceof Error ? err.message : String(err)}` };
}

/** One line for the settings: what the model is, or why it cannot be used. */
function describeModel(file: string, path: string, info?: ModelInfo, error?: ErrorInfo): ConsoleModelInfo {
  if (!info) return { file, path, valid: false, description: error?.message ?? 'not a usable model' };
  return { file, path, valid: true, description: describeModelInfo(info) };
}
