/**
 * Wiring of the outputs into a running hub, and the `--output` flag of `npm run hub`.
 *
 * `attachHubOutputs` starts the outputs on the hub's history store, hears of each commit from that store, and
 * serves `/outputs` on the hub's own HTTP server, in front of the hub's routes (the way socket.io itself attaches
 * to a server): the hub's own code is not touched. (When the hub gains a feature-module interface, these two
 * hooks become its commit event and route table.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { outputConfigSchema, OUTPUT_KINDS, type OutputConfig, type OutputKind } from '../../common/caption-outputs';
import type { ChannelChange } from '../../common/protocol';
import type { Result } from '../../common/result';
import type { CaptionHub } from '../caption-hub';
import type { HistoryStore } from '../history-store';
import type { Logger } from '../../node/logger';
import { startHubOutputs, type HubOutputs, type OutputsRoom } from './hub-outputs';

/** Options of {@link attachHubOutputs}. */
export interface AttachOutputsOptions {
  outputs: readonly OutputConfig[];
  /** The hub's rooms with their secrets (operator check of `/outputs`). */
  rooms: readonly OutputsRoom[];
  dataDir?: string;
  redis?: { url: string; keyPrefix?: string };
  logger: Logger;
  pollMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Calls `onCommitted` once a change a store applied is durable (announced to displays at the same moment), by
 * wrapping the store's write methods: the outputs then read the channel at once instead of at their next poll.
 * The hub keeps calling the same object, so nothing in its path changes; a change committed on another hub node
 * (Redis) is still found by the poll.
 */
function watchCommits(store: HistoryStore, onCommitted: (room: string, channel: string) => void): void {
  const notify = (outcome: Result<{ change?: ChannelChange; durable?: Promise<void> }>): void => {
    if (!outcome.ok || !outcome.value.change) return;
    const { room, channel } = outcome.value.change;
    void Promise.resolve(outcome.value.durable).then(() => onCommitted(room, channel));
  };
  const publish = store.publish.bind(store);
  const revise = store.revise.bind(store);
  const clear = store.clear.bind(store);
  store.publish = async (...args) => {
    const outcome = await publish(...args);
    notify(outcome);
    return outcome;
  };
  store.revise = async (...args) => {
    const outcome = await revise(...args);
    notify(outcome);
    return outcome;
  };
  store.clear = async (...args) => {
    const outcome = await clear(...args);
    notify(outcome);
    return outcome;
  };
}

/** Starts the outputs of a hub and serves `/outputs` on its HTTP server. Close them before the hub. */
export async function attachHubOutputs(hub: CaptionHub, options: AttachOutputsOptions): Promise<HubOutputs> {
  const outputs = await startHubOutputs({ ...options, store: hub.store });
  watchCommits(hub.store, (room, channel) => outputs.nudge(room, channel));
  const http = hub.io.httpServer;
  const listeners = http.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (outputs.handleHttp(req, res)) return;
    for (const listener of listeners) listener.call(http, req, res);
  });
  return outputs;
}

/** A mistake in an `--output` flag. */
export class OutputFlagError extends Error {}

/**
 * Parses `--output <kind>:<room>/<channel>=<target>`, e.g. `youtube:main/en=https://...`,
 * `zoom:main/ar=env:ZOOM_AR_URL`, `obs:main/en=ws://127.0.0.1:4455`, `file:main/ru=./live`.
 * A target `env:NAME` is read from that environment variable, which keeps the credential out of the process
 * list; an OBS password goes in the URL's user part (`ws://:password@host:4455`) or in `env:`. The id is
 * `<kind>-<room>-<channel>`.
 */
export function parseOutputFlag(text: string, env: NodeJS.ProcessEnv = process.env): OutputConfig {
  const m = /^([a-z]+):([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)=(.+)$/.exec(text);
  if (!m) throw new OutputFlagError(`--output wants kind:room/channel=target, e.g. zoom:main/en=env:ZOOM_URL (got "${text.slice(0, 24)}...")`);
  const [, kind, room, channel, rawTarget] = m as unknown as [string, string, string, string, string];
  if (!(OUTPUT_KINDS as readonly string[]).includes(kind)) throw new OutputFlagError(`--output: kind is one of ${OUTPUT_KINDS.join(', ')}, not "${kind}"`);
  let target = rawTarget;
  if (target.startsWith('env:')) {
    const name = target.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new OutputFlagError(`--output ${kind}:${room}/${channel}: environment variable ${name} is not set`);
    target = value;
  }
  const id = `${kind}-${room}-${channel}`;
  let config: unknown;
  if ((kind as OutputKind) === 'file') config = { kind, id, room, channel, dir: target };
  else if ((kind as OutputKind) === 'obs') {
    let password: string | undefined;
    try {
      const u = new URL(target);
      if (u.password) password = decodeURIComponent(u.password);
      u.username = '';
      u.password = '';
      target = u.toString().replace(/\/$/, '');
    } catch {
      // The schema reports the bad address.
    }
    config = { kind, id, room, channel, url: target, ...(password !== undefined ? { password } : {}) };
  } else config = { kind, id, room, channel, url: target };
  const parsed = outputConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OutputFlagError(`--output ${kind}:${room}/${channel}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
