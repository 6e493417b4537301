/**
 * A fake obs-websocket v5 server on loopback, strict about the handshake, for tests and the benchmark: the
 * `obswebsocket.json` subprotocol, Hello (op 0) with an authentication challenge, Identify (op 1) checked against
 * the password (close 4009 when wrong, 4007 on a wrong rpc version, 4005 before identification), Identified
 * (op 2), then Request (op 6) / RequestResponse (op 7). `SendStreamCaption` records the caption while the stream
 * is on (`streaming`), otherwise answers status 501 (output not running) like OBS; a non-608 character in a
 * caption is recorded as a violation. `hangNext` leaves requests unanswered.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** The protocol's authentication string: base64(sha256(base64(sha256(password + salt)) + challenge)). */
export function obsAuthentication(password: string, salt: string, challenge: string): string {
  const secret = createHash('sha256').update(password + salt).digest('base64');
  return createHash('sha256').update(secret + challenge).digest('base64');
}

/** A caption OBS took. */
export interface ObsCaption {
  text: string;
  receivedAt: number;
}

export class FakeObsServer {
  readonly captions: ObsCaption[] = [];
  readonly violations: string[] = [];
  /** Identify attempts refused for a wrong password. */
  authFailures = 0;
  /** `SendStreamCaption` is refused (501) while the stream is off. */
  streaming = true;
  private readonly wss: WebSocketServer;
  private readonly password: string | undefined;
  private hang = 0;

  private constructor(wss: WebSocketServer, password: string | undefined) {
    this.wss = wss;
    this.password = password;
    wss.on('connection', (ws) => this.session(ws));
  }

  /** Starts on a free loopback port; with `password`, clients must authenticate. */
  static async start(password?: string): Promise<FakeObsServer> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (protocols.has('obswebsocket.json') ? 'obswebsocket.json' : false),
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    return new FakeObsServer(wss, password);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  hangNext(count: number): void {
    this.hang += count;
  }

  /** Connected clients (identified or not). */
  get clients(): number {
    return this.wss.clients.size;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private session(ws: WebSocket): void {
    if (ws.protocol !== 'obswebsocket.json') {
      this.violations.push('client did not ask for obswebsocket.json');
      ws.close(4000, 'subprotocol');
      return;
    }
    const salt = randomBytes(16).toString('base64');
    const challenge = randomBytes(16).toString('base64');
    let identified = false;
    ws.send(
      JSON.stringify({
        op: 0,
        d: { obsWebSocketVersion: '5.5.0', rpcVersion: 1, ...(this.password !== undefined ? { authentication: { challenge, salt } } : {}) },
      }),
    );
    ws.on('message', (data) => {
      let msg: { op?: unknown; d?: Record<string, unknown> };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        this.violations.push('not JSON');
        ws.close(4002, 'not JSON');
        return;
      }
      const d = msg.d ?? {};
      if (msg.op === 1) {
        if (d.rpcVersion !== 1) {
          ws.close(4007, 'unsupported rpc version');
          return;
        }
        if (this.password !== undefined && d.authentication !== obsAuthentication(this.password, salt, challenge)) {
          this.authFailures++;
          ws.close(4009, 'Authentication failed.');
          return;
        }
        identified = true;
        ws.send(JSON.stringify({ op: 2, d: { negotiatedRpcVersion: 1 } }));
        return;
      }
      if (!identified) {
        this.violations.push(`op ${String(msg.op)} before Identify`);
        ws.close(4005, 'Not identified');
        return;
      }
      if (msg.op !== 6) return;
      const requestId = String(d.requestId);
      const reply = (code: number, comment?: string): void =>
        ws.send(JSON.stringify({ op: 7, d: { requestType: d.requestType, requestId, requestStatus: { result: code === 100, code, ...(comment ? { comment } : {}) } } }));
      if (d.requestType !== 'SendStreamCaption') return reply(204, `unknown request ${String(d.requestType)}`);
      const text = (d.requestData as { captionText?: unknown } | undefined)?.captionText;
      if (typeof text !== 'string' || text === '') return reply(300, 'captionText missing');
      if (this.hang > 0) {
        this.hang--;
        return;
      }
      if (!this.streaming) return reply(501, 'The stream output is not running.');
      if (/(?=\p{L})[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u.test(text)) this.violations.push(`non-Latin text sent to the 608 track: ${text}`);
      for (const row of text.split('\n')) if ([...row].length > 32) this.violations.push(`a 608 row of ${[...row].length} columns`);
      this.captions.push({ text, receivedAt: Date.now() });
      reply(100);
    });
  }
}
