/**
 * The caption rules of one channel as pure decisions: `decide(state read, input, now) -> outcome + writes`.
 * Every history store decides with these and only applies the writes: the memory store to its maps and
 * journal, the Redis store as one MULTI after reading the state under WATCH. So duplicate, conflict, sequence
 * numbers, cursors, the same-text partial and not-found are decided in this file alone.
 *
 * Rules:
 * - an id gets its `seq` when the channel first sees it, and keeps it (the next seq is never reused);
 * - a final commits the line: the cursor moves on, the partial of that id is gone;
 * - the same id published again once final: with the text as first committed or as now revised, or as a
 *   partial, it is a duplicate (acknowledged, nothing changes); with another text it is `CONFLICT`;
 * - a partial with the text (and settled start) of the current partial of the same id is a duplicate;
 * - revise needs a committed line that no clear has hidden (`NOT_FOUND`, saying whether it is still a partial);
 *   the same text again is a duplicate; clear always moves the cursor on;
 * - a channel closed to new lines (an operator's mute: `closed`) still acknowledges what it already holds as the
 *   duplicate it is (a resend whose first ack was lost on a cut link), and refuses everything else with `closed`.
 */
import { ERROR_CODES, type CaptionLine, type ChannelChange, type PartialUpdate, type PublishAck, type PublishLine } from '../common/protocol';
import { fail, ok, type ErrorInfo, type Result } from '../common/result';
import type { ErrorCode } from '../common/hub-errors';

/** A committed line as kept: its latest version, the text as first committed, and whether a clear hid it. */
export interface KeptLine {
  line: CaptionLine;
  /** The text of the final as published (revision 0); a resend of it is a duplicate, not a conflict. */
  publishedText: string;
  /** Cursor of the latest change to this line. */
  cursor: number;
  /** `true` once a clear removed it from displays; still exported. */
  cleared: boolean;
}

/** An id the channel has seen: its sequence number and, once committed, the final text as published. */
export interface SeenId {
  seq: number;
  firstSeenAt: number;
  finalText?: string;
}

/** The channel where a decision happens; names only, for the lines and changes it builds. */
export interface ChannelRef {
  room: string;
  channel: string;
}

/** What a publish reads: the channel's counters, and what it holds of this id and of the current partial. */
export interface PublishState {
  cursor: number;
  nextSeq: number;
  seen: SeenId | null;
  kept: KeptLine | null;
  partial: CaptionLine | null;
}

/** What a revise reads. */
export interface ReviseState {
  cursor: number;
  kept: KeptLine | null;
  partial: CaptionLine | null;
}

/** What a clear reads. */
export interface ClearState {
  cursor: number;
}

/** A change to apply to a channel's stored state; a store turns each into its own writes. */
export type ChannelWrite =
  /** A new id: remember its seq and first sight; the channel's next seq is `seq + 1`. */
  | { t: 'see'; id: string; seq: number; firstSeenAt: number }
  /** The current partial is now `line`. */
  | { t: 'partial'; line: CaptionLine }
  /** The line is committed: cursor to `change.cursor`, kept line, the id's final text, no partial of that id. */
  | { t: 'commit'; change: ChannelChange & { kind: 'committed' }; publishedText: string; firstSeenAt: number }
  /** A committed line corrected in place: cursor to `change.cursor`, the kept line replaced. */
  | { t: 'revise'; change: ChannelChange & { kind: 'revised' } }
  /** Every kept line hidden from displays, the partial gone, cursor to `change.cursor`. */
  | { t: 'clear'; change: ChannelChange & { kind: 'cleared' } };

/** A decided operation: the ack, what to broadcast, and the writes (none for a duplicate). */
export interface Decision {
  ack: PublishAck;
  partial?: PartialUpdate;
  change?: ChannelChange;
  writes: ChannelWrite[];
}

/**
 * The stored line for a publish: revision 0, `startedAt` from the publisher, else from the partial it replaces,
 * else when the hub first saw the id.
 */
function publishedLine(ref: ChannelRef, input: PublishLine, seq: number, previous: CaptionLine | null, firstSeenAt: number, now: number): CaptionLine {
  const line: CaptionLine = {
    id: input.id,
    room: ref.room,
    channel: ref.channel,
    seq,
    text: input.text,
    state: input.state,
    revision: 0,
    source: input.source,
    startedAt: input.startedAt ?? previous?.startedAt ?? firstSeenAt,
    updatedAt: now,
  };
  if (input.lang !== undefined) line.lang = input.lang;
  if (input.audioStart !== undefined) line.audioStart = input.audioStart;
  if (input.audioEnd !== undefined) line.audioEnd = input.audioEnd;
  if (input.state === 'partial' && input.stableChars) line.stableChars = Math.min(input.stableChars, input.text.length);
  return line;
}

/** Why a channel takes no new line now (a mute), or `null` when it is open. */
export type ChannelClosed = ErrorInfo<ErrorCode> | null;

/** Decides a publish whose text is already checked and cleaned. */
export function decidePublish(ref: ChannelRef, state: PublishState, input: PublishLine, now: number, closed: ChannelClosed = null): Result<Decision, ErrorCode> {
  const { seen, kept } = state;
  if (seen?.finalText !== undefined) {
    const sameText = input.text === seen.finalText || input.text === kept?.line.text;
    if (input.state === 'partial' || sameText) {
      return ok({ ack: { seq: seen.seq, cursor: kept?.cursor ?? state.cursor, duplicate: true }, writes: [] });
    }
    return fail(ERROR_CODES.CONFLICT, `line ${input.id} is already committed with a different text; send caption:revise to correct it`);
  }
  if (closed) return fail(closed.code, closed.message);
  const writes: ChannelWrite[] = [];
  const seq = seen?.seq ?? state.nextSeq;
  const firstSeenAt = seen?.firstSeenAt ?? now;
  if (!seen) writes.push({ t: 'see', id: input.id, seq, firstSeenAt });
  const previous = state.partial?.id === input.id ? state.partial : null;
  const line = publishedLine(ref, input, seq, previous, firstSeenAt, now);

  if (input.state === 'partial') {
    if (previous && previous.text === input.text && previous.stableChars === line.stableChars) {
      return ok({ ack: { seq, cursor: state.cursor, duplicate: true }, writes });
    }
    writes.push({ t: 'partial', line });
    return ok({
      ack: { seq, cursor: state.cursor, duplicate: false },
      partial: { room: ref.room, channel: ref.channel, cursor: state.cursor, line },
      writes,
    });
  }

  line.committedAt = now;
  const change: ChannelChange & { kind: 'committed' } = { kind: 'committed', room: ref.room, channel: ref.channel, cursor: state.cursor + 1, line };
  writes.push({ t: 'commit', change, publishedText: input.text, firstSeenAt });
  return ok({ ack: { seq, cursor: change.cursor, duplicate: false }, change, writes });
}

/** Decides a correction of a committed line (text already checked and cleaned). */
export function decideRevise(ref: ChannelRef, state: ReviseState, id: string, text: string, now: number, closed: ChannelClosed = null): Result<Decision, ErrorCode> {
  const { kept } = state;
  if (closed && kept?.line.text !== text) return fail(closed.code, closed.message);
  if (!kept || kept.cleared) {
    const why = state.partial?.id === id ? 'it is not committed yet (publish a final)' : 'no such committed line in this channel';
    return fail(ERROR_CODES.NOT_FOUND, `cannot revise line ${id}: ${why}`);
  }
  if (kept.line.text === text) {
    return ok({ ack: { seq: kept.line.seq, cursor: kept.cursor, duplicate: true }, writes: [] });
  }
  const line: CaptionLine = { ...kept.line, text, revision: kept.line.revision + 1, updatedAt: now };
  const change: ChannelChange & { kind: 'revised' } = { kind: 'revised', room: ref.room, channel: ref.channel, cursor: state.cursor + 1, line };
  return ok({ ack: { seq: line.seq, cursor: change.cursor, duplicate: false }, change, writes: [{ t: 'revise', change }] });
}

/** Decides a clear of the channel (its lines stay in the export). */
export function decideClear(ref: ChannelRef, state: ClearState, now: number): Decision {
  const change: ChannelChange & { kind: 'cleared' } = { kind: 'cleared', room: ref.room, channel: ref.channel, cursor: state.cursor + 1, at: now };
  return { ack: { seq: 0, cursor: change.cursor, duplicate: false }, change, writes: [{ t: 'clear', change }] };
}
