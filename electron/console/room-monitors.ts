/**
 * The other rooms an operator console follows (settings `watchRooms`, join mode): the plenary's operator keeps an eye
 * on the panel rooms, and the other way round. Each followed room has one light **monitor link**: the console's own
 * {@link HubLink} as an operator socket with that room's secret, sending nothing, whose room view keeps one line per
 * channel and follows the channels the hub names for that room. From it a monitor keeps what the overview shows:
 * the link's state (a refusal such as a wrong secret or an unknown room stays an error, never "fine"), who is on air
 * in each booth and whether that console is online (the hub's presence), the room's mutes, the age of each channel's
 * last line, the room's notice.
 *
 * Monitors live while the console means to be on the hub (from Connect to Disconnect, through the relink a switch
 * of rooms makes), and are rebuilt only for the rooms whose address, secret or mutes changed. What changed goes to the page as `rooms:changed`, at most every {@link EMIT_EVERY_MS}.
 *
 * {@link roomSwitchChange} is the jump: the settings that make a followed room the active one, the room left taking
 * its place in the list (and so its jump key), each with its secret and the operator's own mutes.
 */
import type { BoothMember, Settings, SettingsChange, WatchedRoom, WatchedRoomSetting } from '../common/console-api';
import { CONSOLE_ERROR_CODES, type ConsoleError } from '../common/console-api-result';
import type { ChannelChange } from '../common/protocol';
import { isPermanentHubError } from '../common/hub-errors';
import { parseHubUrl } from '../common/hub-url';
import type { ConsoleContext } from './console-context';
import { consoleLabel, type HubConnection, type HubConnectionOptions } from './hub-connection';
import { HubLink, type HubLinkEvents, type HubLinkOptions, type HubLinkStatus } from './hub-link';

/** The page hears of monitor changes at most this often, ms. */
export const EMIT_EVERY_MS = 250;

/** What a monitor link needs besides the room: the hub, who the console is, timings. */
interface MonitorContext {
  url: string;
  clientId: string;
  label: string;
  /** The console's own room secret: a followed room without its own uses it. */
  secret: string;
  /** The console's room channels: the view's channels with a hub that does not name a room's channels. */
  fallbackChannels: readonly string[];
  timings: Pick<HubConnectionOptions, 'pingIntervalMs' | 'pingTimeoutMs'>;
}

const ignore = (): void => undefined;

/** One followed room: its monitor link and what it said. */
class RoomMonitor {
  private readonly link: HubLink;
  private status: HubLinkStatus | null = null;
  private channels: string[] = [];
  private readonly booths = new Map<string, BoothMember[]>();
  private muted = new Set<string>();
  private readonly lastLineAt = new Map<string, number>();
  private notice: string | null = null;
  private viewError: ConsoleError | null = null;
  /** When the link last stopped being connected (what the overview shows is that old), or null. */
  private lostAt: number | null = null;
  private wasConnected = false;

  constructor(
    readonly setting: WatchedRoomSetting,
    /** Which link this is: a change of it (hub, secret, mutes) needs a new one. */
    readonly key: string,
    options: HubLinkOptions,
    private readonly changed: () => void,
  ) {
    this.link = new HubLink(options, this.events());
    void this.link.connect();
  }

  get room(): string {
    return this.setting.room;
  }

  /** The channels the hub named for the room (empty before it did). */
  get roomChannels(): readonly string[] {
    return this.channels;
  }

  /** The refusal that keeps this room from being followed (or switched to), if the link was refused for good. */
  get refusal(): ConsoleError | null {
    const error = this.status?.state === 'error' ? this.status.error : null;
    return error && isPermanentHubError(error.code) ? error : null;
  }

  /** The room at a glance, now. */
  view(now: number): WatchedRoom {
    const state = this.status?.state ?? 'connecting';
    const linkError = state === 'connected' ? null : (this.status?.error ?? null);
    return {
      room: this.room,
      state,
      error: linkError ?? this.viewError,
      channels: this.channels.map((channel) => {
        const at = this.lastLineAt.get(channel);
        return {
          channel,
          booth: (this.booths.get(channel) ?? []).map((m) => ({ ...m })),
          muted: this.muted.has(channel),
          lastLineAgeMs: at === undefined ? null : Math.max(0, now - at),
        };
      }),
      notice: this.notice,
      staleForMs: state === 'connected' || this.lostAt === null ? null : Math.max(0, now - this.lostAt),
    };
  }

  close(): void {
    this.link.close();
  }

  private events(): HubLinkEvents {
    return {
      status: (s) => {
        const before = this.status;
        this.status = s;
        if (s.state === 'connected') {
          this.wasConnected = true;
          this.lostAt = null;
        } else if (this.wasConnected && this.lostAt === null) {
          this.lostAt = Date.now();
        }
        // Pings alone (latency) change nothing the overview shows.
        if (before?.state !== s.state || before?.error?.code !== s.error?.code) this.changed();
      },
      roomChannels: (channels) => {
        if (channels.join() !== this.channels.join()) this.channels = [...channels];
        this.viewError = null;
        this.changed();
      },
      changed: (change, via) => this.noteLine(change, via),
      presence: (e) => {
        this.booths.set(e.channel, e.members.map((m) => ({ ...m })));
        this.changed();
      },
      mutes: (muted) => {
        this.muted = new Set(muted);
        this.changed();
      },
      notice: (notice) => {
        this.notice = notice.text;
        this.changed();
      },
      viewRefused: (error) => {
        this.viewError = error;
        this.changed();
      },
      // A monitor sends nothing and holds no booth channel: these never come, or say nothing to the overview.
      partial: ignore,
      acked: ignore,
      refused: ignore,
      onAir: ignore,
      handoverAsked: ignore,
      handoverDone: ignore,
    };
  }

  /** The age of a channel's last line: when it came (live), or when the hub committed it (a catch-up answer). */
  private noteLine(change: ChannelChange, via: 'reset' | 'catch-up' | 'live'): void {
    if (change.kind !== 'committed') return;
    const at = via === 'live' ? Date.now() : Math.min(Date.now(), change.line.committedAt ?? change.line.updatedAt);
    if (at <= (this.lastLineAt.get(change.channel) ?? 0)) return;
    this.lastLineAt.set(change.channel, at);
    this.changed();
  }
}

/** The console's monitors of the rooms it follows. */
export class RoomMonitors {
  private readonly monitors = new Map<string, RoomMonitor>();
  private emitTimer: NodeJS.Timeout | null = null;
  private lastEmitAt = 0;
  private closed = false;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly connection: Pick<HubConnection, 'subscribe' | 'wanted'>,
    private readonly clientId: string,
    private readonly timings: Pick<HubConnectionOptions, 'pingIntervalMs' | 'pingTimeoutMs'>,
  ) {
    connection.subscribe({ linked: () => this.reconcile(), unlinked: () => this.reconcile() });
    ctx.settings.watch(['watchRooms', 'hubUrl', 'secret', 'label', 'role', 'hubMode', 'room'], () => this.reconcile());
  }

  /** The followed rooms at a glance, in the order of the settings. */
  list(now = Date.now()): WatchedRoom[] {
    return this.ctx.settings.value.watchRooms.flatMap((w) => this.monitors.get(w.room)?.view(now) ?? []);
  }

  /** The channels the hub named for a followed room, or null when it has not (yet). */
  channelsOf(room: string): readonly string[] | null {
    const channels = this.monitors.get(room)?.roomChannels ?? [];
    return channels.length > 0 ? channels : null;
  }

  /** Why the hub refuses a followed room to this console for good (a wrong secret, no such room), or null. */
  refusalOf(room: string): ConsoleError | null {
    return this.monitors.get(room)?.refusal ?? null;
  }

  /** Closes every monitor (the console is closing). */
  close(): void {
    this.closed = true;
    if (this.emitTimer) clearTimeout(this.emitTimer);
    for (const m of this.monitors.values()) m.close();
    this.monitors.clear();
  }

  /** Opens the monitors the settings ask for now, closes the others; a monitor whose link is the same stays. */
  private reconcile(): void {
    if (this.closed) return;
    const settings = this.ctx.settings.value;
    const context = this.monitorContext(settings);
    const wanted = new Map(context ? settings.watchRooms.filter((w) => w.room !== settings.room).map((w) => [w.room, w]) : []);
    let changed = false;
    for (const [room, monitor] of this.monitors) {
      const setting = wanted.get(room);
      if (setting && context && monitor.key === monitorKey(context, setting)) continue;
      monitor.close();
      this.monitors.delete(room);
      changed = true;
    }
    for (const [room, setting] of wanted) {
      if (this.monitors.has(room) || !context) continue;
      this.monitors.set(room, new RoomMonitor(setting, monitorKey(context, setting), monitorOptions(context, setting), () => this.changed()));
      changed = true;
    }
    if (changed) this.changed();
  }

  /** Where monitors connect now, or null when this console follows no other room (not an operator, hosting, not on a hub). */
  private monitorContext(settings: Readonly<Settings>): MonitorContext | null {
    if (settings.role !== 'operator' || settings.hubMode !== 'join' || !this.connection.wanted) return null;
    const url = parseHubUrl(settings.hubUrl);
    if (!url.ok) return null;
    return {
      url: url.value,
      clientId: this.clientId,
      label: `${consoleLabel(settings, this.clientId)} (overview)`,
      secret: settings.secret,
      fallbackChannels: this.ctx.roomChannels(),
      timings: this.timings,
    };
  }

  /** Something a monitor shows changed: the page hears of it once per {@link EMIT_EVERY_MS}. */
  private changed(): void {
    if (this.emitTimer || this.closed) return;
    const wait = Math.max(0, this.lastEmitAt + EMIT_EVERY_MS - Date.now());
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.lastEmitAt = Date.now();
      if (!this.closed) this.ctx.emit('rooms:changed', this.list());
    }, wait);
    this.emitTimer.unref();
  }
}

function monitorKey(context: MonitorContext, setting: WatchedRoomSetting): string {
  return JSON.stringify([context.url, context.label, setting.room, setting.secret || context.secret, [...setting.mutedChannels].sort()]);
}

function monitorOptions(context: MonitorContext, setting: WatchedRoomSetting): HubLinkOptions {
  const { pingIntervalMs, pingTimeoutMs } = context.timings;
  return {
    url: context.url,
    room: setting.room,
    role: 'operator',
    secret: setting.secret || context.secret,
    clientId: context.clientId,
    label: context.label,
    viewChannels: context.fallbackChannels,
    followRoomChannels: true,
    viewKeep: 1,
    operatorMutes: setting.mutedChannels,
    ...(pingIntervalMs ? { pingIntervalMs } : {}),
    ...(pingTimeoutMs ? { pingTimeoutMs } : {}),
  };
}

/**
 * The settings that make the followed room `room` the active one: its secret and the operator's mutes there become
 * the console's, its channels (when the hub named them) the room's channels, and the room left takes its place in
 * the list with its own secret and mutes. Null when `room` is not followed.
 */
export function roomSwitchChange(settings: Readonly<Settings>, room: string, channels: readonly string[] | null): SettingsChange | null {
  const at = settings.watchRooms.findIndex((w) => w.room === room);
  const target = settings.watchRooms[at];
  if (!target) return null;
  const left: WatchedRoomSetting = { room: settings.room, secret: settings.secret, mutedChannels: [...settings.mutedChannels] };
  const watchRooms = settings.watchRooms.map((w, i) => (i === at ? left : { ...w, mutedChannels: [...w.mutedChannels] }));
  return {
    room,
    secret: target.secret || settings.secret,
    mutedChannels: [...target.mutedChannels],
    ...(channels ? { hostChannels: [...channels] } : {}),
    watchRooms,
  };
}

/** `ROOM_BUSY` in words: what waits for the room this console would leave. */
export function roomBusyError(from: string, to: string, items: readonly string[]): ConsoleError {
  return {
    code: CONSOLE_ERROR_CODES.ROOM_BUSY,
    message: `Not switching to ${to} yet: ${items.join('; ')}, for ${from}. Switch once it has arrived (or is discarded).`,
  };
}
