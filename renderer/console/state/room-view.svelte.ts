/**
 * What the room displays show, channel by channel, kept from the hub's events: the operator view (every
 * channel side by side, correct any line, notices, clear, auto-routing, mute) and the display preview.
 */
import type { BoothMember, ConsoleApi } from '../../../electron/common/console-api';
import { CaptionView } from '../../../electron/common/caption-view';
import type { CaptionLine, ChannelChange, Notice, PartialUpdate, SubscribeResult } from '../../../electron/common/protocol';
import type { ErrorInfo, Result } from '../../../electron/common/result';
import type { AlertReporter } from './page-alerts.svelte';
import { autoRoutingConflicts, type RoutingConflict } from './room-overview';

export type RoomApi = Pick<ConsoleApi, 'getRoomView' | 'revise' | 'clearChannel' | 'clearAllChannels' | 'showNotice' | 'setAutoRouting' | 'setChannelMuted'>;

/** Committed lines kept per channel in the operator view. */
export const ROOM_LINES_KEPT = 50;

export class RoomView {
  channels = $state.raw<string[]>([]);
  notice = $state.raw<Notice | null>(null);
  autoRouting = $state(false);
  muted = $state.raw<string[]>([]);
  /** Held lines per muted channel. */
  held = $state.raw<Record<string, number>>({});
  error = $state.raw<ErrorInfo | null>(null);
  /** The line being corrected by the operator. */
  editing = $state.raw<{ channel: string; id: string; text: string } | null>(null);
  /** The room's booths by channel, as the hub tells (who is on air). */
  booths = $state.raw<Record<string, BoothMember[]>>({});
  /** When each channel's last line came (this page's clock for lines seen live, the hub's for a loaded view). */
  lastLineAt = $state.raw<Record<string, number>>({});
  /** Auto-routing waits for a confirmation: it would feed these channels, where a booth is on air. */
  routingToConfirm = $state.raw<RoutingConflict[] | null>(null);
  /** Bumped on every applied change so views re-read the plain CaptionView objects. */
  version = $state(0);

  // Plain objects on purpose: `version` tells Svelte when they changed, so no per-entry proxies are needed.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly views = new Map<string, CaptionView>();
  private reloading: Promise<void> | null = null;

  constructor(
    private readonly api: RoomApi,
    /** Where the outcome of operator actions goes (the page's alerts, key `room`). */
    private readonly report: AlertReporter = () => undefined,
  ) {}

  /** Committed lines of a channel, oldest first. */
  linesOf(channel: string): readonly CaptionLine[] {
    void this.version;
    return this.views.get(channel)?.lines ?? [];
  }

  partialOf(channel: string): CaptionLine | null {
    void this.version;
    const p = this.views.get(channel)?.partial ?? null;
    return p && p.text !== '' ? p : null;
  }

  /** The channels auto-routing feeds (or would feed) while a booth is on air there. */
  get routingConflicts(): RoutingConflict[] {
    return autoRoutingConflicts(this.channels, this.booths);
  }

  isMuted(channel: string): boolean {
    return this.muted.includes(channel);
  }

  /** Sets the room's channels and settings-backed toggles (from the console snapshot). */
  configure(channels: string[], autoRouting: boolean, muted: string[], held: Record<string, number>): void {
    if (channels.join() !== this.channels.join()) {
      this.channels = [...channels];
      for (const c of channels) if (!this.views.has(c)) this.views.set(c, new CaptionView(c, { keep: ROOM_LINES_KEPT }));
    }
    this.autoRouting = autoRouting;
    this.muted = [...muted];
    this.held = { ...held };
  }

  /** Forgets the room (the console switched to another one): its lines, booths, ages, notice and any edit. */
  reset(): void {
    this.views.clear();
    this.channels = [];
    this.notice = null;
    this.editing = null;
    this.booths = {};
    this.lastLineAt = {};
    this.routingToConfirm = null;
    this.error = null;
    this.version++;
  }

  /** Loads what the displays show now (also after a gap in the event stream). */
  async load(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      for (const view of this.views.values()) view.expectSnapshot();
      const r = await this.api.getRoomView();
      if (r.ok) this.applySnapshot(r.value);
      this.note(r);
    })();
    try {
      await this.reloading;
    } finally {
      this.reloading = null;
    }
  }

  applySnapshot(result: SubscribeResult): void {
    for (const snap of result.channels) {
      let view = this.views.get(snap.channel);
      if (!view) {
        view = new CaptionView(snap.channel, { keep: ROOM_LINES_KEPT });
        this.views.set(snap.channel, view);
        this.channels = [...this.channels, snap.channel];
      }
      view.applySnapshot(snap);
      const last = view.lines.at(-1);
      if (last && this.lastLineAt[snap.channel] === undefined) this.lastLineAt = { ...this.lastLineAt, [snap.channel]: last.committedAt ?? last.updatedAt };
    }
    this.notice = result.notice;
    this.version++;
  }

  applyChange(change: ChannelChange): void {
    const outcome = this.views.get(change.channel)?.applyChange(change);
    if (change.kind === 'committed') this.lastLineAt = { ...this.lastLineAt, [change.channel]: Date.now() };
    this.version++;
    if (outcome?.kind === 'gap') void this.load();
  }

  applyPartial(update: PartialUpdate): void {
    const outcome = this.views.get(update.channel)?.applyPartial(update);
    this.version++;
    if (outcome?.kind === 'gap') void this.load();
  }

  applyNotice(notice: Notice): void {
    this.notice = notice.text === null ? null : notice;
  }

  // ---- operator actions

  beginEdit(channel: string, id: string): void {
    const line = this.linesOf(channel).find((l) => l.id === id);
    if (line) this.editing = { channel, id, text: line.text };
  }

  setEditText(text: string): void {
    if (this.editing) this.editing = { ...this.editing, text };
  }

  cancelEdit(): void {
    this.editing = null;
  }

  async saveEdit(): Promise<void> {
    const e = this.editing;
    this.editing = null;
    if (!e || e.text.trim() === '') return;
    this.note(await this.api.revise({ channel: e.channel, id: e.id, text: e.text.trim() }));
  }

  async clearChannel(channel: string): Promise<void> {
    this.note(await this.api.clearChannel(channel));
  }

  async clearAll(): Promise<void> {
    this.note(await this.api.clearAllChannels());
  }

  async showNotice(text: string, ttlMs?: number): Promise<void> {
    if (text.trim() === '') return;
    this.note(await this.api.showNotice(text.trim(), ttlMs));
  }

  async clearNotice(): Promise<void> {
    this.note(await this.api.showNotice(null));
  }

  /**
   * Turns auto-routing off, or on; turning it on while a booth is on air in a channel it would feed waits for
   * {@link confirmAutoRouting} (floor lines would land between the interpreter's own).
   */
  async toggleAutoRouting(): Promise<void> {
    const on = !this.autoRouting;
    const conflicts = this.routingConflicts;
    if (on && conflicts.length > 0) {
      this.routingToConfirm = conflicts;
      return;
    }
    await this.setAutoRouting(on);
  }

  async confirmAutoRouting(): Promise<void> {
    if (!this.routingToConfirm) return;
    this.routingToConfirm = null;
    await this.setAutoRouting(true);
  }

  cancelAutoRouting(): void {
    this.routingToConfirm = null;
  }

  private async setAutoRouting(on: boolean): Promise<void> {
    const r = await this.api.setAutoRouting(on);
    if (r.ok) this.autoRouting = on;
    this.note(r);
  }

  async toggleMute(channel: string): Promise<void> {
    const muted = !this.isMuted(channel);
    const r = await this.api.setChannelMuted(channel, muted);
    if (r.ok) this.muted = muted ? [...this.muted, channel] : this.muted.filter((c) => c !== channel);
    this.note(r);
  }

  private note(r: Result<unknown>): void {
    this.error = r.ok ? null : r.error;
    this.report('room', this.error);
  }
}
