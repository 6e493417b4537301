import { describe, expect, it } from 'vitest';
import { ChannelFollower, type FollowerSocket } from './channel-follower';
import type { CaptionLine, ChannelChange, ChannelSnapshot, Subscribe, SubscribeResult } from './protocol';
import { ok, type Result } from './result';

type Ack = (err: Error | null, result: Result<SubscribeResult>) => void;

/** Plays the hub and the network for one follower. */
class FakeSocket {
  connected = true;
  recovered = false;
  readonly subscribes: Array<{ request: Subscribe; ack: Ack }> = [];
  private readonly handlers = new Map<string, Array<(...a: unknown[]) => void>>();
  on(event: string, handler: (...a: unknown[]) => void): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  off(event: string, handler: (...a: unknown[]) => void): this {
    this.handlers.set(event, (this.handlers.get(event) ?? []).filter((h) => h !== handler));
    return this;
  }
  timeout(): { emit: (event: string, request: Subscribe, ack: Ack) => void } {
    return { emit: (_event, request, ack) => this.subscribes.push({ request, ack }) };
  }
  connect(): this {
    return this;
  }
  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }
  answer(channels: ChannelSnapshot[]): Subscribe {
    const last = this.subscribes.at(-1)!;
    last.ack(null, ok({ room: 'main', channels, notice: null }));
    return last.request;
  }
}

const line = (id: string, text = id): CaptionLine => ({ id, room: 'main', channel: 'en', seq: 1, text, state: 'final', revision: 0, source: 'typed', startedAt: 1, updatedAt: 1, committedAt: 1 });
const commit = (cursor: number, id: string): ChannelChange => ({ kind: 'committed', room: 'main', channel: 'en', cursor, line: line(id) });
const snap = (cursor: number, changes: ChannelChange[], reset = true): ChannelSnapshot => ({ channel: 'en', cursor, reset, changes, partial: null });

function follow(socket: FakeSocket): { follower: ChannelFollower; applied: string[] } {
  const applied: string[] = [];
  const follower = new ChannelFollower(socket as unknown as FollowerSocket, {
    channels: ['en'],
    changed: (c, via) => applied.push(`${via}:${c.cursor}`),
  });
  return { follower, applied };
}

describe('ChannelFollower', () => {
  it('resubscribes by itself with since on a gap, and reports every change once, in order', () => {
    const socket = new FakeSocket();
    const { follower, applied } = follow(socket);
    void follower.start();
    expect(socket.answer([snap(1, [commit(1, 'a')])])).toEqual({ channels: ['en'] });
    socket.fire('caption:changed', commit(2, 'b'));
    socket.fire('caption:changed', commit(2, 'b'));
    socket.fire('caption:changed', commit(4, 'd'));
    expect(socket.subscribes).toHaveLength(2);
    expect(socket.answer([snap(4, [commit(3, 'c'), commit(4, 'd')], false)])).toEqual({ channels: ['en'], since: { en: 2 } });
    expect(follower.lines('en').map((l) => l.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(applied).toEqual(['reset:1', 'live:2', 'catch-up:3', 'catch-up:4']);
    expect(follower.stats).toEqual({ applied: 4, droppedDuplicates: 1, gaps: 1, resets: 1, subscribes: 2, doubledCommits: 0 });
  });

  it('does not resubscribe after a recovered connection; does after one that was not', () => {
    const socket = new FakeSocket();
    const { follower } = follow(socket);
    void follower.start();
    socket.answer([snap(0, [])]);
    socket.fire('disconnect', 'transport close');
    socket.recovered = true;
    socket.fire('connect');
    expect(socket.subscribes).toHaveLength(1);
    socket.fire('disconnect', 'transport close');
    socket.recovered = false;
    socket.fire('connect');
    expect(socket.subscribes).toHaveLength(2);
  });

  it('stops on a refusal retrying cannot fix, and says why', async () => {
    const socket = new FakeSocket();
    const refusals: string[] = [];
    const follower = new ChannelFollower(socket as unknown as FollowerSocket, { channels: ['en'], refused: (e) => refusals.push(e.code) });
    const first = follower.start();
    socket.subscribes[0]!.ack(null, { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'no en' } });
    expect((await first).ok).toBe(false);
    expect(refusals).toEqual(['UNKNOWN_CHANNEL']);
    expect((await follower.subscribe()).ok).toBe(false);
    expect(socket.subscribes).toHaveLength(1);
  });
});
