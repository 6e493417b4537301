/**
 * A {@link HistoryStore} in Redis, for a hub that runs as several processes (`npm run hub -- --redis
 * redis://host:port`): every node reads and writes the same channel history, sequence numbers, cursors,
 * partials and notices, so any node can serve any display and catch it up.
 *
 * The caption rules are decided by caption-rules.ts, as for the memory store (partial/final/revise/clear,
 * idempotent resends); this store only reads and writes. Each write is an optimistic transaction on a dedicated
 * connection: WATCH the channel's `meta` key, read what the decision needs, decide, then MULTI/EXEC its writes
 * together with a bump of `meta.ver`. If another node wrote the channel in between, EXEC aborts and the operation is decided again on
 * the new state, so two nodes never hand out the same seq or cursor. Reads for catch-up run as one Lua script
 * (atomic, one round trip).
 *
 * Keys of a channel share the hash tag `{room/channel}`, so they live in one slot of a Redis cluster.
 * Durability is Redis's: run it with `appendonly yes` (see docs/deploy.md).
 */
import { createClient, type RedisClientType } from 'redis';
import { z } from 'zod';
import {
  ERROR_CODES,
  type ErrorCode,
  type CaptionLine,
  type ChannelChange,
  type ChannelSnapshot,
  type Notice,
  type PublishLine,
} from '../common/protocol';
import { fail, ok, type ErrorInfo, type Result } from '../common/result';
import type { ChangeOutcome, PublishOutcome } from './channel-ledger';
import { decideClear, decidePublish, decideRevise, type ChannelClosed, type ChannelWrite, type Decision, type KeptLine, type SeenId } from './caption-rules';
import type { HistoryStore, RoomSpec, StoreHealth } from './history-store';
import { redactUrl } from './redis-url';
import { captionLineSchema, channelChangeSchema, noticeSchema } from './journal-schema';
import { mergeRecord } from './room-archive';

/** Options of {@link RedisHistoryStore}. */
export interface RedisHistoryStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Committed lines kept per channel. */
  historyLimit: number;
  /** Prefix of every key. Default `tarjuman`. */
  keyPrefix?: string;
  /** Called when Redis becomes unreachable (`error`) or reachable again (`null`). */
  onStatus?: (error: ErrorInfo | null) => void;
}

type Client = RedisClientType;
type Multi = ReturnType<Client['multi']>;

const keptLineSchema = z.object({ line: captionLineSchema, publishedText: z.string(), cursor: z.number().int().positive(), cleared: z.boolean() });
const seenIdSchema = z.object({ seq: z.number().int().positive(), firstSeenAt: z.number(), finalText: z.string().optional() });

/** Reads a channel's catch-up in one atomic step; see {@link RedisHistoryStore.snapshot}. */
const SNAPSHOT_SCRIPT = `
local cursor = tonumber(redis.call('HGET', KEYS[1], 'cursor') or '0')
local since = tonumber(ARGV[1])
local partial = redis.call('GET', KEYS[3])
if since >= 0 and since <= cursor then
  if since == cursor then return {cursor, 0, partial, {}} end
  local len = redis.call('LLEN', KEYS[2])
  local first = cursor - len + 1
  if len > 0 and first <= since + 1 then
    return {cursor, 0, partial, redis.call('LRANGE', KEYS[2], since + 1 - first, -1)}
  end
end
local ids = redis.call('LRANGE', KEYS[4], 0, -1)
local lines = {}
if #ids > 0 then lines = redis.call('HMGET', KEYS[5], unpack(ids)) end
return {cursor, 1, partial, lines}
`;

class Conflict extends Error {}

/** Lines read per HMGET of the record, so a long session's export does not block Redis with one huge reply. */
const RECORD_READ_BATCH = 1000;

/** The Redis keys of one channel. */
interface ChannelKeys {
  /** Hash: `cursor`, `nextSeq`, `ver` (bumped by every write; the key WATCHed). */
  meta: string;
  /** List of the kept {@link ChannelChange}s as JSON, consecutive cursors, oldest first. */
  changes: string;
  /** String: the current partial line as JSON. */
  partial: string;
  /** List of kept line ids in commit order. */
  order: string;
  /** Hash: id → {@link KeptLine} as JSON. */
  lines: string;
  /** List of every committed line id in commit order, never trimmed: the record exports read. */
  record: string;
  /** Hash: id → the line's latest {@link CaptionLine} as JSON, for every id of `record`. */
  recordLines: string;
  /** Hash: id → {@link SeenId} as JSON. */
  seen: string;
  /** Sorted set: seen ids by seq (for bounding `seen`). */
  seenBySeq: string;
}

/** History, seq and cursors of every channel in Redis, shared by all hub nodes. */
export class RedisHistoryStore implements HistoryStore {
  private readonly options: RedisHistoryStoreOptions;
  private readonly prefix: string;
  private readonly changeLimit: number;
  private readonly seenLimit: number;
  private readonly rooms = new Map<string, readonly string[]>();
  private client: Client | null = null;
  /** Dedicated connection for WATCH/MULTI (a WATCH belongs to the connection). */
  private writer: Client | null = null;
  private adapterClient: Client | null = null;
  private writeQueue: Promise<unknown> = Promise.resolve();
  private lastError: ErrorInfo | null = null;

  constructor(options: RedisHistoryStoreOptions) {
    this.options = options;
    this.prefix = options.keyPrefix ?? 'tarjuman';
    this.changeLimit = Math.max(2 * options.historyLimit, 100);
    this.seenLimit = Math.max(4 * options.historyLimit, 200);
  }

  /**
   * A connected client for socket.io's Redis Streams adapter (which duplicates it for its stream reader). Unlike
   * the store's own connections it queues commands while Redis is down, so the adapter's reader waits for Redis
   * instead of spinning, and broadcasts are delayed rather than dropped.
   */
  get redis(): Client {
    if (!this.adapterClient) throw new Error('RedisHistoryStore is not open');
    return this.adapterClient;
  }

  private get cmd(): Client {
    if (!this.client) throw new Error('RedisHistoryStore is not open');
    return this.client;
  }

  async open(rooms: readonly RoomSpec[]): Promise<void> {
    for (const r of rooms) this.rooms.set(r.id, r.channels);
    // No offline queue: while Redis is down a request fails at once (the booth keeps it and resends) instead of
    // holding the room's queue until Redis comes back.
    const client = createClient({
      url: this.options.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
    }) as Client;
    this.watchHealth(client);
    await client.connect();
    const writer = client.duplicate();
    writer.on('error', () => {});
    await writer.connect();
    const adapterClient = client.duplicate({ disableOfflineQueue: false });
    adapterClient.on('error', () => {});
    await adapterClient.connect();
    this.client = client;
    this.writer = writer;
    this.adapterClient = adapterClient;
  }

  async publish(room: string, input: PublishLine, now: number, closed: ChannelClosed = null): Promise<Result<PublishOutcome, ErrorCode>> {
    const keys = this.keysOf(room, input.channel);
    if (!keys.ok) return keys;
    const k = keys.value;
    const ref = { room, channel: input.channel };
    return this.transaction(k, async (w) => {
      const [meta, seenRaw, keptRaw, partialRaw] = await Promise.all([
        w.hGetAll(k.meta),
        w.hGet(k.seen, input.id),
        w.hGet(k.lines, input.id),
        w.get(k.partial),
      ]);
      const partial = parseJson(partialRaw, captionLineSchema) as CaptionLine | null;
      const state = {
        cursor: Number(meta['cursor'] ?? 0),
        nextSeq: Number(meta['nextSeq'] ?? 1),
        seen: parseJson(seenRaw, seenIdSchema) as SeenId | null,
        kept: parseJson(keptRaw, keptLineSchema) as KeptLine | null,
        partial,
      };
      return this.writeDecision(w, k, decidePublish(ref, state, input, now, closed), { partial, kept: state.kept });
    });
  }

  async revise(room: string, channel: string, id: string, text: string, now: number, closed: ChannelClosed = null): Promise<Result<ChangeOutcome, ErrorCode>> {
    const keys = this.keysOf(room, channel);
    if (!keys.ok) return keys;
    const k = keys.value;
    return this.transaction(k, async (w) => {
      const [cursorRaw, keptRaw, partialRaw] = await Promise.all([w.hGet(k.meta, 'cursor'), w.hGet(k.lines, id), w.get(k.partial)]);
      const kept = parseJson(keptRaw, keptLineSchema) as KeptLine | null;
      const partial = parseJson(partialRaw, captionLineSchema) as CaptionLine | null;
      const decided = decideRevise({ room, channel }, { cursor: Number(cursorRaw ?? 0), kept, partial }, id, text, now, closed);
      return this.writeDecision(w, k, decided, { partial, kept });
    });
  }

  async clear(room: string, channel: string, now: number): Promise<Result<ChangeOutcome, ErrorCode>> {
    const keys = this.keysOf(room, channel);
    if (!keys.ok) return keys;
    const k = keys.value;
    return this.transaction(k, async (w) => {
      const cursorRaw = await w.hGet(k.meta, 'cursor');
      return this.writeDecision(w, k, ok(decideClear({ room, channel }, { cursor: Number(cursorRaw ?? 0) }, now)), { partial: null, kept: null });
    });
  }

  /**
   * Turns a decision's writes into one MULTI (inside the caller's WATCH), plus the trims that keep the stored
   * history bounded. A decision with no writes (a duplicate, a refusal) sends no transaction.
   */
  private async writeDecision(
    w: Client,
    k: ChannelKeys,
    decided: Result<Decision, ErrorCode>,
    read: { partial: CaptionLine | null; kept: KeptLine | null },
  ): Promise<{ result: Result<PublishOutcome, ErrorCode>; tx?: Multi }> {
    if (!decided.ok) return { result: decided };
    const { writes, ...outcome } = decided.value;
    const result = ok({ ...outcome, records: [] });
    if (writes.length === 0) return { result };
    const tx = w.multi();
    for (const write of writes) await this.queueWrite(w, tx, k, write, read);
    return { result, tx };
  }

  private async queueWrite(w: Client, tx: Multi, k: ChannelKeys, write: ChannelWrite, read: { partial: CaptionLine | null; kept: KeptLine | null }): Promise<void> {
    switch (write.t) {
      case 'see':
        tx.hSet(k.meta, 'nextSeq', String(write.seq + 1));
        tx.hSet(k.seen, write.id, JSON.stringify({ seq: write.seq, firstSeenAt: write.firstSeenAt } satisfies SeenId));
        tx.zAdd(k.seenBySeq, { score: write.seq, value: write.id });
        return;
      case 'partial':
        tx.set(k.partial, JSON.stringify(write.line));
        return;
      case 'commit': {
        const { change, publishedText } = write;
        const { line } = change;
        if (read.partial?.id === line.id) tx.del(k.partial);
        tx.hSet(k.meta, 'cursor', String(change.cursor));
        tx.hSet(k.seen, line.id, JSON.stringify({ seq: line.seq, firstSeenAt: write.firstSeenAt, finalText: publishedText } satisfies SeenId));
        tx.zAdd(k.seenBySeq, { score: line.seq, value: line.id });
        tx.hSet(k.lines, line.id, JSON.stringify({ line, publishedText, cursor: change.cursor, cleared: false } satisfies KeptLine));
        tx.rPush(k.order, line.id);
        tx.rPush(k.record, line.id);
        tx.hSet(k.recordLines, line.id, JSON.stringify(line));
        this.pushChange(tx, k, change);
        await this.trimLines(w, tx, k);
        await this.trimSeen(w, tx, k, new Set([line.id, ...(read.partial ? [read.partial.id] : [])]));
        return;
      }
      case 'revise': {
        const { change } = write;
        const kept = read.kept;
        tx.hSet(k.meta, 'cursor', String(change.cursor));
        if (kept) tx.hSet(k.lines, change.line.id, JSON.stringify({ ...kept, line: change.line, cursor: change.cursor } satisfies KeptLine));
        tx.hSet(k.recordLines, change.line.id, JSON.stringify(change.line));
        this.pushChange(tx, k, change);
        return;
      }
      case 'clear': {
        tx.hSet(k.meta, 'cursor', String(write.change.cursor));
        const updates: Record<string, string> = {};
        for (const [id, raw] of Object.entries(await w.hGetAll(k.lines))) {
          const kept = parseJson(raw, keptLineSchema);
          if (kept && !kept.cleared) updates[id] = JSON.stringify({ ...kept, cleared: true });
        }
        if (Object.keys(updates).length > 0) tx.hSet(k.lines, updates);
        tx.del(k.partial);
        this.pushChange(tx, k, write.change);
        return;
      }
    }
  }

  async setNotice(notice: Notice): Promise<Result<Notice, ErrorCode>> {
    if (!this.rooms.has(notice.room)) return fail(ERROR_CODES.UNKNOWN_ROOM, `unknown room ${notice.room}`);
    return this.guard(async () => {
      const key = this.noticeKey(notice.room);
      if (notice.text === null) await this.cmd.del(key);
      else await this.cmd.set(key, JSON.stringify(notice));
      return ok(notice);
    });
  }

  async notice(room: string): Promise<Result<Notice | null, ErrorCode>> {
    if (!this.rooms.has(room)) return fail(ERROR_CODES.UNKNOWN_ROOM, `unknown room ${room}`);
    return this.guard(async () => ok(parseJson(await this.cmd.get(this.noticeKey(room)), noticeSchema)));
  }

  /**
   * Catch-up from `since`: the changes after it when the kept changes reach back that far, otherwise (fresh
   * display, `since` from before the kept history or above the cursor) `reset` with the visible kept lines.
   */
  async snapshot(room: string, channel: string, since: number | undefined): Promise<Result<ChannelSnapshot, ErrorCode>> {
    const keys = this.keysOf(room, channel);
    if (!keys.ok) return keys;
    const k = keys.value;
    return this.guard(async () => {
      const reply = (await this.cmd.eval(SNAPSHOT_SCRIPT, {
        keys: [k.meta, k.changes, k.partial, k.order, k.lines],
        arguments: [String(since ?? -1)],
      })) as [number, number, string | null, Array<string | null>];
      const [cursor, reset, partialRaw, items] = reply;
      const partial = parseJson(partialRaw, captionLineSchema) as CaptionLine | null;
      const changes: ChannelChange[] = [];
      if (reset === 1) {
        for (const raw of items) {
          const kept = parseJson(raw, keptLineSchema) as KeptLine | null;
          if (kept && !kept.cleared) changes.push({ kind: 'committed', room, channel, cursor: kept.cursor, line: kept.line });
        }
      } else {
        for (const raw of items) {
          const change = parseJson(raw, channelChangeSchema);
          if (change && since !== undefined && change.cursor > since) changes.push(change);
        }
      }
      return ok({ channel, cursor: Number(cursor), reset: reset === 1, changes, partial });
    });
  }

  async committedLines(room: string, channel: string): Promise<Result<CaptionLine[], ErrorCode>> {
    const keys = this.keysOf(room, channel);
    if (!keys.ok) return keys;
    const k = keys.value;
    return this.guard(async () => {
      const recorded: CaptionLine[] = [];
      const recordIds = await this.cmd.lRange(k.record, 0, -1);
      for (let i = 0; i < recordIds.length; i += RECORD_READ_BATCH) {
        for (const raw of await this.cmd.hmGet(k.recordLines, recordIds.slice(i, i + RECORD_READ_BATCH))) {
          const line = parseJson(raw, captionLineSchema) as CaptionLine | null;
          if (line) recorded.push(line);
        }
      }
      // The kept lines also fill in a channel written before the full record existed.
      const kept: CaptionLine[] = [];
      const keptIds = await this.cmd.lRange(k.order, 0, -1);
      if (keptIds.length > 0) {
        for (const raw of await this.cmd.hmGet(k.lines, keptIds)) {
          const line = parseJson(raw, keptLineSchema) as KeptLine | null;
          if (line) kept.push(line.line);
        }
      }
      return ok(mergeRecord(recorded, kept));
    });
  }

  async partial(room: string, channel: string): Promise<Result<CaptionLine | null, ErrorCode>> {
    const keys = this.keysOf(room, channel);
    if (!keys.ok) return keys;
    const k = keys.value;
    return this.guard(async () => ok(parseJson(await this.cmd.get(k.partial), captionLineSchema) as CaptionLine | null));
  }

  health(): StoreHealth {
    return { kind: 'redis', durable: true, error: this.lastError, skippedAtStart: 0, damagedAtStart: 0 };
  }

  async flush(): Promise<void> {
    await this.writeQueue.catch(() => {});
  }

  async close(): Promise<void> {
    await this.flush();
    const clients = [this.writer, this.client, this.adapterClient];
    this.writer = null;
    this.client = null;
    this.adapterClient = null;
    await Promise.all(clients.map((c) => (c?.isOpen ? c.close().catch(() => c.destroy()) : undefined)));
  }

  /** Deletes every key of these rooms (tests, or resetting an event). */
  async wipe(rooms: readonly RoomSpec[]): Promise<void> {
    const keys: string[] = [];
    for (const r of rooms) {
      keys.push(this.noticeKey(r.id));
      for (const c of r.channels) keys.push(...Object.values(this.channelKeys(r.id, c)));
    }
    if (keys.length > 0) await this.cmd.del(keys);
  }

  private channelKeys(room: string, channel: string): ChannelKeys {
    const base = `${this.prefix}:{${room}/${channel}}`;
    return {
      meta: `${base}:meta`,
      changes: `${base}:changes`,
      partial: `${base}:partial`,
      order: `${base}:order`,
      lines: `${base}:lines`,
      record: `${base}:record`,
      recordLines: `${base}:record-lines`,
      seen: `${base}:seen`,
      seenBySeq: `${base}:seen-by-seq`,
    };
  }

  private noticeKey(room: string): string {
    return `${this.prefix}:{${room}}:notice`;
  }

  private keysOf(room: string, channel: string): Result<ChannelKeys, ErrorCode> {
    const channels = this.rooms.get(room);
    if (!channels) return fail(ERROR_CODES.UNKNOWN_ROOM, `unknown room ${room}`);
    if (!channels.includes(channel)) {
      return fail(ERROR_CODES.UNKNOWN_CHANNEL, `room ${room} has no channel ${channel} (it has ${channels.join(', ')})`);
    }
    return ok(this.channelKeys(room, channel));
  }

  private pushChange(tx: Multi, k: ChannelKeys, change: ChannelChange): void {
    tx.rPush(k.changes, JSON.stringify(change));
    tx.lTrim(k.changes, -this.changeLimit, -1);
  }

  /** Drops the oldest kept lines past the history limit (inside the transaction). */
  private async trimLines(w: Client, tx: Multi, k: ChannelKeys): Promise<void> {
    const length = await w.lLen(k.order);
    const excess = length + 1 - this.options.historyLimit;
    if (excess <= 0) return;
    const dropped = await w.lRange(k.order, 0, excess - 1);
    tx.lTrim(k.order, excess, -1);
    if (dropped.length > 0) tx.hDel(k.lines, dropped);
  }

  /** Forgets the oldest seen ids past the bound, never a kept line or the partial (inside the transaction). */
  private async trimSeen(w: Client, tx: Multi, k: ChannelKeys, keep: Set<string>): Promise<void> {
    const size = await w.zCard(k.seenBySeq);
    // Trim in batches, so most commits skip this.
    if (size <= this.seenLimit + 50) return;
    const candidates = await w.zRange(k.seenBySeq, 0, size - this.seenLimit - 1);
    if (candidates.length === 0) return;
    const keptFlags = await w.hmGet(k.lines, candidates);
    const forget = candidates.filter((id, i) => keptFlags[i] === null && !keep.has(id));
    if (forget.length === 0) return;
    tx.hDel(k.seen, forget);
    tx.zRem(k.seenBySeq, forget);
  }

  /**
   * Runs a read-decide-write on the writer connection: WATCH, `decide` (reads and queues writes on a MULTI),
   * EXEC; decided again when another node wrote the channel meanwhile. Writes of this node run one at a time.
   */
  private transaction<T>(k: ChannelKeys, decide: (w: Client) => Promise<{ result: Result<T, ErrorCode>; tx?: Multi | undefined }>): Promise<Result<T, ErrorCode>> {
    const run = async (): Promise<Result<T, ErrorCode>> => {
      const w = this.writer;
      if (!w) return fail(ERROR_CODES.INTERNAL, 'the history store is closed');
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          await w.watch(k.meta);
          const { result, tx } = await decide(w);
          if (!tx) {
            await w.unwatch();
            return result;
          }
          tx.hIncrBy(k.meta, 'ver', 1);
          try {
            await tx.exec();
          } catch (err) {
            if ((err as Error).constructor.name === 'WatchError') throw new Conflict();
            throw err;
          }
          this.setHealthy();
          return result;
        } catch (err) {
          if (err instanceof Conflict) continue;
          return this.failure(err);
        }
      }
      return fail(ERROR_CODES.INTERNAL, 'the channel is being written by other hub nodes too fast; try again');
    };
    const next = this.writeQueue.then(run, run);
    this.writeQueue = next.catch(() => {});
    return next;
  }

  private async guard<T>(task: () => Promise<Result<T, ErrorCode>>): Promise<Result<T, ErrorCode>> {
    try {
      return await task();
    } catch (err) {
      return this.failure(err);
    }
  }

  private failure(err: unknown): Result<never, ErrorCode> {
    const info: ErrorInfo<ErrorCode> = { code: ERROR_CODES.INTERNAL, message: `history store (Redis) failed: ${(err as Error).message ?? String(err)}` };
    this.setError(info);
    return fail(info.code, info.message);
  }

  private watchHealth(client: Client): void {
    client.on('error', (err: Error) => this.setError({ code: ERROR_CODES.INTERNAL, message: `Redis at ${redactUrl(this.options.url)}: ${err.message}` }));
    client.on('ready', () => this.setHealthy());
  }

  private setError(info: ErrorInfo): void {
    const first = this.lastError === null;
    this.lastError = info;
    if (first) this.options.onStatus?.(info);
  }

  private setHealthy(): void {
    if (this.lastError === null) return;
    this.lastError = null;
    this.options.onStatus?.(null);
  }
}

function parseJson<S extends z.ZodType>(raw: string | null | undefined, schema: S): z.infer<S> | null {
  if (raw === null || raw === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
