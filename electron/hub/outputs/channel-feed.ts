/**
 * Follows one channel's committed changes for an output, from the hub's history store, in cursor order and from
 * a position the output chose (its settled position, restored after a restart).
 *
 * It reads the store (`snapshot(room, channel, since)`: the changes after `since`, or the kept lines when `since`
 * is older than the kept history) on a short timer and whenever it is nudged. It never sits in the hub's path to
 * the displays: a slow output only delays its own reads, and a store read is what a reconnecting display costs.
 * With Redis every node's commits are in the shared store, so the node that drives an output sees them all.
 */
import type { ChannelChange } from '../../common/protocol';
import type { HistoryStore } from '../history-store';
import type { Logger } from '../../node/logger';
import type { OutgoingCaption } from './output-driver';

/** Options of a {@link ChannelFeed}. */
export interface ChannelFeedOptions {
  store: Pick<HistoryStore, 'snapshot'>;
  room: string;
  channel: string;
  /** Offer changes after this cursor. */
  from: number;
  /** Receives each change once, in cursor order. */
  onChange: (caption: OutgoingCaption) => void;
  /** The feed has read the channel up to this cursor (changes it had nothing to offer for included). */
  onReached?: (cursor: number) => void;
  /** Poll period. Default 200 ms. */
  pollMs?: number;
  logger: Logger;
}

/** A committed-state change as an output's caption. */
export function captionOf(change: ChannelChange): OutgoingCaption {
  if (change.kind === 'cleared') {
    return { kind: 'clear', lineId: '', revision: 0, text: '', lang: undefined, at: change.at, cursor: change.cursor };
  }
  const line = change.line;
  const revision = change.kind === 'revised' || line.revision > 0;
  return {
    kind: revision ? 'revision' : 'final',
    lineId: line.id,
    revision: line.revision,
    text: line.text,
    lang: line.lang ?? change.channel,
    at: revision ? line.updatedAt : (line.committedAt ?? line.updatedAt),
    startedAt: line.startedAt,
    source: line.source,
    cursor: change.cursor,
  };
}

/** See the module comment. */
export class ChannelFeed {
  private readonly options: ChannelFeedOptions;
  private cursor: number;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failing = false;

  constructor(options: ChannelFeedOptions) {
    this.options = options;
    this.cursor = options.from;
  }

  /** The cursor of the last change offered. */
  get position(): number {
    return this.cursor;
  }

  start(): void {
    this.nudge();
  }

  /** Reads now (a change was committed). */
  nudge(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.reading = this.read().finally(() => {
      this.reading = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.nudge();
        return;
      }
      this.timer = setTimeout(() => this.nudge(), this.options.pollMs ?? 200);
      this.timer.unref();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.reading;
  }

  private async read(): Promise<void> {
    const { store, room, channel } = this.options;
    const snapshot = await store.snapshot(room, channel, this.cursor).catch((err: unknown) => ({ ok: false as const, error: { code: 'INTERNAL', message: String(err) } }));
    if (!snapshot.ok) {
      if (!this.failing) this.options.logger.warn('output feed cannot read the channel', { room, channel, code: snapshot.error.code });
      this.failing = true;
      return;
    }
    this.failing = false;
    const { cursor, changes } = snapshot.value;
    if (cursor < this.cursor) {
      // The history restarted below our position (a new store): go on from its start, never back over it.
      this.options.logger.warn('channel history is behind the output position; following it from here', { room, channel, at: this.cursor, history: cursor });
      this.cursor = cursor;
      return;
    }
    for (const change of changes) {
      if (this.stopped) return;
      if (change.cursor <= this.cursor) continue;
      this.cursor = change.cursor;
      this.options.onChange(captionOf(change));
    }
    this.cursor = Math.max(this.cursor, cursor);
    this.options.onReached?.(this.cursor);
  }
}
