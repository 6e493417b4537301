/** A hub for tests on a free loopback port with a recording log, and clients that are closed together. */
import type { HandshakeAuth } from '../../common/protocol';
import type { RoomConfig } from '../../common/hub-config';
import { startCaptionHub, type CaptionHub, type HubOptions } from '../caption-hub';
import { connectHubClient, type ConnectOptions, type HubClientSocket } from '../hub-client';
import { RecordingLogger } from './logger';

/** The rooms most tests use: `main` (default channels, an `ar` PIN) and `panel` (en only). */
export const TEST_ROOMS: RoomConfig[] = [
  { id: 'main', secret: 'main-room-secret-7731', channelPins: { ar: 'pin-ar-4412' } },
  { id: 'panel', channels: ['floor', 'en'], secret: 'panel-secret-2290' },
];

/** Starts a hub on 127.0.0.1 and a free port with a recording log. */
export async function startTestHub(
  overrides: Partial<HubOptions> = {},
): Promise<{ hub: CaptionHub; log: RecordingLogger }> {
  const log = new RecordingLogger();
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
