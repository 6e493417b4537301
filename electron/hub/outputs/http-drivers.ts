/**
 * Drivers of the HTTP caption platforms, with Node's own fetch:
 *
 * - **YouTube Live** (closed captions over HTTP): POST to the stream's ingestion URL with `&seq=N`; the body is
 *   lines of `YYYY-MM-DDTHH:MM:SS.mmm` (UTC, no zone) each followed by a line of UTF-8 caption text, `<br>` for a
 *   line break inside a caption. Several captions may share one POST. YouTube answers with its own time in the
 *   body; timestamps are kept in step with it. An empty POST carries no caption and only returns that time.
 * - **Zoom** (caption API token): POST the plain UTF-8 text (`text/plain`, `\n` for a line break) to the token URL
 *   with `&seq=N&lang=<code>`. `GET <token path>/seq` returns the last seq Zoom accepted: asked on start and when
 *   a request's fate is unknown. 400 means the meeting has not started, 403 a bad or expired token.
 * - **Microsoft Teams** (CART caption link): POST one complete line of text (`&seq=N&lang=<code>`); Teams cannot
 *   change a line once shown. 401: the link expired; 404: the meeting has not started or CART captions are off.
 *
 * `seq` rises by one per new caption and never on a retry (output-runner.ts keeps that promise). The URLs are
 * credentials: they are never logged or reported, only their redacted form.
 */
import { teamsLines, TEAMS_MAX_LINE, twoLineCues, youtubeCaptionText, youtubeTimestamp, parseYoutubeTimestamp } from './caption-shaping';
import { unitsOf, type CaptionUnit, type OutgoingCaption, type OutputDriver, type SendOutcome, type ShapeResult } from './output-driver';

/** How long one request may take before its fate counts as unknown. Default 5 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

/** Largest POST body a driver builds (bytes). */
export const MAX_BODY_BYTES = 4096;

/** What the platform answered, or why there is no answer. */
type HttpAnswer = { status: number; text: string; retryAfterMs?: number } | { error: 'TIMEOUT' | 'NETWORK'; certain: boolean; detail: string };

/** Error codes of a connection that was never made: the request certainly did not arrive. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

async function request(url: URL, init: RequestInit, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  // A plain timer rather than AbortSignal.timeout/any: Node 20 can lose those signals to garbage collection.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stop = (): void => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const res = await fetch(url, { ...init, signal: controller.signal });
    const text = await res.text();
    const retryAfter = Number(res.headers.get('retry-after'));
    return { status: res.status, text, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
  } catch (err) {
    if (timedOut || signal.aborted) return { error: 'TIMEOUT', certain: false, detail: `no answer within ${timeoutMs} ms` };
    const cause = (err as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? 'NETWORK';
    return { error: 'NETWORK', certain: NOT_CONNECTED.has(code), detail: code };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

/** An answer as a send outcome, with the platform's meaning of its codes. */
function outcomeOf(answer: HttpAnswer, platform: string, meanings: Record<number, string>): SendOutcome {
  if ('error' in answer) {
    return {
      ok: false,
      code: answer.error,
      message: answer.error === 'TIMEOUT' ? `${platform} did not answer (${answer.detail})` : `${platform} unreachable (${answer.detail})`,
      certain: answer.certain,
    };
  }
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const meaning =
    meanings[answer.status] ??
    (answer.status === 429 ? 'too many requests' : answer.status >= 500 || answer.status === 408 ? 'server error' : 'request refused');
  return {
    ok: false,
    code: String(answer.status),
    message: `${platform} answered ${answer.status}: ${meaning}`,
    certain: true,
    ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}),
  };
}

function withParams(base: string, params: Record<string, string>): URL {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** POSTs a caption body as plain text with its `seq` and `lang` query parameters (Zoom's and Teams' caption URLs). */
function postText(base: string, seq: number, lang: string, body: string, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  return request(
    withParams(base, { seq: String(seq), lang }),
    { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body },
    timeoutMs,
    signal,
  );
}

/** Shapes finals and revisions into two-line cues; a clear is nothing to send on a platform that cannot edit. */
function displayUnits(caption: OutgoingCaption, maxChars?: number): ShapeResult {
  if (caption.kind === 'clear') return { units: [] };
  return { units: unitsOf(caption, twoLineCues(caption.text, caption.lang, maxChars)) };
}

/** How many units fit one body under {@link MAX_BODY_BYTES} given each unit's encoded size. */
function packBySize(units: readonly CaptionUnit[], size: (u: CaptionUnit) => number, limit = MAX_BODY_BYTES): number {
  let total = 0;
  let n = 0;
  for (const u of units) {
    total += size(u);
    if (n > 0 && total > limit) break;
    n++;
  }
  return Math.max(1, n);
}

export interface HttpDriverOptions {
  /** The platform URL (a credential). */
  url: string;
  requestTimeoutMs?: number;
  now?: () => number;
}

/** YouTube Live closed captions over HTTP. */
export class YoutubeDriver implements OutputDriver {
  readonly usesSeq = true;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** YouTube's clock minus ours (ms), from the time in its last answer. */
  private offsetMs: number | null = null;

  constructor(options: HttpDriverOptions) {
    this.url = options.url;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  /** YouTube's clock minus ours, once known. */
  get clockOffsetMs(): number | null {
    return this.offsetMs;
  }

  shape(caption: OutgoingCaption): ShapeResult {
    return displayUnits(caption);
  }

  pack(units: readonly CaptionUnit[]): number {
    return packBySize(units, (u) => 25 + Buffer.byteLength(youtubeCaptionText(u.text)));
  }

  prepare(units: readonly CaptionUnit[], _seq: number): string {
    const offset = this.offsetMs ?? 0;
    let last = 0;
    return units
      .map((u) => {
        // Timestamps never go backwards within a body (a revision can carry an older commit time).
        last = Math.max(last, u.at + offset);
        return `${youtubeTimestamp(last)}\n${youtubeCaptionText(u.text)}\n`;
      })
      .join('');
  }

  async ready(signal: AbortSignal): Promise<void> {
    // Learn YouTube's clock first (an empty POST carries no caption), so the first timestamps are right too.
    if (this.offsetMs === null) await this.post('', null, signal);
  }

  send(body: string, seq: number, signal: AbortSignal): Promise<SendOutcome> {
    return this.post(body, seq, signal);
  }

  async close(): Promise<void> {}

  private async post(body: string, seq: number | null, signal: AbortSignal): Promise<SendOutcome> {
    const sentAt = this.now();
    const answer = await request(
      seq === null ? new URL(this.url) : withParams(this.url, { seq: String(seq) }),
      { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body },
      this.timeoutMs,
      signal,
    );
    if (!('error' in answer) && answer.status >= 200 && answer.status < 300) {
      const serverTime = parseYoutubeTimestamp(answer.text.split('\n')[0] ?? '');
      if (serverTime !== null) this.offsetMs = serverTime - (sentAt + this.now()) / 2;
    }
    return outcomeOf(answer, 'YouTube', { 400: 'the caption body was refused', 403: 'the ingestion URL is not accepted (copy it again from YouTube Studio)', 404: 'no such stream' });
  }
}

/** Zoom's caption API token. */
export class ZoomDriver implements OutputDriver {
  readonly usesSeq = true;
  private readonly url: string;
  private readonly lang: string;
  private readonly timeoutMs: number;

  constructor(options: HttpDriverOptions & { lang: string }) {
    this.url = options.url;
    this.lang = options.lang;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  shape(caption: OutgoingCaption): ShapeResult {
    return displayUnits(caption);
  }

  pack(units: readonly CaptionUnit[]): number {
    // Zoom shows one post as the current caption: coalesce at most two cues (four lines) into it.
    return Math.min(2, packBySize(units, (u) => Buffer.byteLength(u.text) + 1));
  }

  prepare(units: readonly CaptionUnit[], _seq: number): string {
    return units.map((u) => u.text).join('\n');
  }

  async send(body: string, seq: number, signal: AbortSignal): Promise<SendOutcome> {
    const answer = await postText(this.url, seq, this.lang, body, this.timeoutMs, signal);
    return outcomeOf(answer, 'Zoom', {
      400: 'the meeting has not started',
      401: 'the caption URL is incomplete',
      403: 'the caption API token is not valid (copy it again from the meeting)',
    });
  }

  async lastAcceptedSeq(signal: AbortSignal): Promise<number | null> {
    const url = new URL(this.url);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/seq`;
    const answer = await request(url, { method: 'GET' }, this.timeoutMs, signal);
    if ('error' in answer || answer.status !== 200) return null;
    const n = Number(answer.text.trim());
    return Number.isInteger(n) && n >= 0 ? n : null;
  }

  async close(): Promise<void> {}
}

/** Microsoft Teams CART captions. */
export class TeamsDriver implements OutputDriver {
  readonly usesSeq = true;
  private readonly url: string;
  private readonly lang: string;
  private readonly timeoutMs: number;

  constructor(options: HttpDriverOptions & { lang: string }) {
    this.url = options.url;
    this.lang = options.lang;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  shape(caption: OutgoingCaption): ShapeResult {
    if (caption.kind === 'clear') return { units: [] };
    return { units: unitsOf(caption, teamsLines(caption.text)) };
  }

  pack(units: readonly CaptionUnit[]): number {
    // Short lines of consecutive finals share a line while it stays within the limit.
    let length = 0;
    let n = 0;
    for (const u of units) {
      const add = (n > 0 ? 1 : 0) + [...u.text].length;
      if (n > 0 && length + add > TEAMS_MAX_LINE) break;
      length += add;
      n++;
    }
    return Math.max(1, n);
  }

  prepare(units: readonly CaptionUnit[], _seq: number): string {
    return units.map((u) => u.text).join(' ');
  }

  async send(body: string, seq: number, signal: AbortSignal): Promise<SendOutcome> {
    const answer = await postText(this.url, seq, this.lang, body, this.timeoutMs, signal);
    return outcomeOf(answer, 'Teams', {
      400: 'the caption line was refused',
      401: 'the CART link has expired (generate a new one in the meeting options and paste it here)',
      404: 'the meeting has not started or CART captions are off',
    });
  }

  async close(): Promise<void> {}
}
