/**
 * The per-room sequencer: every operation of a room (publish, revise, clear, notice, a display's subscribe) runs
 * one at a time in the room's turn, and what it sends (broadcasts, ack) leaves through the room's outbox in the
 * same order per lane (a channel, or {@link NOTICE_LANE}), each once its journal write has settled: write-ahead
 * with group commit, since the turn is not held while the disk syncs. Lanes are independent: a commit waiting for
 * the disk on one channel does not hold up another channel's partials.
 */
import type { Logger } from '../node/logger';

/** Outbox lane of a room's notices (channel names cannot contain `#`). */
export const NOTICE_LANE = '#notice';

/** The turn and the outbox of one room. */
export class RoomSequencer {
  private queue: Promise<void> = Promise.resolve();
  private readonly outbox = new Map<string, Promise<void>>();

  constructor(
    readonly room: string,
    private readonly logger: Logger,
  ) {}

  /** Runs `task` in the room's turn; tasks of a room never interleave. A failing task is logged. */
  inTurn(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch((err: unknown) => {
      this.logger.error('room task failed', { room: this.room, error: String(err) });
    });
    this.queue = next;
    return next;
  }

  /**
   * Queues what an applied operation sends. Effects leave in the order the operations were applied on each of
   * their lanes, each once `durable` (its journal write) has settled, so nothing is announced before it would
   * survive a crash.
   */
  deliver(lanes: readonly string[], durable: Promise<void> | undefined, effect: () => void): void {
    const before = lanes.map((lane) => this.outbox.get(lane) ?? Promise.resolve());
    const done = Promise.all(before)
      .then(() => durable)
      .then(effect)
      .catch((err: unknown) => {
        this.logger.error('room delivery failed', { room: this.room, error: String(err) });
      });
    for (const lane of lanes) this.outbox.set(lane, done);
  }

  /** Resolves once every task queued so far ran and everything it queued was sent. */
  async idle(): Promise<void> {
    await this.queue;
    await Promise.all(this.outbox.values());
  }
}
