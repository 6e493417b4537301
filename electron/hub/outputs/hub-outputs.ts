/**
 * The hub's platform outputs, a hub feature (hub-socket.ts): one runner per configured output
 * (output-runner.ts), fed from the channel's committed history (channel-feed.ts) and woken by each change the hub
 * commits, driven by exactly one hub node (output-lease.ts with Redis), switched on and off by an operator
 * without a restart, and reported at `GET /outputs`.
 *
 * HTTP (operator authentication: `Authorization: Bearer <room secret>`; each answer covers the rooms whose
 * secret was presented):
 * - `GET /outputs`: `{ outputs: OutputStatus[] }`;
 * - `POST /outputs/<id>/enable` and `POST /outputs/<id>/disable`: the output's new status. A re-enabled output
 *   starts from the live position (what was said while it was off is not sent late).
 * Targets are never shown in full: statuses carry their redacted form only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  platformLanguage,
  redactTarget,
  type OutputConfig,
  type OutputStatus,
} from '../../common/caption-outputs';
import { fail, ok, type Result } from '../../common/result';
import type { HistoryStore } from '../history-store';
import type { HubFeature, HubFeatureContext, HubRoom } from '../hub-socket';
import { ChannelFeed } from './channel-feed';
import { FileDriver } from './file-driver';
import { TeamsDriver, YoutubeDriver, ZoomDriver } from './http-drivers';
import { ObsDriver, NOT_LATIN_MESSAGE } from './obs-driver';
import type { OutputDriver } from './output-driver';
import type { RedisOutputCoordinator } from './output-lease';
import { FileProgressStore, FileSwitches, MemoryProgressStore, MemorySwitches, type OutputProgressStore, type OutputSwitches } from './output-progress';
import { OutputRunner } from './output-runner';

/** Options of the {@link hubOutputs} feature. */
export interface HubOutputsOptions {
  outputs: readonly OutputConfig[];
  /** Progress and switches survive a restart here (`<dataDir>/outputs/`); omitted keeps them in memory. */
  dataDir?: string;
  /** The hub is one node of several: leases and state in this Redis (the hub's own `redis`). */
  redis?: { url: string; keyPrefix?: string };
  /** How often each output reads its channel besides the commits it hears of. Default 200 ms. */
  pollMs?: number;
  /** Platform request deadline. Default 5 s. */
  requestTimeoutMs?: number;
}

/** What the outputs need of the hub: its rooms, store, log and operator check (a {@link HubFeatureContext}). */
type OutputsContext = Pick<HubFeatureContext, 'rooms' | 'logger' | 'operatorRooms'> & { store: Pick<HistoryStore, 'snapshot'> };

/** Running outputs. */
interface RunningOutputs {
  list(): OutputStatus[];
  setEnabled(id: string, enabled: boolean): Promise<Result<OutputStatus>>;
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  nudge(room: string, channel: string): void;
  close(): Promise<void>;
}

/** The outputs as a hub feature, with what the CLI, the console and tests read of them. */
export interface HubOutputs extends HubFeature {
  /** Every output's status (empty before the hub started them). */
  list(): OutputStatus[];
  /** Switches an output on or off (shared by every hub node). */
  setEnabled(id: string, enabled: boolean): Promise<Result<OutputStatus>>;
}

/** Checks outputs against the hub's rooms; the message names the first output that does not fit. */
export function checkOutputRooms(outputs: readonly OutputConfig[], rooms: readonly Pick<HubRoom, 'id' | 'channels'>[]): string | null {
  if (new Set(outputs.map((o) => o.id)).size !== outputs.length) return 'an output id is given twice (give each output its own id)';
  for (const o of outputs) {
    const room = rooms.find((r) => r.id === o.room);
    if (!room) return `output ${o.id}: no room ${o.room}`;
    if (!room.channels.includes(o.channel)) return `output ${o.id}: room ${o.room} has no channel ${o.channel}`;
  }
  return null;
}

/**
 * The platform outputs of a hub: pass it in `HubOptions.features` (with the booth relay). The hub starts them
 * before it listens (a configuration that names an unknown room or channel stops the start), and closes them
 * before its store.
 */
export function hubOutputs(options: HubOutputsOptions): HubOutputs {
  let running: RunningOutputs | null = null;
  return {
    name: 'platform outputs',
    async start(context) {
      running = await startOutputs(options, context);
    },
    changed(change) {
      running?.nudge(change.room, change.channel);
    },
    http: (req, res) => running?.handleHttp(req, res) ?? false,
    list: () => running?.list() ?? [],
    setEnabled: (id, enabled) => (running ? running.setEnabled(id, enabled) : Promise.resolve(fail('NOT_FOUND', 'the outputs have not started'))),
    async close() {
      const r = running;
      running = null;
      await r?.close();
    },
  };
}

/** Languages written in a script other than Latin: their channels cannot go to a CEA-608 track. */
const NON_LATIN_LANGUAGES = new Set(['ar', 'ru', 'uk', 'be', 'bg', 'mk', 'kk', 'ky', 'tg', 'mn', 'fa', 'ur', 'ps', 'he', 'yi', 'el', 'zh', 'ja', 'ko', 'hi', 'bn', 'th', 'ka', 'hy', 'am']);

interface Slot {
  config: OutputConfig;
  enabled: boolean;
  leader: boolean;
  runner: OutputRunner | null;
  feed: ChannelFeed | null;
  /** Refused for good by the configuration (why, for the status). */
  refused: { code: string; message: string } | null;
  /** Serializes starts and stops of this output. */
  turn: Promise<void>;
}

function targetOf(config: OutputConfig): string {
  return config.kind === 'file' ? `file:${config.dir}` : redactTarget(config.url);
}

function driverFor(config: OutputConfig, requestTimeoutMs: number | undefined): OutputDriver {
  const timeout = requestTimeoutMs !== undefined ? { requestTimeoutMs } : {};
  switch (config.kind) {
    case 'youtube':
      return new YoutubeDriver({ url: config.url, ...timeout });
    case 'zoom':
      return new ZoomDriver({ url: config.url, lang: platformLanguage(config.channel, config.lang), ...timeout });
    case 'teams':
      return new TeamsDriver({ url: config.url, lang: platformLanguage(config.channel, config.lang), ...timeout });
    case 'obs':
      return new ObsDriver({ url: config.url, ...(config.password !== undefined ? { password: config.password } : {}), ...timeout });
    case 'file':
      return new FileDriver({ dir: config.dir, room: config.room, channel: config.channel, ...(config.formats ? { formats: config.formats } : {}) });
  }
}

async function startOutputs(options: HubOutputsOptions, context: OutputsContext): Promise<RunningOutputs> {
  const { logger } = context;
  const mismatch = checkOutputRooms(options.outputs, context.rooms);
  if (mismatch) throw new Error(mismatch);
  let coordinator: RedisOutputCoordinator | null = null;
  let leaseTickMs = 1000;
  if (options.redis) {
    // Loaded only for a Redis node, like the hub's own Redis modules.
    const lease = await import('./output-lease');
    coordinator = await lease.RedisOutputCoordinator.connect(options.redis.url, options.redis.keyPrefix);
    leaseTickMs = lease.LEASE_TICK_MS;
  }
  const progress: OutputProgressStore = coordinator ?? (options.dataDir !== undefined ? new FileProgressStore(options.dataDir) : new MemoryProgressStore());
  const switches: OutputSwitches = coordinator ?? (options.dataDir !== undefined ? new FileSwitches(options.dataDir) : new MemorySwitches());

  const slots = new Map<string, Slot>();
  for (const config of options.outputs) {
    const lang = config.channel.toLowerCase().split(/[-_]/)[0] ?? '';
    const refused = config.kind === 'obs' && NON_LATIN_LANGUAGES.has(lang) ? { code: 'NOT_LATIN', message: NOT_LATIN_MESSAGE } : null;
    slots.set(config.id, { config, enabled: (config.enabled ?? true) && refused === null, leader: coordinator === null, runner: null, feed: null, refused, turn: Promise.resolve() });
  }

  const inTurn = (slot: Slot, task: () => Promise<void>): Promise<void> => {
    const next = slot.turn.then(task).catch((err: unknown) => logger.error('output start/stop failed', { output: slot.config.id, error: String(err) }));
    slot.turn = next;
    return next;
  };

  async function startSlot(slot: Slot): Promise<void> {
    if (slot.runner || !slot.enabled || !slot.leader || slot.refused) return;
    const { config } = slot;
    const runner = new OutputRunner({
      id: config.id,
      driver: driverFor(config, options.requestTimeoutMs),
      progress,
      logger,
      ...(config.backlog !== undefined ? { backlog: config.backlog } : {}),
      ...(config.maxAgeMs !== undefined ? { maxAgeMs: config.maxAgeMs } : {}),
      ...(config.minIntervalMs !== undefined ? { minIntervalMs: config.minIntervalMs } : config.kind === 'file' ? { minIntervalMs: 200 } : {}),
      onFenced: () => {
        slot.leader = false;
        void inTurn(slot, () => stopSlot(slot));
      },
    });
    await runner.start();
    const feed = new ChannelFeed({
      store: context.store,
      room: config.room,
      channel: config.channel,
      from: runner.cursor,
      onChange: (caption) => runner.offer(caption),
      onReached: (cursor) => runner.reached(cursor),
      logger,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    slot.runner = runner;
    slot.feed = feed;
    feed.start();
    logger.info('output started', { output: config.id, kind: config.kind, room: config.room, channel: config.channel, target: targetOf(config), from: runner.cursor });
  }

  async function stopSlot(slot: Slot): Promise<void> {
    const { runner, feed } = slot;
    slot.runner = null;
    slot.feed = null;
    await feed?.stop();
    await runner?.stop();
    if (runner) logger.info('output stopped', { output: slot.config.id });
  }

  /** Sets an output's saved position to the channel's current end (a re-enabled output starts live). */
  async function skipToLive(slot: Slot): Promise<void> {
    const snapshot = await context.store.snapshot(slot.config.room, slot.config.channel, Number.MAX_SAFE_INTEGER);
    if (!snapshot.ok) return;
    const saved = (await progress.load(slot.config.id)) ?? null;
    if (!saved || saved.cursor >= snapshot.value.cursor) return;
    await progress.save(slot.config.id, { ...saved, cursor: snapshot.value.cursor, done: [] });
  }

  for (const slot of slots.values()) {
    const switched = await switches.get(slot.config.id).catch(() => undefined);
    if (switched !== undefined && !slot.refused) slot.enabled = switched;
    if (coordinator === null) await inTurn(slot, () => startSlot(slot));
  }

  let closed = false;
  let tick: NodeJS.Timeout | null = null;
  let ticking: Promise<void> = Promise.resolve();
  if (coordinator) {
    const c = coordinator;
    const leaseTick = async (): Promise<void> => {
      for (const slot of slots.values()) {
        if (closed) return;
        const switched = await c.get(slot.config.id).catch(() => undefined);
        const enabled = slot.refused ? false : (switched ?? slot.config.enabled ?? true);
        if (!enabled) {
          slot.enabled = false;
          if (slot.leader) {
            slot.leader = false;
            await inTurn(slot, () => stopSlot(slot));
            await c.release(slot.config.id).catch(() => undefined);
          }
          continue;
        }
        slot.enabled = true;
        const held = await c.hold(slot.config.id).catch(() => false);
        if (held && !slot.leader) {
          slot.leader = true;
          logger.info('output lease taken', { output: slot.config.id, node: c.nodeId });
          await inTurn(slot, () => startSlot(slot));
        } else if (!held && slot.leader) {
          slot.leader = false;
          logger.warn('output lease lost', { output: slot.config.id, node: c.nodeId });
          await inTurn(slot, () => stopSlot(slot));
        }
      }
    };
    const loop = (): void => {
      ticking = leaseTick().finally(() => {
        if (!closed) tick = setTimeout(loop, leaseTickMs);
      });
    };
    loop();
    await ticking;
  }

  function statusOf(slot: Slot): OutputStatus {
    const { config } = slot;
    const runner = slot.runner?.status();
    const base = {
      id: config.id,
      kind: config.kind,
      room: config.room,
      channel: config.channel,
      target: targetOf(config),
      enabled: slot.enabled,
      leader: slot.leader,
    };
    if (slot.refused) {
      return { ...base, state: 'stopped', code: slot.refused.code, message: slot.refused.message, lastCaptionAt: null, backlog: 0, delivered: 0, dropped: { stale: 0, overflow: 0, refused: 0 }, retries: 0 };
    }
    if (!runner) {
      const state = !slot.enabled ? 'stopped' : 'waiting';
      const message = !slot.enabled ? 'switched off' : !slot.leader ? 'another hub node drives this output' : 'starting';
      return { ...base, state, message, lastCaptionAt: null, backlog: 0, delivered: 0, dropped: { stale: 0, overflow: 0, refused: 0 }, retries: 0 };
    }
    const { counters } = runner;
    return {
      ...base,
      state: runner.state,
      ...(runner.code !== undefined ? { code: runner.code } : {}),
      ...(runner.message !== undefined ? { message: runner.message } : {}),
      lastCaptionAt: runner.lastCaptionAt,
      backlog: runner.backlog,
      delivered: counters.delivered,
      dropped: { stale: counters.stale, overflow: counters.overflow, refused: counters.refused },
      retries: counters.retries,
      ...(config.kind === 'youtube' || config.kind === 'zoom' || config.kind === 'teams' ? { seq: runner.seq } : {}),
    };
  }

  async function setEnabled(id: string, enabled: boolean): Promise<Result<OutputStatus>> {
    const slot = slots.get(id);
    if (!slot) return fail('NOT_FOUND', `no output ${id}`);
    if (slot.refused && enabled) return fail('REFUSED', slot.refused.message);
    await switches.set(id, enabled);
    const was = slot.enabled;
    slot.enabled = enabled;
    logger.info(enabled ? 'output enabled' : 'output disabled', { output: id });
    if (coordinator) {
      // The node holding the lease applies it at its next tick; this node too if it is that node.
      if (!enabled && slot.leader) {
        slot.leader = false;
        await inTurn(slot, () => stopSlot(slot));
        await coordinator.release(id).catch(() => undefined);
      }
      if (enabled && !was) await skipToLive(slot);
      return ok(statusOf(slot));
    }
    if (enabled && !was) {
      await inTurn(slot, async () => {
        await skipToLive(slot);
        await startSlot(slot);
      });
    } else if (!enabled) {
      await inTurn(slot, () => stopSlot(slot));
    }
    return ok(statusOf(slot));
  }

  /** The rooms an `Authorization: Bearer <room secret>` opens. */
  function authorizedRooms(req: IncomingMessage): ReadonlySet<string> {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return m?.[1] ? context.operatorRooms(m[1].trim()) : new Set();
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body) + '\n';
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.end(text);
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? '/', 'http://hub.invalid').pathname;
    if (path !== '/outputs' && !path.startsWith('/outputs/')) return false;
    req.resume();
    const allowed = authorizedRooms(req);
    if (allowed.size === 0) {
      sendJson(res, 401, { ok: false, error: { code: 'AUTH_BAD_SECRET', message: 'present a room secret: Authorization: Bearer <room secret>' } }, { 'WWW-Authenticate': 'Bearer realm="tarjuman-hub"' });
      return true;
    }
    if (path === '/outputs') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { ok: false, error: { code: 'METHOD', message: 'GET /outputs' } }, { Allow: 'GET, HEAD' });
        return true;
      }
      sendJson(res, 200, { outputs: [...slots.values()].filter((s) => allowed.has(s.config.room)).map(statusOf) });
      return true;
    }
    const m = /^\/outputs\/([A-Za-z0-9_-]{1,64})\/(enable|disable)$/.exec(path);
    const slot = m ? slots.get(m[1]!) : undefined;
    if (!m || !slot || !allowed.has(slot.config.room)) {
      sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'no such output in your rooms' } });
      return true;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { ok: false, error: { code: 'METHOD', message: `POST ${path}` } }, { Allow: 'POST' });
      return true;
    }
    setEnabled(slot.config.id, m[2] === 'enable').then(
      (result) => sendJson(res, result.ok ? 200 : 409, result),
      (err: unknown) => {
        logger.error('output switch failed', { output: slot.config.id, error: String(err) });
        sendJson(res, 500, fail('INTERNAL', 'the switch could not be saved'));
      },
    );
    return true;
  }

  return {
    list: () => [...slots.values()].map(statusOf),
    setEnabled,
    handleHttp,
    nudge(room, channel) {
      for (const slot of slots.values()) if (slot.config.room === room && slot.config.channel === channel) slot.feed?.nudge();
    },
    async close() {
      closed = true;
      if (tick) clearTimeout(tick);
      await ticking;
      await Promise.all(
        [...slots.values()].map((slot) =>
          inTurn(slot, async () => {
            const wasLeader = slot.leader;
            await stopSlot(slot);
            if (wasLeader && coordinator) await coordinator.release(slot.config.id).catch(() => undefined);
          }),
        ),
      );
      await coordinator?.close();
    },
  };
}
