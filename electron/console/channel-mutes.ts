/**
 * Channel mutes as one console sees them: the channels this operator console muted (its settings, asserted to the
 * hub room-wide) and the channels any operator muted room-wide (from the hub). Lines to a muted channel are held
 * here: partials are dropped, finals kept in order; a channel's held lines leave when it is muted by nobody.
 */
import type { ConsolePublish } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import type { HubConnection } from './hub-connection';

/** A line on its way out, with its id. */
export type OutgoingLine = ConsolePublish & { id: string };

/** The mutes and held lines of a console. */
export class ChannelMutes {
  /** Channels an operator muted room-wide (from the hub). */
  private hubMuted = new Set<string>();
  private readonly held = new Map<string, OutgoingLine[]>();

  constructor(
    private readonly ctx: ConsoleContext,
    connection: Pick<HubConnection, 'link' | 'subscribe'>,
    /** Sends a channel's held lines (in order) once nobody mutes it any more. */
    private readonly release: (lines: OutgoingLine[]) => void,
  ) {
    ctx.settings.watch(['mutedChannels'], (after, before) => {
      const link = connection.link;
      for (const channel of before.mutedChannels) {
        if (after.mutedChannels.includes(channel)) continue;
        void link?.setMuted(channel, false);
        if (!this.isMuted(channel)) this.releaseHeld(channel);
      }
      if (after.role === 'operator') {
        for (const channel of after.mutedChannels) if (!before.mutedChannels.includes(channel)) void link?.setMuted(channel, true);
      }
    });
    connection.subscribe({
      mutes: (muted) => this.applyHubMutes(muted),
      unlinked: () => {
        this.hubMuted = new Set();
      },
    });
  }

  /** Whether lines to `channel` are held: muted by this operator console, or room-wide by an operator. */
  isMuted(channel: string): boolean {
    return this.ctx.settings.value.mutedChannels.includes(channel) || this.hubMuted.has(channel);
  }

  /** Holds a line to a muted channel (a partial is dropped: the final carries its text). */
  hold(line: OutgoingLine): void {
    if (line.state !== 'final') return;
    let lines = this.held.get(line.channel);
    if (!lines) this.held.set(line.channel, (lines = []));
    lines.push(line);
    this.ctx.changed();
  }

  /** Operator: mutes or unmutes a channel (persisted; the hub is told by the settings watcher). */
  async setMuted(channel: string, muted: boolean): Promise<ConsoleResult<void>> {
    const settings = this.ctx.settings.value;
    if (settings.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator mutes a channel.');
    const current = settings.mutedChannels;
    await this.ctx.settings.update({ mutedChannels: muted ? [...new Set([...current, channel])] : current.filter((c) => c !== channel) });
    return ok(undefined);
  }

  /** Held lines per channel (for the snapshot). */
  heldCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [channel, lines] of this.held) if (lines.length > 0) counts[channel] = lines.length;
    return counts;
  }

  /** Channels muted room-wide, sorted. */
  roomMuted(): string[] {
    return [...this.hubMuted].sort();
  }

  private applyHubMutes(muted: string[]): void {
    const before = this.hubMuted;
    this.hubMuted = new Set(muted);
    for (const channel of before) if (!this.hubMuted.has(channel) && !this.isMuted(channel)) this.releaseHeld(channel);
    this.ctx.changed();
  }

  private releaseHeld(channel: string): void {
    const lines = this.held.get(channel) ?? [];
    this.held.delete(channel);
    this.release(lines);
  }
}
