/**
 * Channel mutes as one console sees them: the channels this operator console muted (its settings, asserted to the
 * hub room-wide) and the channels any operator muted room-wide (from the hub). The hub enforces a mute (it
 * refuses a muted channel's lines with `CHANNEL_MUTED`); the console knows it too, so it holds such lines at once
 * instead of sending them to be refused (line-publisher.ts). Unmuting releases nothing by itself: held lines wait
 * for a person.
 */
import type { ConsolePublish } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import type { HubConnection } from './hub-connection';

/**
 * A line on its way out, with its id; a speech-to-text partial also says how much of its start is settled
 * (`PublishLine.stableChars`).
 */
export type OutgoingLine = ConsolePublish & { id: string; stableChars?: number };

/** The mutes a console knows of. */
export class ChannelMutes {
  /** Channels an operator muted room-wide (from the hub). */
  private hubMuted = new Set<string>();

  constructor(
    private readonly ctx: ConsoleContext,
    connection: Pick<HubConnection, 'link' | 'subscribe'>,
  ) {
    ctx.settings.watch(['mutedChannels'], (after, before) => {
      // A switch to another room brings that room's list: the new link asserts it, the room left keeps its own.
      if (after.room !== before.room) return;
      const link = connection.link;
      for (const channel of before.mutedChannels) if (!after.mutedChannels.includes(channel)) void link?.setMuted(channel, false);
      if (after.role === 'operator') {
        for (const channel of after.mutedChannels) if (!before.mutedChannels.includes(channel)) void link?.setMuted(channel, true);
      }
    });
    connection.subscribe({
      mutes: (muted) => {
        this.hubMuted = new Set(muted);
        this.ctx.changed();
      },
      unlinked: () => {
        this.hubMuted = new Set();
      },
    });
  }

  /** Whether lines to `channel` are held: muted by this operator console, or room-wide by an operator. */
  isMuted(channel: string): boolean {
    return this.ctx.settings.value.mutedChannels.includes(channel) || this.hubMuted.has(channel);
  }

  /** Operator: mutes or unmutes a channel (persisted; the hub is told by the settings watcher). */
  async setMuted(channel: string, muted: boolean): Promise<ConsoleResult<void>> {
    const settings = this.ctx.settings.value;
    if (settings.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator mutes a channel.');
    const current = settings.mutedChannels;
    await this.ctx.settings.update({ mutedChannels: muted ? [...new Set([...current, channel])] : current.filter((c) => c !== channel) });
    return ok(undefined);
  }

  /** Channels muted room-wide, sorted. */
  roomMuted(): string[] {
    return [...this.hubMuted].sort();
  }
}
