/**
 * The review window of voice lines: a final from the interpreter's own voice waits `voiceReviewMs` before it goes
 * to the booth's channel, so the interpreter can send it at once or cancel it. Setting the window to 0 sends
 * everything waiting.
 */
import type { PendingVoiceLine } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import type { LinePublisher } from './line-publisher';

const LANG = /^[a-z]{2}$/;

/** Voice lines waiting in their review window. */
export class VoiceReview {
  private readonly pending = new Map<string, { line: PendingVoiceLine; timer: NodeJS.Timeout }>();

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly publisher: Pick<LinePublisher, 'publishLine'>,
  ) {
    ctx.settings.watch(['voiceReviewMs'], (after) => {
      if (after.voiceReviewMs === 0) for (const id of [...this.pending.keys()]) void this.sendNow(id);
    });
  }

  /** The lines waiting, oldest first. */
  lines(): PendingVoiceLine[] {
    const now = Date.now();
    return [...this.pending.values()].map((p) => ({ ...p.line, leftMs: Math.max(0, p.line.sendAt - now) }));
  }

  /** Starts the window of a line: it goes out by itself after `delayMs` unless sent or cancelled first. */
  add(line: Omit<PendingVoiceLine, 'sendAt' | 'leftMs'>, delayMs: number): void {
    const timer = setTimeout(() => void this.sendNow(line.id), delayMs);
    this.pending.set(line.id, { line: { ...line, sendAt: Date.now() + delayMs, leftMs: delayMs }, timer });
    this.changed();
  }

  /** Sends a waiting line now. */
  async sendNow(id: string): Promise<ConsoleResult<void>> {
    const line = this.take(id);
    if (!line) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No voice line with this id is waiting (sent or cancelled already).');
    const r = await this.publisher.publishLine({
      id: line.id,
      channel: line.channel,
      text: line.text,
      state: 'final',
      source: 'voice-stt',
      ...(LANG.test(line.lang) ? { lang: line.lang } : {}),
    });
    if (!r.ok) {
      this.ctx.alert(`channel:${line.channel}`, { code: r.error.code, message: `A voice line was not sent: ${r.error.message}` });
      return r;
    }
    return ok(undefined);
  }

  /** Sends every waiting line now, oldest first (the console is about to go off air). Starts synchronously. */
  flush(): void {
    for (const id of [...this.pending.keys()]) void this.sendNow(id);
  }

  /** Drops a waiting line. */
  cancel(id: string): ConsoleResult<void> {
    if (!this.take(id)) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No voice line with this id is waiting (sent or cancelled already).');
    return ok(undefined);
  }

  /** Drops every waiting line without sending (the console is closing). */
  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private take(id: string): PendingVoiceLine | null {
    const pending = this.pending.get(id);
    if (!pending) return null;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    this.changed();
    return pending.line;
  }

  private changed(): void {
    this.ctx.emit('voice:pending', this.lines());
    this.ctx.changed();
  }
}
