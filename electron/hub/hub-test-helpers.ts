/**
 * Shared fixtures of the hub's tests and benchmark: a captured logger, a hub on a free loopback port, and
 * connected clients that are closed together.
 */
import type { HandshakeAuth } from '../common/protocol';
import type { RoomConfig } from '../common/hub-config';
import { startCaptionHub, type CaptionHub, type HubOptions } from './caption-hub';
import { connectHubClient, type ConnectOptions, type HubClientSocket } from './hub-client';
import type { Logger, LogFields } from '../node/logger';

/** A logger that keeps every line as text (what a file would hold). */
export class CapturedLogger implements Logger {
  readonly lines: string[] = [];
  info(message: string, fields?: LogFields): void {
    this.lines.push(`info ${message} ${JSON.stringify(fields ?? {})}`);
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push(`warn ${message} ${JSON.stringify(fields ?? {})}`);
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push(`error ${message} ${JSON.stringify(fields ?? {})}`);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** The rooms most tests use: `main` (default channels, an `ar` PIN) and `panel` (en only). */
export const TEST_ROOMS: RoomConfig[] = [
  { id: 'main', secret: 'main-room-secret-7731', channelPins: { ar: 'pin-ar-4412' } },
  { id: 'panel', channels: ['floor', 'en'], secret: 'panel-secret-2290' },
];

/** Starts a hub on 127.0.0.1 and a free port with a captured log. */
export async function startTestHub(
  overrides: Partial<HubOptions> = {},
): Promise<{ hub: CaptionHub; log: CapturedLogger }> {
  const log = new CapturedLogger();
  const hub = await startCaptionHub({ host: '127.0.0.1', port: 0, rooms: TEST_ROOMS, logger: log, ...overrides });
  return { hub, log };
}

/** Opens clients and closes them all at the end. */
export class ClientPool {
  private readonly sockets: HubClientSocket[] = [];

  /** Connects; throws with the refusal code when the hub refuses (use `tryConnect` to inspect it). */
  async connect(url: string, auth: HandshakeAuth, options: ConnectOptions = {}): Promise<HubClientSocket> {
    const result = await connectHubClient(url, auth, { transports: ['websocket'], ...options });
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    this.sockets.push(result.value);
    return result.value;
  }

  tryConnect(url: string, auth: HandshakeAuth): ReturnType<typeof connectHubClient> {
    return connectHubClient(url, auth, { transports: ['websocket'], reconnection: false });
  }

  closeAll(): void {
    for (const s of this.sockets.splice(0)) s.disconnect();
  }
}

/** Resolves when `predicate` holds, checking on every macrotask turn; rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
