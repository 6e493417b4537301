/**
 * Strict fakes of the caption platforms, on loopback, for tests and the benchmark (no outside service is
 * reachable here). Each enforces the platform's documented rules and records every breach in `violations`
 * (answering as the platform would), so a test can assert there were none:
 *
 * - all: POST only, `text/plain` UTF-8 (invalid UTF-8 is refused), a body limit, the credential in the URL
 *   (YouTube 403, Zoom 403, Teams 401 when wrong), `seq` exactly one above the last accepted; the same `seq`
 *   again is a retry and must carry the same body (then it is acknowledged again, not shown twice);
 * - YouTube: the body is `YYYY-MM-DDTHH:MM:SS.mmm` / text line pairs; a timestamp ahead of the server's clock
 *   (by more than a second) or older than five minutes is refused; the answer body is the server's time; an
 *   empty POST is a heartbeat (time only);
 * - Zoom: `lang` present; `GET <path>/seq` returns the last accepted seq; 400 while the meeting is not started;
 * - Teams: `lang` present; one complete line of at most 120 characters per POST; 401 after the token expired,
 *   404 while the meeting is not started.
 *
 * Faults are scripted: `failNext` (any status, e.g. 400/401/403/404/408/429/5xx, with Retry-After), `hangNext`
 * (no answer, after or without taking the caption), `slowNext`, `down()`/`up()` (connections refused, then back
 * on the same port).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parseYoutubeTimestamp, TEAMS_MAX_LINE, youtubeTimestamp } from './caption-shaping';

export type FakePlatformKind = 'youtube' | 'zoom' | 'teams';

/** A caption the fake accepted. */
export interface AcceptedCaption {
  seq: number;
  /** The caption texts of the request (YouTube: one per timestamp; others: the body). */
  texts: string[];
  /** YouTube: the timestamps of the texts (server clock). */
  timestamps: number[];
  receivedAt: number;
}

/** A scripted fault for the next POST. */
export interface FakeFault {
  /** Answer with this status (the caption is not taken). */
  status?: number;
  /** Seconds for a Retry-After header. */
  retryAfterS?: number;
  /** Do not answer for this long (the connection is left open); `Infinity` never. */
  delayMs?: number;
  /** With `delayMs`: take the caption before stalling (its answer is lost, a retry must not double it). */
  accept?: boolean;
}

export interface FakePlatformOptions {
  kind: FakePlatformKind;
  /** The credential expected in the URL. Default `secret-token-1234`. */
  token?: string;
  /** Body limit in bytes. Default 4096. */
  maxBodyBytes?: number;
  /** The server's clock minus the real one (YouTube: tests the clock sync). */
  clockSkewMs?: number;
}

const PATHS: Record<FakePlatformKind, string> = { youtube: '/closedcaption', zoom: '/closedcaption', teams: '/cartcaption' };

/** A fake platform server. */
export class FakeCaptionPlatform {
  readonly kind: FakePlatformKind;
  readonly token: string;
  readonly accepted: AcceptedCaption[] = [];
  /** Breaches of the platform's rules by the client, in words. */
  readonly violations: string[] = [];
  /** When each scripted fault was answered (benchmarks tell fault windows from normal delivery with it). */
  readonly faultsAnsweredAt: number[] = [];
  /** Requests answered (any status), retries acknowledged again, heartbeats. */
  readonly stats = { requests: 0, retries: 0, heartbeats: 0, refused: 0 };
  /** Zoom/Teams: 400/404 until set (meeting not started). */
  meetingStarted = true;
  /** Teams: 401 while set. */
  tokenExpired = false;
  private readonly options: FakePlatformOptions;
  private server: Server;
  private port = 0;
  private readonly faults: FakeFault[] = [];
  private readonly bodies = new Map<number, string>();
  private lastSeq = 0;
  private readonly sockets = new Set<Socket>();
  private readonly hung = new Set<ServerResponse>();

  private constructor(options: FakePlatformOptions) {
    this.options = options;
    this.kind = options.kind;
    this.token = options.token ?? 'secret-token-1234';
    this.server = this.makeServer();
  }

  /** Starts a fake on a free loopback port. */
  static async start(options: FakePlatformOptions): Promise<FakeCaptionPlatform> {
    const fake = new FakeCaptionPlatform(options);
    await fake.listen(0);
    return fake;
  }

  /** The URL the platform would hand out (with its credential). */
  get url(): string {
    const base = `http://127.0.0.1:${this.port}${PATHS[this.kind]}`;
    if (this.kind === 'youtube') return `${base}?cid=${this.token}&key=yt_qc`;
    if (this.kind === 'zoom') return `${base}?id=9123456789&ns=bWFpbg&expire=86400&sparams=id%2Cns%2Cexpire&signature=${this.token}`;
    return `${base}?meetingid=19%3Ameeting_abc&token=${this.token}`;
  }

  /** The last seq accepted. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Every accepted caption text, in order. */
  texts(): string[] {
    return this.accepted.flatMap((a) => a.texts);
  }

  failNext(count: number, status: number, retryAfterS?: number): void {
    for (let i = 0; i < count; i++) this.faults.push({ status, ...(retryAfterS !== undefined ? { retryAfterS } : {}) });
  }

  hangNext(count: number, accept: boolean, delayMs = Infinity): void {
    for (let i = 0; i < count; i++) this.faults.push({ delayMs, accept });
  }

  slowNext(count: number, delayMs: number): void {
    for (let i = 0; i < count; i++) this.faults.push({ delayMs, accept: true });
  }

  /** Stops answering: connections are refused until {@link up}. */
  async down(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await closed;
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.server = this.makeServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async listen(port: number): Promise<void> {
    await new Promise<void>((resolveListen, rejectListen) => {
      this.server.once('error', rejectListen);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', rejectListen);
        resolveListen();
      });
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  private makeServer(): Server {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        this.violations.push(`fake failed: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private now(): number {
    return Date.now() + (this.options.clockSkewMs ?? 0);
  }

  private answer(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
    if (status >= 400) this.stats.refused++;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  }

  private refuse(res: ServerResponse, status: number, why: string): void {
    this.violations.push(why);
    this.answer(res, status, why);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const credential = this.kind === 'youtube' ? url.searchParams.get('cid') : this.kind === 'zoom' ? url.searchParams.get('signature') : url.searchParams.get('token');

    if (this.kind === 'zoom' && req.method === 'GET' && url.pathname === `${PATHS.zoom}/seq`) {
      if (credential !== this.token) return this.answer(res, 403, 'bad token');
      return this.answer(res, 200, String(this.lastSeq));
    }
    if (url.pathname !== PATHS[this.kind]) return this.refuse(res, 404, `wrong path ${url.pathname}`);
    if (req.method !== 'POST') return this.refuse(res, 405, `method ${req.method}`);
    if (credential !== this.token) {
      this.violations.push('wrong credential');
      return this.answer(res, this.kind === 'teams' ? 401 : 403, 'not authorized');
    }
    if (this.kind === 'teams' && this.tokenExpired) return this.answer(res, 401, 'token expired');
    if (this.kind !== 'youtube' && !this.meetingStarted) return this.answer(res, this.kind === 'zoom' ? 400 : 404, 'meeting not started');

    const heartbeat = this.kind === 'youtube' && raw.length === 0;
    const fault = heartbeat ? undefined : this.faults.shift();
    if (fault?.status !== undefined) {
      this.faultsAnsweredAt.push(Date.now());
      return this.answer(res, fault.status, 'scripted failure', fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {});
    }
    if (!/^text\/plain\b/i.test(req.headers['content-type'] ?? '')) return this.refuse(res, 400, `content type ${req.headers['content-type']}`);
    if (raw.length > (this.options.maxBodyBytes ?? 4096)) return this.refuse(res, 413, `body of ${raw.length} bytes`);
    let body: string;
    try {
      body = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return this.refuse(res, 400, 'body is not UTF-8');
    }

    if (this.kind === 'youtube' && body === '') {
      this.stats.heartbeats++;
      return this.answer(res, 200, `${youtubeTimestamp(this.now())}\n`);
    }
    const seqText = url.searchParams.get('seq');
    const seq = Number(seqText);
    if (seqText === null || !/^\d+$/.test(seqText) || seq < 1) return this.refuse(res, this.kind === 'zoom' ? 401 : 400, `seq missing or bad: ${seqText}`);
    if (this.kind !== 'youtube' && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(url.searchParams.get('lang') ?? '')) {
      return this.refuse(res, 400, `lang missing or bad: ${url.searchParams.get('lang')}`);
    }
    const parsed = this.parseBody(body);
    if (typeof parsed === 'string') return this.refuse(res, 400, parsed);

    if (seq <= this.lastSeq) {
      if (this.bodies.get(seq) !== body) return this.refuse(res, 400, `seq ${seq} reused with another body (last accepted ${this.lastSeq})`);
      this.stats.retries++;
      return this.finish(res, fault);
    }
    if (seq !== this.lastSeq + 1) return this.refuse(res, 400, `seq ${seq} skips from ${this.lastSeq}`);
    if (fault?.delayMs !== undefined && !fault.accept) return this.stall(res, fault.delayMs, null);
    this.lastSeq = seq;
    this.bodies.set(seq, body);
    this.accepted.push({ seq, texts: parsed.texts, timestamps: parsed.timestamps, receivedAt: Date.now() });
    return this.finish(res, fault);
  }

  private finish(res: ServerResponse, fault: FakeFault | undefined): void {
    const reply = (): void => this.answer(res, 200, this.kind === 'youtube' ? `${youtubeTimestamp(this.now())}\n` : '');
    if (fault?.delayMs !== undefined) return this.stall(res, fault.delayMs, reply);
    reply();
  }

  private stall(res: ServerResponse, delayMs: number, reply: (() => void) | null): void {
    this.hung.add(res);
    if (!Number.isFinite(delayMs)) return;
    setTimeout(() => {
      this.hung.delete(res);
      if (res.destroyed) return;
      if (reply) reply();
      else this.answer(res, 503, 'gave up');
    }, delayMs).unref();
  }

  private parseBody(body: string): { texts: string[]; timestamps: number[] } | string {
    if (this.kind === 'youtube') {
      const lines = body.endsWith('\n') ? body.slice(0, -1).split('\n') : body.split('\n');
      if (lines.length % 2 !== 0) return 'body is not timestamp/text line pairs';
      const texts: string[] = [];
      const timestamps: number[] = [];
      const now = this.now();
      for (let i = 0; i < lines.length; i += 2) {
        const at = parseYoutubeTimestamp(lines[i] ?? '');
        if (at === null || lines[i] !== (lines[i] ?? '').trim()) return `bad timestamp line "${lines[i]}"`;
        if (at > now + 1000) return `timestamp ${lines[i]} is ahead of the server clock (${youtubeTimestamp(now)})`;
        if (at < now - 300_000) return `timestamp ${lines[i]} is more than five minutes old`;
        const text = lines[i + 1] ?? '';
        if (text.trim() === '') return 'empty caption text';
        texts.push(text);
        timestamps.push(at);
      }
      return { texts, timestamps };
    }
    if (body.trim() === '') return 'empty caption';
    if (this.kind === 'teams') {
      if (body.includes('\n')) return 'a Teams caption is one line';
      if ([...body].length > TEAMS_MAX_LINE) return `a Teams line of ${[...body].length} characters (at most ${TEAMS_MAX_LINE})`;
      if (body !== body.trim()) return 'a Teams line with surrounding spaces';
    }
    return { texts: [body], timestamps: [] };
  }
}
