/**
 * Everything a console sends to the room: lines (typed, cued, speech-to-text), corrections, clears and notices.
 * In order, a line goes through: who may write (linked, a channel of the room, a booth only to its own channel
 * and only on air), the mute (held while its channel is muted), the session record (write-ahead: a committed line
 * is in the record before it is sent; the wait for the disk is bounded so a slow disk never stalls captions),
 * then the hub link's outbox.
 *
 * The record also remembers which committed lines the hub acknowledged: at the first link after a start, the
 * ones it never acknowledged (the console closed or crashed first) go out again. The hub is idempotent per line
 * id, so one that did arrive is not doubled.
 */
import type { ConsolePublish, ConsolePublishAck, ConsoleRevise } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { PublishLine } from '../common/protocol';
import type { BoothHandover } from './booth-handover';
import { ChannelMutes, type OutgoingLine } from './channel-mutes';
import type { ConsoleContext } from './console-context';
import type { ConsoleSession } from './console-session';
import type { HubConnection } from './hub-connection';
import type { HubLink } from './hub-link';
import type { OutboxRequest } from './hub-outbox';

/** Audio times of a speech-to-text line, seconds in its source's stream. */
export interface AudioTimes {
  audioStart?: number;
  audioEnd?: number;
}

/** How long a commit waits for the session record's disk write before the line goes out anyway, ms. */
const WRITE_AHEAD_WAIT_MS = 250;

/** The outgoing side of a console. */
export class LinePublisher {
  readonly mutes: ChannelMutes;
  /** When each line in progress started (its first partial), by id. */
  private readonly lineStarts = new Map<string, number>();
  private idCounter = 0;
  /** The first link after start resends what the previous run left unacknowledged. */
  private recoveryPending = true;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly connection: Pick<HubConnection, 'link' | 'subscribe'>,
    private readonly handover: Pick<BoothHandover, 'onAir'>,
    private readonly session: Pick<ConsoleSession, 'record'>,
    private readonly clientId: string,
  ) {
    this.mutes = new ChannelMutes(ctx, connection, (lines) => void this.sendHeld(lines));
    const settled = (request: OutboxRequest | null): void => {
      if (request?.kind === 'publish' && request.payload.state === 'final') void session.record.markAcked(request.payload.channel, request.payload.id);
    };
    connection.subscribe({
      linked: (link) => {
        if (!this.recoveryPending) return;
        this.recoveryPending = false;
        this.resendUnacknowledged(link);
      },
      acked: settled,
      // Refused for good (the hub will not take it): not retried at the next start either.
      refused: (_what, _error, request) => settled(request),
    });
  }

  /** A line from the page; without an id it gets a new one (returned in the ack). */
  publish(line: ConsolePublish): Promise<ConsoleResult<ConsolePublishAck>> {
    return this.publishLine({ ...line, id: line.id ?? this.newLineId() });
  }

  /** Publishes through mute, session record and outbox. `times` carries audio times from speech-to-text. */
  async publishLine(line: OutgoingLine, times: AudioTimes = {}): Promise<ConsoleResult<ConsolePublishAck>> {
    const allowed = this.mayWrite(line.channel);
    if (!allowed.ok) return allowed;
    if (!this.lineStarts.has(line.id)) {
      this.lineStarts.set(line.id, Date.now());
      if (this.lineStarts.size > 5000) this.lineStarts.delete(this.lineStarts.keys().next().value!);
    }
    if (this.mutes.isMuted(line.channel)) {
      this.mutes.hold(line);
      return ok({ id: line.id, ack: null, status: 'held' });
    }
    return this.send(line, times);
  }

  /** Corrects a committed line (recorded, then sent). */
  async revise(req: ConsoleRevise): Promise<ConsoleResult<ConsolePublishAck>> {
    const allowed = this.mayWrite(req.channel);
    if (!allowed.ok) return allowed;
    if (req.text.trim() === '') return fail('INVALID_PAYLOAD', 'A correction needs text (clear the channel to remove lines).');
    void this.session.record.revise(req.channel, req.id, req.text);
    const result = await allowed.value.revise(req);
    if (!result.ok) return result;
    return ok({ id: req.id, ack: result.value, status: result.value ? 'sent' : 'queued' });
  }

  /** Clears a channel on every display (the record notes it; its lines stay in the record). */
  async clearChannel(channel: string): Promise<ConsoleResult<void>> {
    const allowed = this.mayWrite(channel);
    if (!allowed.ok) return allowed;
    void this.session.record.clear(channel);
    const result = await allowed.value.clear(channel);
    return result.ok ? ok(undefined) : result;
  }

  /** Operator: clears every channel of the room, stopping at the first failure. */
  async clearAllChannels(): Promise<ConsoleResult<void>> {
    if (this.ctx.settings.value.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator clears every channel.');
    for (const channel of this.ctx.roomChannels()) {
      const r = await this.clearChannel(channel);
      if (!r.ok) return r;
    }
    return ok(undefined);
  }

  /** Operator: shows a room notice (blank or `null` clears it). */
  async showNotice(text: string | null, ttlMs?: number): Promise<ConsoleResult<void>> {
    if (this.ctx.settings.value.role !== 'operator') return fail(CONSOLE_ERROR_CODES.NOT_OPERATOR, 'Only the operator shows notices.');
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    const result = await link.notice(text === null || text.trim() === '' ? null : text, ttlMs);
    return result.ok ? ok(undefined) : result;
  }

  private newLineId(): string {
    return `${this.clientId}.${Date.now().toString(36)}.${(++this.idCounter).toString(36)}`;
  }

  /** The link to write through when this console may write to `channel` now. */
  private mayWrite(channel: string): ConsoleResult<HubLink> {
    const settings = this.ctx.settings.value;
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    if (!this.ctx.roomChannels().includes(channel)) return fail('UNKNOWN_CHANNEL', `The room ${settings.room} has no channel ${channel}.`);
    if (settings.role === 'booth') {
      if (channel !== settings.channel) return fail('FORBIDDEN', `This booth publishes to ${settings.channel} only.`);
      if (!this.handover.onAir) return fail(CONSOLE_ERROR_CODES.NOT_ON_AIR, 'The other console of this booth is on air; request a handover first.');
    }
    return ok(link);
  }

  /** Write-ahead for a committed line, then the outbox. */
  private async send(line: OutgoingLine, times: AudioTimes): Promise<ConsoleResult<ConsolePublishAck>> {
    if (!this.connection.link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    const startedAt = this.lineStarts.get(line.id) ?? Date.now();
    if (line.state === 'final') {
      if (line.text.trim() === '') return fail('INVALID_PAYLOAD', 'A committed line needs text.');
      const recorded = this.session.record.commit({
        id: line.id,
        channel: line.channel,
        text: line.text,
        source: line.source,
        ...(line.lang ? { lang: line.lang } : {}),
        startedAt,
      });
      await Promise.race([recorded, new Promise((r) => setTimeout(r, WRITE_AHEAD_WAIT_MS))]);
      this.lineStarts.delete(line.id);
      this.ctx.changed();
    }
    // Read again: the link may have been replaced during the write-ahead wait.
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    const wire: PublishLine = {
      id: line.id,
      channel: line.channel,
      text: line.text,
      state: line.state,
      source: line.source,
      ...(line.lang ? { lang: line.lang } : {}),
      ...(times.audioStart !== undefined ? { audioStart: times.audioStart } : {}),
      ...(times.audioEnd !== undefined && (times.audioStart === undefined || times.audioEnd >= times.audioStart) ? { audioEnd: times.audioEnd } : {}),
      startedAt,
    };
    const result = await link.publish(wire);
    if (!result.ok) return result;
    return ok({ id: line.id, ack: result.value, status: result.value ? 'sent' : 'queued' });
  }

  /** Sends the finals held while a channel was muted, in order. */
  private async sendHeld(lines: OutgoingLine[]): Promise<void> {
    for (const line of lines) {
      const r = await this.send(line, {});
      if (!r.ok) this.ctx.emit('console:error', { code: r.error.code, message: `A held line was not sent: ${r.error.message}` });
    }
    this.ctx.changed();
  }

  /** Puts the session's committed lines the hub never acknowledged back in the outbox, in order. */
  private resendUnacknowledged(link: HubLink): void {
    const lines = this.session.record.unacknowledged();
    if (lines.length === 0) return;
    this.ctx.logger.info('resending lines the hub never acknowledged', { lines: lines.length });
    for (const line of lines) {
      void link.publish({
        id: line.id,
        channel: line.channel,
        text: line.text,
        state: 'final',
        source: line.source,
        ...(line.lang ? { lang: line.lang } : {}),
        startedAt: line.startedAt,
      });
    }
  }
}
