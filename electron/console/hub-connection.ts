/**
 * The console's hub connection: hosting the hub embedded (host mode) or joining one (join mode), the link to
 * it, and the hub status the page shows. Connection changes run one at a time. It watches the settings that say
 * how to reach the hub: a change while linked reconnects (displays reconnect and catch up by themselves).
 *
 * What the link reports about lines, on-air and mutes goes to the pieces that subscribed ({@link
 * HubConnectionListener}); the room view goes to the page as events.
 */
import { randomBytes } from 'node:crypto';
import type { HubStatus, JoinInfo, Settings } from '../common/console-api';
import { defaultConsoleLabel, joinLink } from '../common/join-link';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleError, type ConsoleResult } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import type { ConsoleStateFile } from './console-state-file';
import { parseHubUrl } from '../common/hub-url';
import { qrSvgDataUrl, startHostedHub, type HostedHub } from './hosted-hub';
import { HubLink, type HubLinkEvents, type HubLinkStatus } from './hub-link';
import type { OutboxRequest } from './hub-outbox';
import type { SettingsKey } from './console-settings';

/** Settings that change how the console reaches the hub: changing one while linked reconnects. */
const CONNECTION_SETTINGS: readonly SettingsKey[] = ['hubMode', 'hubUrl', 'hostPort', 'hostAddress', 'hostChannels', 'room', 'role', 'channel', 'secret', 'hostSecret', 'label'];

/** The name a console goes by in the room: its label, or a readable default ("Arabic booth K"). */
export function consoleLabel(settings: Pick<Settings, 'label' | 'role' | 'channel'>, clientId: string): string {
  return settings.label.trim() || defaultConsoleLabel(settings.role, settings.channel, clientId);
}

/** What a piece of the core hears from the hub connection. */
export type HubConnectionListener = Partial<Pick<HubLinkEvents, 'acked' | 'refused' | 'onAir' | 'handoverAsked' | 'handoverDone' | 'presence' | 'mutes'>> & {
  /** A new link exists (before it connects). */
  linked?(link: HubLink): void;
  /** The link is gone (disconnect, reconnect with new settings, close). */
  unlinked?(): void;
};

/** Options of {@link HubConnection}. */
export interface HubConnectionOptions {
  /** The embedded hub keeps its journal under `<dataDir>/hub`. */
  dataDir: string;
  /** Built renderer directory (display page) served by the embedded hub. */
  hubStaticDir?: string;
  /** Hub link timings (tests shorten them). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  ackWaitMs?: number;
  resendAfterMs?: number;
}

/** The alert key of what the hub refused or took (console-alerts.ts): a request's channel, a notice, the on-air claim. */
function alertKeyOf(request: OutboxRequest | null): string {
  if (!request) return 'handover';
  return request.kind === 'notice' ? 'notice' : `channel:${request.payload.channel}`;
}

function emptyStatus(mode: Settings['hubMode'], error: ConsoleError | null = null): HubStatus {
  return {
    mode,
    state: error ? 'error' : 'disconnected',
    url: null,
    latencyMs: null,
    error,
    displayUrls: [],
    qrDataUrl: null,
    outboxPending: 0,
    displayLinks: {},
    delivery: { state: 'failing', reason: error?.message ?? 'Not connected to a hub.', oldestPendingMs: null },
    displays: null,
  };
}

/** The hub connection of a console. */
export class HubConnection {
  private hosted: HostedHub | null = null;
  private current: HubLink | null = null;
  /** The last connect failed before a link existed: a change of the connection settings tries again. */
  private lastAttemptFailed = false;
  private hubStatus: HubStatus;
  private readonly listeners: HubConnectionListener[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Between a Connect and a Disconnect (also while a link is being replaced, or retrying). */
  private wantedNow = false;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly state: ConsoleStateFile,
    private readonly options: HubConnectionOptions,
  ) {
    this.hubStatus = emptyStatus(ctx.settings.value.hubMode);
    ctx.settings.watch(['hubMode'], (after) => {
      if (!this.current) this.hubStatus = emptyStatus(after.hubMode);
    });
    ctx.settings.watch(CONNECTION_SETTINGS, () => {
      // Linked, or the last attempt failed (a wrong address, port or secret, now corrected): try again. A flag,
      // not the status: a change of hub mode resets the status before this runs.
      if (!this.current && !this.lastAttemptFailed) return;
      this.ctx.logger.info('hub settings changed; reconnecting', {});
      void this.connect();
    });
    ctx.settings.watch(['outputs'], (after, before) => {
      // The hosted hub starts its platform outputs with it: a new list takes a restart of the hosted hub (the
      // console relinks at once; its outbox keeps what it sends meanwhile). A joined hub's outputs are its own.
      // A change that also touched the connection reconnects once, above.
      if (CONNECTION_SETTINGS.some((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]))) return;
      if (after.hubMode !== 'host' || (!this.hosted && !this.lastAttemptFailed)) return;
      this.ctx.logger.info('platform outputs changed; restarting the hosted hub', {});
      void this.connect();
    });
  }

  /** The link to the hub, or null when not linked. */
  get link(): HubLink | null {
    return this.current;
  }

  /**
   * Whether the console means to be on the hub: from a Connect until a Disconnect, also while a link is replaced by
   * the next (a change of settings) or retries. Pieces that follow the link without needing its socket (the room
   * monitors) stay through a relink.
   */
  get wanted(): boolean {
    return this.wantedNow;
  }

  /** The hub status as the page shows it. */
  get status(): HubStatus {
    return { ...this.hubStatus };
  }

  /** The embedded hub's base URL (host mode). */
  get hostedUrl(): string | null {
    return this.hosted?.url ?? null;
  }

  /**
   * Host mode while hosting: how other consoles join (the hub on this machine's first venue address, the room, its
   * secret, the join link and its QR code).
   */
  async joinDetails(): Promise<ConsoleResult<JoinInfo>> {
    const settings = this.ctx.settings.value;
    if (settings.hubMode !== 'host') return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'This console joins a hub elsewhere: the join details are on the console that hosts it.');
    const hosted = this.hosted;
    if (!hosted) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Host the room first (Connect).');
    const details = { hubUrl: (hosted.displayUrls[0] ?? hosted.url).replace(/\/+$/, ''), room: settings.room, secret: settings.hostSecret };
    const link = joinLink(details);
    return ok({ ...details, link, qrDataUrl: await qrSvgDataUrl(link) });
  }

  /** The embedded hub's channels (host mode), else null. */
  get hostedChannels(): readonly string[] | null {
    return this.hosted?.channels ?? null;
  }

  /** Which hub and room the current link goes to (`url|room`), or null when not linked. */
  get linkKey(): string | null {
    return this.current ? `${this.linkedUrl}|${this.ctx.settings.value.room}` : null;
  }

  /** The base URL of the hub this console is linked to (embedded or joined), or '' when not linked. */
  get linkedUrl(): string {
    if (!this.current) return '';
    return this.hosted?.url ?? this.ctx.settings.value.hubUrl;
  }

  /** Resolves once the connection changes asked for so far (a reconnect after a settings change) are done. */
  async settled(): Promise<void> {
    await this.queue;
  }

  /** Subscribes a piece of the core to what the link reports. */
  subscribe(listener: HubConnectionListener): void {
    this.listeners.push(listener);
  }

  /** Hosts the hub (host mode) or joins the configured one; resolves once connected or failed. */
  connect(): Promise<ConsoleResult<HubStatus>> {
    return this.serial(() => this.connectNow());
  }

  /** Leaves the hub (and stops the embedded hub); the console no longer links at start. */
  disconnect(): Promise<ConsoleResult<void>> {
    return this.serial(async () => {
      this.lastAttemptFailed = false;
      this.wantedNow = false;
      await this.teardown();
      await this.state.update({ hubWanted: false });
      this.hubStatus = emptyStatus(this.ctx.settings.value.hubMode);
      this.emitStatus();
      return ok(undefined);
    });
  }

  /** Closes the link and the embedded hub for good (the console is closing). */
  close(): Promise<void> {
    this.closed = true;
    this.wantedNow = false;
    return this.serial(() => this.teardown());
  }

  /** Runs connection changes one at a time (a second Connect waits for the first). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private notify(fn: (l: HubConnectionListener) => void): void {
    for (const l of this.listeners) fn(l);
  }

  private failWith(mode: Settings['hubMode'], error: ConsoleError): ConsoleResult<HubStatus> {
    this.lastAttemptFailed = true;
    this.hubStatus = emptyStatus(mode, error);
    this.emitStatus();
    return fail(error.code, error.message);
  }

  private async connectNow(): Promise<ConsoleResult<HubStatus>> {
    if (this.closed) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'The console is closing.');
    this.lastAttemptFailed = false;
    this.wantedNow = true;
    await this.teardown();
    // A new link asks again: what the last one was refused is settled by the answers to this one.
    this.ctx.alert('room-view', null);
    let settings = this.ctx.settings.value;
    this.hubStatus = { ...emptyStatus(settings.hubMode), state: 'connecting' };
    this.ctx.changed();
    let url = settings.hubUrl;
    if (settings.hubMode === 'host') {
      if (settings.hostSecret.length < 4) {
        // A hosted room needs a secret. A console that hosted before the two were kept apart has it in `secret`:
        // it stays the room's (others may know it) and leaves `secret`, which is for hubs this console joins.
        const earlier = settings.secret.length >= 4 ? settings.secret : null;
        settings = await this.ctx.settings.update(earlier ? { hostSecret: earlier, secret: '' } : { hostSecret: randomBytes(9).toString('base64url') });
      }
      const hosted = await startHostedHub({ ...settings, secret: settings.hostSecret }, { dataDir: this.options.dataDir, ...(this.options.hubStaticDir ? { staticDir: this.options.hubStaticDir } : {}), logger: this.ctx.logger });
      if (!hosted.ok) return this.failWith(settings.hubMode, hosted.error);
      this.hosted = hosted.value;
      url = hosted.value.url;
      this.hubStatus = { ...this.hubStatus, url, displayUrls: hosted.value.displayUrls, displayLinks: hosted.value.displayLinks, qrDataUrl: hosted.value.qrDataUrl };
    } else {
      // Settings saved before addresses were checked on save may still hold one without a scheme.
      const parsed = parseHubUrl(url);
      if (!parsed.ok) return this.failWith(settings.hubMode, { code: CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, message: parsed.error.message });
      url = parsed.value;
    }
    await this.state.update({ hubWanted: true });
    const { pingIntervalMs, pingTimeoutMs, ackWaitMs, resendAfterMs } = this.options;
    const link = new HubLink(
      {
        url,
        room: settings.room,
        role: settings.role,
        channel: settings.channel,
        secret: settings.hubMode === 'host' ? settings.hostSecret : settings.secret,
        clientId: this.state.value.clientId,
        label: consoleLabel(settings, this.state.value.clientId),
        viewChannels: this.ctx.roomChannels(),
        wasOnAir: this.state.value.onAir,
        operatorMutes: settings.role === 'operator' ? settings.mutedChannels : [],
        ...(pingIntervalMs ? { pingIntervalMs } : {}),
        ...(pingTimeoutMs ? { pingTimeoutMs } : {}),
        ...(ackWaitMs ? { ackWaitMs } : {}),
        ...(resendAfterMs ? { resendAfterMs } : {}),
      },
      this.linkEvents(),
    );
    this.current = link;
    this.notify((l) => l.linked?.(link));
    const connected = await link.connect();
    this.ctx.logger.info('hub link', {
      mode: settings.hubMode,
      url,
      room: settings.room,
      role: settings.role,
      ok: connected.ok,
      code: connected.ok ? undefined : connected.error.code,
    });
    this.onLinkStatus(link.status);
    if (!connected.ok) return fail(connected.error.code, connected.error.message);
    return ok(this.status);
  }

  private linkEvents(): HubLinkEvents {
    const { ctx } = this;
    return {
      status: (s) => this.onLinkStatus(s),
      partial: (u) => ctx.emit('hub:partial', u),
      changed: (c) => ctx.emit('hub:changed', c),
      notice: (n) => ctx.emit('hub:notice', n),
      viewRefused: (error) => {
        ctx.logger.warn('room view refused', { code: error.code });
        ctx.alert('room-view', { code: error.code, message: `The room view is empty: ${error.message} (check the room's channels in the settings).` });
      },
      refused: (what, error, request) => {
        this.notify((l) => l.refused?.(what, error, request));
        ctx.logger.warn('hub refused a request', { what, code: error.code });
        // A muted channel's lines are held, and shown as held: not an error.
        if (error.code !== 'CHANNEL_MUTED') ctx.alert(alertKeyOf(request), { code: error.code, message: `The hub refused a ${what}: ${error.message}` });
      },
      acked: (request) => {
        // The hub takes this channel's lines again: an earlier refusal of it is over.
        ctx.alert(alertKeyOf(request), null);
        this.notify((l) => l.acked?.(request));
      },
      onAir: (info) => this.notify((l) => l.onAir?.(info)),
      mutes: (muted) => this.notify((l) => l.mutes?.(muted)),
      handoverAsked: (e) => this.notify((l) => l.handoverAsked?.(e)),
      handoverDone: (e) => this.notify((l) => l.handoverDone?.(e)),
      presence: (e) => this.notify((l) => l.presence?.(e)),
    };
  }

  private async teardown(): Promise<void> {
    const link = this.current;
    this.current = null;
    if (link) {
      link.close();
      this.notify((l) => l.unlinked?.());
    }
    const hosted = this.hosted;
    this.hosted = null;
    await hosted?.close();
  }

  private onLinkStatus(s: HubLinkStatus): void {
    const prev = this.hubStatus;
    // New figures alone (latency, displays, the age of a late line) go out as `hub:status` only (the snapshot is bigger).
    const onlyFigures =
      prev.state === s.state && prev.outboxPending === s.outboxPending && prev.error?.code === s.error?.code && prev.delivery.state === s.delivery.state;
    this.hubStatus = {
      ...this.hubStatus,
      state: s.state,
      latencyMs: s.latencyMs,
      error: s.error,
      outboxPending: s.outboxPending,
      delivery: s.delivery,
      displays: s.displays,
      url: this.hosted?.url ?? (this.current ? this.ctx.settings.value.hubUrl : null),
    };
    if (onlyFigures) this.ctx.emit('hub:status', this.status);
    else this.emitStatus();
  }

  private emitStatus(): void {
    this.ctx.emit('hub:status', this.status);
    this.ctx.changed();
  }
}
