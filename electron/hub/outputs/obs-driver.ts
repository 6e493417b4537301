/**
 * OBS Studio's stream captions through obs-websocket v5 (`SendStreamCaption`), with the protocol's
 * authentication, by the `obs-websocket-js` client (JSON encoding).
 *
 * OBS writes the text into the stream's CEA-608 track, which carries the Latin script only: a caption with
 * Arabic, Cyrillic or any other script is refused with the status `NOT_LATIN` instead of being garbled. For those
 * languages the overlay route is the display page as an OBS browser source (transparent theme).
 */
import { OBSWebSocket, OBSWebSocketError } from 'obs-websocket-js/json';
import { cea608Cues } from './caption-shaping';
import { unitsOf, type CaptionUnit, type OutgoingCaption, type OutputDriver, type SendOutcome, type ShapeResult } from './output-driver';

/** obs-websocket's close code for a wrong password. */
const AUTHENTICATION_FAILED = 4009;

/** What the operator reads when a caption is refused for its script. */
export const NOT_LATIN_MESSAGE =
  'CEA-608 stream captions carry Latin script only: this caption is not sent to OBS (use the display page as a browser source for Arabic or Cyrillic)';

export interface ObsDriverOptions {
  /** `ws://host:4455`. */
  url: string;
  /** obs-websocket server password (a credential). */
  password?: string;
  requestTimeoutMs?: number;
}

/** Sends captions to OBS's stream output. */
export class ObsDriver implements OutputDriver {
  readonly usesSeq = false;
  private readonly options: ObsDriverOptions;
  private client: OBSWebSocket | null = null;
  private connecting: Promise<OBSWebSocket> | null = null;

  constructor(options: ObsDriverOptions) {
    this.options = options;
  }

  shape(caption: OutgoingCaption): ShapeResult {
    if (caption.kind === 'clear') return { units: [] };
    const cues = cea608Cues(caption.text);
    if (cues === null) return { refused: { code: 'NOT_LATIN', message: NOT_LATIN_MESSAGE } };
    return { units: unitsOf(caption, cues) };
  }

  pack(_units: readonly CaptionUnit[]): number {
    // Each stream caption replaces the one before on screen: one cue per request.
    return 1;
  }

  prepare(units: readonly CaptionUnit[], _seq: number): string {
    return units.map((u) => u.text).join('\n');
  }

  async send(body: string, _seq: number, signal: AbortSignal): Promise<SendOutcome> {
    const timeoutMs = this.options.requestTimeoutMs ?? 5000;
    let client: OBSWebSocket;
    try {
      client = await this.connect();
    } catch (err) {
      this.drop();
      const code = err instanceof OBSWebSocketError ? err.code : -1;
      if (code === AUTHENTICATION_FAILED) {
        return { ok: false, code: 'AUTH', message: 'OBS refused the obs-websocket password', certain: true };
      }
      return { ok: false, code: 'NETWORK', message: `OBS unreachable (${(err as Error).message || 'connection failed'})`, certain: true };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
      signal.addEventListener('abort', () => resolveTimeout('timeout'), { once: true });
    });
    try {
      const answer = await Promise.race([client.call('SendStreamCaption', { captionText: body }).then(() => 'ok' as const), timedOut]);
      if (answer === 'timeout') {
        this.drop();
        return { ok: false, code: 'TIMEOUT', message: `OBS did not answer within ${timeoutMs} ms`, certain: false };
      }
      return { ok: true };
    } catch (err) {
      if (err instanceof OBSWebSocketError && err.code >= 100) {
        // A request status: OBS answered and did not take the caption (e.g. 501: the stream is not running).
        return { ok: false, code: String(err.code), message: `OBS refused the caption (${err.code}: ${err.message || 'no comment'})`, certain: true };
      }
      this.drop();
      return { ok: false, code: 'NETWORK', message: `connection to OBS lost (${(err as Error).message})`, certain: false };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    await client?.disconnect().catch(() => undefined);
  }

  private connect(): Promise<OBSWebSocket> {
    if (this.client?.identified) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new OBSWebSocket();
      client.on('ConnectionClosed', () => {
        if (this.client === client) this.client = null;
      });
      // eventSubscriptions 0: captions only, no event traffic from OBS.
      await client.connect(this.options.url, this.options.password, { rpcVersion: 1, eventSubscriptions: 0 });
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private drop(): void {
    const client = this.client;
    this.client = null;
    void client?.disconnect().catch(() => undefined);
  }
}
