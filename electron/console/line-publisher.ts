/**
 * Everything a console sends to the room: lines (typed, cued, speech-to-text), corrections, clears and notices.
 * In order, a line goes through: who may write (linked, a channel of the room, a booth only to its own channel
 * and only on air), the mute (a muted channel's finals are recorded as held, its partials dropped), the session
 * record (write-ahead: a committed line is in the record before it is sent; the wait for the disk is bounded so a
 * slow disk never stalls captions), then the hub link's outbox.
 *
 * Nothing here waits for the hub: `publish` answers once the line is recorded and queued, and the hub's answer
 * arrives later as a `line:delivery` event (sent, refused, or held when the hub found the channel muted). So a
 * page that publishes one line at a time is never paced by the hub's round trip, nor stalled by a dead link.
 *
 * The record remembers which committed lines the hub acknowledged: on a new link to the same hub and room (the
 * first after a start, or a reconnect with changed settings, which starts a new outbox) the ones it never
 * acknowledged go out again. The hub is idempotent per line id, so one that did arrive is not doubled.
 *
 * Held lines stay held, across restarts, until a person releases them (they go out, in order) or discards them
 * (they never go out and are not exported).
 */
import type { ConsolePublish, ConsolePublishAck, ConsoleRevise, HeldLine, HeldLinesRequest, LineDelivery } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleError, type ConsoleResult } from '../common/console-api-result';
import { ERROR_CODES, type PublishLine } from '../common/protocol';
import type { BoothHandover } from './booth-handover';
import { ChannelMutes, type OutgoingLine } from './channel-mutes';
import type { ConsoleContext } from './console-context';
import type { ConsoleSession } from './console-session';
import type { ConsoleStateFile } from './console-state-file';
import type { HubConnection } from './hub-connection';
import type { HubLink } from './hub-link';
import type { OutboxRequest } from './hub-outbox';
import type { RecordedLine } from './session-record';

/** Audio times of a speech-to-text line, seconds in the session's audio timeline. */
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
  /**
   * Hub and room of the last link, kept across restarts (console-state.json): a new link to the same ones resends
   * what was never acknowledged; lines sent to another room never go to this one.
   */
  private lastLinkKey: string | null;
  /** Per channel, the publish the next one on that channel waits for (see publishLine). */
  private readonly inOrder = new Map<string, Promise<void>>();
  /** The partial this console has on the displays now, per channel (committed when it goes off air). */
  private readonly livePartials = new Map<string, OutgoingLine>();

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly connection: Pick<HubConnection, 'link' | 'subscribe' | 'linkKey'>,
    private readonly handover: Pick<BoothHandover, 'onAir' | 'onRelease'>,
    private readonly session: Pick<ConsoleSession, 'record'>,
    private readonly clientId: string,
    private readonly state: Pick<ConsoleStateFile, 'value' | 'update'>,
  ) {
    this.lastLinkKey = state.value.linkKey ?? null;
    this.mutes = new ChannelMutes(ctx, connection);
    handover.onRelease(() => this.commitLivePartials());
    connection.subscribe({
      linked: (link) => {
        const key = connection.linkKey;
        const resend = this.lastLinkKey === null || this.lastLinkKey === key;
        const waiting = resend ? 0 : this.session.record.unacknowledged().length;
        if (waiting > 0) this.ctx.logger.warn('not resending to another hub or room', { lines: waiting });
        this.lastLinkKey = key;
        if (key !== null && this.state.value.linkKey !== key) void this.state.update({ linkKey: key });
        if (resend) this.resendUnacknowledged(link);
      },
      acked: (request) => this.onAcked(request),
      refused: (_what, error, request) => this.onRefused(request, error),
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
    if (line.state === 'final' && line.text.trim() === '') return fail('INVALID_PAYLOAD', 'A committed line needs text.');
    if (!this.lineStarts.has(line.id)) {
      this.lineStarts.set(line.id, Date.now());
      if (this.lineStarts.size > 5000) this.lineStarts.delete(this.lineStarts.keys().next().value!);
    }
    this.noteLive(line);
    if (this.mutes.isMuted(line.channel)) {
      if (line.state !== 'final') return ok({ id: line.id, status: 'held', saved: false });
      const saved = await this.writeAhead(line, times, true);
      this.delivered({ channel: line.channel, id: line.id, what: 'line', status: 'held' });
      return ok({ id: line.id, status: 'held', saved });
    }
    // In order per channel: a line waits for the one published before it on its channel to be handed to the link.
    // Without this, a final waiting for the disk (write-ahead) was overtaken by the partial of the next line, and
    // displays saw the next line's partial replace this one for a moment, then this one come back as committed.
    const previous = this.inOrder.get(line.channel);
    const sent = (previous ?? Promise.resolve()).then(() => this.recordAndSend(line, times, allowed.value.room));
    const settled = sent.then(
      () => undefined,
      () => undefined,
    );
    this.inOrder.set(line.channel, settled);
    void settled.then(() => this.inOrder.get(line.channel) === settled && this.inOrder.delete(line.channel));
    return sent;
  }

  /** Records a committed line ahead (bounded wait), then hands the line to the link of `room`. */
  private async recordAndSend(line: OutgoingLine, times: AudioTimes, room: string): Promise<ConsoleResult<ConsolePublishAck>> {
    const saved = line.state === 'final' ? await this.writeAhead(line, times, false) : false;
    // Read again: the link may have been replaced during the write-ahead wait (a reconnect to the same room; a
    // switch to another room waits until nothing is on its way, see onItsWay).
    const link = this.connection.link;
    if (!link || link.room !== room) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    void link.publish(this.wire(line, times));
    return ok({ id: line.id, status: 'queued', saved });
  }

  /** Corrects a committed line (recorded, then queued; a held line is corrected where it waits). */
  async revise(req: ConsoleRevise): Promise<ConsoleResult<ConsolePublishAck>> {
    const allowed = this.mayWrite(req.channel);
    if (!allowed.ok) return allowed;
    if (req.text.trim() === '') return fail('INVALID_PAYLOAD', 'A correction needs text (clear the channel to remove lines).');
    const recorded = this.session.record.line(req.id);
    if (recorded?.delivery === 'held') {
      await this.session.record.revise(req.channel, req.id, req.text);
      this.ctx.changed();
      return ok({ id: req.id, status: 'held', saved: this.session.record.error === null });
    }
    if (this.mutes.isMuted(req.channel)) return fail(ERROR_CODES.CHANNEL_MUTED, `The channel ${req.channel} is muted: the correction was not sent.`);
    void this.session.record.revise(req.channel, req.id, req.text);
    void allowed.value.revise(req);
    return ok({ id: req.id, status: 'queued', saved: false });
  }

  /** Clears a channel on every display (the record notes it; its lines stay in the record). */
  async clearChannel(channel: string): Promise<ConsoleResult<void>> {
    const allowed = this.mayWrite(channel);
    if (!allowed.ok) return allowed;
    void this.session.record.clear(channel);
    void allowed.value.clear(channel);
    return ok(undefined);
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
    const link = this.currentLink();
    if (!link.ok) return link;
    const result = await link.value.notice(text === null || text.trim() === '' ? null : text, ttlMs);
    return result.ok ? ok(undefined) : result;
  }

  /** Keeps track of the partial each channel shows from this console. */
  private noteLive(line: OutgoingLine): void {
    const live = this.livePartials.get(line.channel);
    if (line.state === 'partial' && line.text.trim() !== '') this.livePartials.set(line.channel, line);
    else if (live?.id === line.id || line.state === 'partial') this.livePartials.delete(line.channel);
  }

  /**
   * Commits the partial of each channel as it stands (this console is about to go off air: a half line left on
   * the displays would stay under the other console's lines). Starts synchronously, while writing is allowed.
   */
  private commitLivePartials(): void {
    for (const line of [...this.livePartials.values()]) {
      this.livePartials.delete(line.channel);
      void this.publishLine({ ...line, state: 'final', text: line.text.trim() }).then((r) => {
        if (!r.ok) this.ctx.alert(`channel:${line.channel}`, { code: r.error.code, message: `The line in progress at the handover was not committed: ${r.error.message}` });
      });
    }
  }

  /** The lines this console holds, oldest first. */
  heldLines(): HeldLine[] {
    const label = this.ctx.settings.value.label;
    return this.session.record.heldLines().map((l) => ({
      id: l.id,
      channel: l.channel,
      text: l.text,
      source: l.source,
      committedAt: l.committedAt,
      clientId: this.clientId,
      label,
    }));
  }

  /** Held lines per channel. */
  heldCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const line of this.session.record.heldLines()) counts[line.channel] = (counts[line.channel] ?? 0) + 1;
    return counts;
  }

  /** Sends this console's held lines of an unmuted channel, in order. */
  releaseHeld(req: HeldLinesRequest): ConsoleResult<{ lines: number }> {
    const allowed = this.mayWrite(req.channel);
    if (!allowed.ok) return allowed;
    if (this.mutes.isMuted(req.channel)) {
      return fail(ERROR_CODES.CHANNEL_MUTED, `The channel ${req.channel} is still muted: unmute it first, then release its held lines.`);
    }
    const lines = this.selectHeld(req);
    for (const line of lines) {
      if (!this.session.record.settleHeld(line.id, 'released')) continue;
      void allowed.value.publish(this.wire(line, line));
      this.delivered({ channel: line.channel, id: line.id, what: 'line', status: 'released' });
    }
    if (lines.length > 0) this.ctx.logger.info('held lines released', { channel: req.channel, lines: lines.length });
    return ok({ lines: lines.length });
  }

  /** Drops this console's held lines: they never go out. A booth its own channel's; an operator any. */
  discardHeld(req: HeldLinesRequest): ConsoleResult<{ lines: number }> {
    const settings = this.ctx.settings.value;
    if (settings.role === 'booth' && req.channel !== settings.channel) return fail('FORBIDDEN', `This booth holds lines of ${settings.channel} only.`);
    const lines = this.selectHeld(req);
    for (const line of lines) {
      if (this.session.record.settleHeld(line.id, 'discarded')) this.delivered({ channel: line.channel, id: line.id, what: 'line', status: 'discarded' });
    }
    if (lines.length > 0) this.ctx.logger.info('held lines discarded', { channel: req.channel, lines: lines.length });
    return ok({ lines: lines.length });
  }

  private selectHeld(req: HeldLinesRequest): RecordedLine[] {
    const ids = req.ids ? new Set(req.ids) : null;
    return this.session.record.heldLines(req.channel).filter((l) => !ids || ids.has(l.id));
  }

  private newLineId(): string {
    return `${this.clientId}.${Date.now().toString(36)}.${(++this.idCounter).toString(36)}`;
  }

  /**
   * What of this console is still on its way to its room, in words, so a switch to another room can wait for it:
   * held lines, lines or requests the hub has not acknowledged, a half line on the displays. Empty when nothing is.
   */
  onItsWay(): string[] {
    const items: string[] = [];
    const held = this.session.record.heldLines().length;
    if (held > 0) items.push(`${plural(held, 'held line')} (release or discard ${held === 1 ? 'it' : 'them'})`);
    const unacked = this.session.record.unacknowledged().length;
    const pending = this.connection.link?.status.outboxPending ?? 0;
    if (unacked > 0) items.push(`${plural(unacked, 'line')} not acknowledged by the hub yet`);
    else if (pending > 0) items.push(`${plural(pending, 'correction, clear or notice', 'corrections, clears or notices')} not acknowledged by the hub yet`);
    for (const channel of this.livePartials.keys()) items.push(`a line in progress on ${channel.toUpperCase()} (commit or clear it)`);
    return items;
  }

  /** The link of the room in the settings (a link to another room is on its way out: nothing goes through it). */
  private currentLink(): ConsoleResult<HubLink> {
    const link = this.connection.link;
    if (!link || link.room !== this.ctx.settings.value.room) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to a hub first.');
    return ok(link);
  }

  /** The link to write through when this console may write to `channel` now. */
  private mayWrite(channel: string): ConsoleResult<HubLink> {
    const settings = this.ctx.settings.value;
    const current = this.currentLink();
    if (!current.ok) return current;
    const link = current.value;
    if (!this.ctx.roomChannels().includes(channel)) return fail('UNKNOWN_CHANNEL', `The room ${settings.room} has no channel ${channel}.`);
    if (settings.role === 'booth') {
      if (channel !== settings.channel) return fail('FORBIDDEN', `This booth publishes to ${settings.channel} only.`);
      if (!this.handover.onAir) return fail(CONSOLE_ERROR_CODES.NOT_ON_AIR, 'The other console of this booth is on air; request a handover first.');
    }
    return ok(link);
  }

  /** Records a committed line (as held when its channel is muted); `true` once it is on disk. Bounded wait. */
  private async writeAhead(line: OutgoingLine, times: AudioTimes, held: boolean): Promise<boolean> {
    const startedAt = this.lineStarts.get(line.id) ?? Date.now();
    const recorded = this.session.record.commit(
      {
        id: line.id,
        channel: line.channel,
        text: line.text,
        source: line.source,
        ...(line.lang ? { lang: line.lang } : {}),
        startedAt,
        ...audioTimes(times),
        room: this.ctx.settings.value.room,
      },
      { held },
    );
    // Reported whenever the disk has it, also when that took longer than the wait below.
    void recorded.then((saved) => saved && this.delivered({ channel: line.channel, id: line.id, what: 'line', status: 'recorded' }));
    let timer: NodeJS.Timeout | undefined;
    const saved = await Promise.race([recorded, new Promise<false>((r) => (timer = setTimeout(() => r(false), WRITE_AHEAD_WAIT_MS)))]);
    clearTimeout(timer);
    this.lineStarts.delete(line.id);
    this.ctx.changed();
    return saved;
  }

  /** The line as the hub takes it. */
  private wire(
    line: Pick<RecordedLine, 'id' | 'channel' | 'text' | 'source' | 'lang'> & { state?: PublishLine['state']; startedAt?: number; stableChars?: number },
    times: AudioTimes,
  ): PublishLine {
    const state = line.state ?? 'final';
    return {
      id: line.id,
      channel: line.channel,
      text: line.text,
      state,
      source: line.source,
      ...(state === 'partial' && line.stableChars ? { stableChars: line.stableChars } : {}),
      ...(line.lang ? { lang: line.lang } : {}),
      ...audioTimes(times),
      startedAt: line.startedAt ?? this.lineStarts.get(line.id) ?? Date.now(),
    };
  }

  private onAcked(request: OutboxRequest): void {
    if (request.kind === 'publish' && request.payload.state === 'final') {
      void this.session.record.markAcked(request.payload.channel, request.payload.id);
      this.delivered({ channel: request.payload.channel, id: request.payload.id, what: 'line', status: 'sent' });
    } else if (request.kind === 'revise') {
      this.delivered({ channel: request.payload.channel, id: request.payload.id, what: 'revision', status: 'sent' });
    }
  }

  /** The hub will not take a request: a final of a channel it finds muted is held; anything else is refused. */
  private onRefused(request: OutboxRequest | null, error: ConsoleError): void {
    if (request?.kind === 'publish' && request.payload.state === 'final') {
      const { channel, id } = request.payload;
      if (error.code === ERROR_CODES.CHANNEL_MUTED) {
        void this.session.record.markHeld(channel, id);
        this.delivered({ channel, id, what: 'line', status: 'held' });
      } else {
        // Refused for good: not retried at the next start, not exported as sent.
        void this.session.record.markRefused(channel, id, error.code);
        this.delivered({ channel, id, what: 'line', status: 'refused', error });
      }
    } else if (request?.kind === 'revise') {
      this.delivered({ channel: request.payload.channel, id: request.payload.id, what: 'revision', status: 'refused', error });
    }
  }

  private delivered(e: LineDelivery): void {
    this.ctx.emit('line:delivery', e);
    if (e.status !== 'sent' && e.status !== 'recorded') this.ctx.changed();
  }

  /**
   * Puts the session's committed lines the hub never acknowledged back in the outbox, in order: those committed in
   * this link's room (a line meant for one room never reaches another's displays; the others wait, listed as not
   * acknowledged, until the console is in their room again).
   */
  private resendUnacknowledged(link: HubLink): void {
    const lines = this.session.record.unacknowledged().filter((l) => l.room === undefined || l.room === link.room);
    if (lines.length === 0) return;
    this.ctx.logger.info('resending lines the hub never acknowledged', { lines: lines.length });
    for (const line of lines) void link.publish(this.wire(line, line));
  }
}

/** "1 held line", "3 held lines". */
function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function audioTimes(times: AudioTimes): AudioTimes {
  const { audioStart, audioEnd } = times;
  return {
    ...(audioStart !== undefined ? { audioStart } : {}),
    ...(audioEnd !== undefined && (audioStart === undefined || audioEnd >= audioStart) ? { audioEnd } : {}),
  };
}
