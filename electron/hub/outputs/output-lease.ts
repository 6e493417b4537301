/**
 * Which hub node drives each output, and where outputs keep their state, when the hub spans several processes
 * on one Redis (`--redis`).
 *
 * Exactly one node drives an output: it holds a lease, a Redis key `SET NX PX` with its node id, renewed well
 * before it expires. A node that dies stops renewing; once the lease expires (a few seconds) another node takes
 * it and resumes from the output's state, which lives in Redis too. The state is written only by the lease
 * holder (a check-and-set script), so a node that stalled past its lease cannot overwrite what its successor
 * wrote: its next save fails and it stops (fencing). Without Redis the single node always drives every output.
 */
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { outputProgressSchema, type OutputProgress, type OutputProgressStore, type OutputSwitches } from './output-progress';

/** How long a lease lasts without renewal. */
export const LEASE_TTL_MS = 4000;

/** How often a node renews its leases and tries to take free ones. */
export const LEASE_TICK_MS = 1000;

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const FENCED_SET = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2]) return 1 else return 0 end`;

/** Leases, fenced state and switches of outputs in Redis. */
export class RedisOutputCoordinator implements OutputProgressStore, OutputSwitches {
  /** This node's id in the leases. */
  readonly nodeId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly client: RedisClientType;
  private readonly prefix: string;

  private constructor(client: RedisClientType, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  /** Connects to Redis (the hub's own URL). */
  static async connect(url: string, keyPrefix = 'tarjuman'): Promise<RedisOutputCoordinator> {
    const client: RedisClientType = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) } });
    client.on('error', () => {
      // Reported through failing lease renewals and saves; the client reconnects by itself.
    });
    await client.connect();
    return new RedisOutputCoordinator(client, keyPrefix);
  }

  private key(id: string, what: string): string {
    return `${this.prefix}:output:{${id}}:${what}`;
  }

  /** Takes the output's lease if nobody holds it, or renews it if this node does. */
  async hold(id: string): Promise<boolean> {
    const key = this.key(id, 'lease');
    const renewed = await this.client.eval(RENEW, { keys: [key], arguments: [this.nodeId, String(LEASE_TTL_MS)] });
    if (renewed === 1) return true;
    const taken = await this.client.set(key, this.nodeId, { NX: true, PX: LEASE_TTL_MS });
    return taken === 'OK';
  }

  /** Gives the lease up (a clean stop), so another node takes over at once. */
  async release(id: string): Promise<void> {
    await this.client.eval(RELEASE, { keys: [this.key(id, 'lease')], arguments: [this.nodeId] });
  }

  async load(id: string): Promise<OutputProgress | null> {
    const text = await this.client.get(this.key(id, 'state'));
    if (text === null) return null;
    const parsed = outputProgressSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`output ${id}: state in Redis is damaged`);
    return parsed.data;
  }

  async save(id: string, progress: OutputProgress): Promise<boolean> {
    const done = await this.client.eval(FENCED_SET, { keys: [this.key(id, 'lease'), this.key(id, 'state')], arguments: [this.nodeId, JSON.stringify(progress)] });
    return done === 1;
  }

  async get(id: string): Promise<boolean | undefined> {
    const v = await this.client.get(this.key(id, 'enabled'));
    return v === null ? undefined : v === '1';
  }

  async set(id: string, enabled: boolean): Promise<void> {
    await this.client.set(this.key(id, 'enabled'), enabled ? '1' : '0');
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
