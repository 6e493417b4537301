/**
 * The caption hub protocol: what booths, operators and displays say to the hub over socket.io, and what it
 * says back. Both directions are typed here and every incoming payload is parsed with the schemas below
 * before use (types alone validate nothing).
 *
 * Model: an event has rooms; a room has channels (`floor` plus one per language). A channel carries caption
 * lines. A line is `partial` while it is spoken or typed (a newer partial replaces it) and `final` once
 * committed; a committed line can be revised in place. Every change to a channel's committed state (commit,
 * revision, clear) gets the channel's next `cursor`; a display remembers the last cursor it applied per
 * channel and catches up from there after a reconnect: no gap, no duplicate.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from './hub-errors';
import { CAPTION_LANGUAGES } from './languages';
import { idSchema, nameSchema } from './ids';
import type { Result } from './result';

export { ERROR_CODES, type ErrorCode };

/** The channel that carries captions of the speaker's own words. */
export const FLOOR_CHANNEL = 'floor';

/** Default language channels of a room; the list is configuration. */
export const DEFAULT_LANGUAGE_CHANNELS = CAPTION_LANGUAGES;

/** Longest caption text the hub accepts, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 2000;

/** Longest notice text. */
export const MAX_NOTICE_LENGTH = 280;

/** Where a line came from. */
export const CAPTION_SOURCES = ['floor-stt', 'voice-stt', 'typed', 'script'] as const;
export type CaptionSource = (typeof CAPTION_SOURCES)[number];

/**
 * Whether lines of `source` are cut by the machine (speech-to-text: a pass or two of speech each), not composed by a
 * person (typed lines, script cues): walls flow them into rows and exports join them into cues.
 */
export function isSpeechToTextSource(source: CaptionSource | undefined): boolean {
  return source === 'floor-stt' || source === 'voice-stt';
}

/** `partial` may still change; `final` is committed. */
export type CaptionState = 'partial' | 'final';

/** Client roles, checked at the socket handshake. */
export const ROLES = ['booth', 'operator', 'display'] as const;
export type Role = (typeof ROLES)[number];

/** Caption text: a string; length is checked separately so an over-long text gets its own code. */
const textSchema = z.string();

/** What a client presents in the socket.io handshake (`auth` option). */
export const handshakeAuthSchema = z.strictObject({
  role: z.enum(ROLES),
  room: nameSchema,
  /** A booth's own channel; required for booths. */
  channel: nameSchema.optional(),
  /** Room secret (booth, operator) or the channel PIN (booth). Never logged. */
  secret: z.string().max(256).optional(),
  /** A stable id of the client instance (for handover and logs). */
  clientId: idSchema.optional(),
  /** A human label ("Arabic booth A"). */
  label: z.string().max(80).optional(),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

/** A line as a publisher sends it. The hub assigns `seq`, `cursor`, `revision` and times. */
export const publishLineSchema = z.strictObject({
  /** Client-generated unique id; publishing the same id and state twice is harmless. */
  id: idSchema,
  channel: nameSchema,
  text: textSchema,
  state: z.enum(['partial', 'final']),
  source: z.enum(CAPTION_SOURCES),
  /** Language of the text (ISO 639-1), e.g. as detected by speech-to-text. */
  lang: z.string().min(2).max(8).regex(/^[a-z-]+$/).optional(),
  /** Start and end of the line in the source audio, seconds (speech-to-text lines). */
  audioStart: z.number().finite().nonnegative().optional(),
  audioEnd: z.number().finite().nonnegative().optional(),
  /** When the publisher started the line (epoch ms, its own clock). */
  startedAt: z.number().finite().nonnegative().optional(),
  /**
   * A partial only: how many characters at the start of `text` are settled (speech-to-text has committed those
   * words; they will be in the line's final unchanged). Displays show them as committed text while the rest of
   * the line is still a partial. Ignored on a final; clamped to the text.
   */
  stableChars: z.number().int().nonnegative().max(MAX_TEXT_LENGTH).optional(),
});
export type PublishLine = z.infer<typeof publishLineSchema>;

export const reviseLineSchema = z.strictObject({
  channel: nameSchema,
  id: idSchema,
  text: textSchema,
});
export type ReviseLine = z.infer<typeof reviseLineSchema>;

export const clearChannelSchema = z.strictObject({ channel: nameSchema });
export type ClearChannel = z.infer<typeof clearChannelSchema>;

export const showNoticeSchema = z.strictObject({
  text: z.string(),
  /** How long displays show it; omitted means until cleared. */
  ttlMs: z.number().int().positive().max(3_600_000).optional(),
});
export type ShowNotice = z.infer<typeof showNoticeSchema>;

export const subscribeSchema = z.strictObject({
  channels: z.array(nameSchema).min(1).max(16),
  /** Last cursor the display applied, per channel; omitted for a fresh display. */
  since: z.record(nameSchema, z.number().int().nonnegative()).optional(),
});
export type Subscribe = z.infer<typeof subscribeSchema>;

/** A caption line as the hub stores and broadcasts it. */
export interface CaptionLine {
  /** Publisher-generated unique id. */
  id: string;
  room: string;
  channel: string;
  /** Per-channel sequence number of the line, assigned by the hub when it first sees the id (1, 2, 3...). */
  seq: number;
  text: string;
  state: CaptionState;
  /** 0 as published; +1 for each correction after commit. */
  revision: number;
  source: CaptionSource;
  lang?: string;
  audioStart?: number;
  audioEnd?: number;
  /** When the line started (epoch ms, hub clock unless the publisher gave one). */
  startedAt: number;
  /** When the hub received the latest version (epoch ms). */
  updatedAt: number;
  /** When the line was committed (epoch ms); set for finals. */
  committedAt?: number;
  /** A partial only: how many characters at the start of `text` are settled (see {@link PublishLine}). */
  stableChars?: number;
}

/** A change to a channel's committed state; `cursor` orders them per channel. */
export type ChannelChange =
  | { kind: 'committed'; room: string; channel: string; cursor: number; line: CaptionLine }
  | { kind: 'revised'; room: string; channel: string; cursor: number; line: CaptionLine }
  | { kind: 'cleared'; room: string; channel: string; cursor: number; at: number };

/** The current partial of a channel (not part of history; the next partial or the commit replaces it). */
export interface PartialUpdate {
  room: string;
  channel: string;
  /** The channel's cursor when the partial was sent. */
  cursor: number;
  line: CaptionLine;
}

/** A room-wide notice ("Please take your seats"); `text: null` clears it. */
export interface Notice {
  room: string;
  text: string | null;
  shownAt: number;
  ttlMs?: number;
  /**
   * Sent to displays with a notice that has a `ttlMs`: how long it has left, on the hub's clock, when the hub
   * sent it. A display counts it down from receipt and never compares `shownAt` with its own clock.
   */
  remainingMs?: number;
}

/** What a display gets when it subscribes: each channel's recent history (or what it missed) and its partial. */
export interface ChannelSnapshot {
  channel: string;
  /** The channel's cursor after the changes below. */
  cursor: number;
  /**
   * `true` when `since` was older than the history kept: `lines` then holds the whole kept history and the
   * display replaces what it has.
   */
  reset: boolean;
  /** Changes after `since` (catch-up), or the committed lines of the kept history as `committed` changes. */
  changes: ChannelChange[];
  partial: CaptionLine | null;
}

export interface SubscribeResult {
  room: string;
  channels: ChannelSnapshot[];
  notice: Notice | null;
}

export interface PublishAck {
  seq: number;
  cursor: number;
  /** `true` when the hub had already applied this exact publish (a resend); nothing changed. */
  duplicate: boolean;
}

/** Events the hub sends (past tense: they report what happened). */
export interface HubServerEvents {
  'caption:partial': (update: PartialUpdate) => void;
  'caption:changed': (change: ChannelChange) => void;
  'notice:changed': (notice: Notice) => void;
}

/** Requests clients send; every one is acknowledged with a Result whose error codes are the hub's {@link ErrorCode}. */
export interface HubClientEvents {
  'caption:publish': (line: PublishLine, ack: (r: Result<PublishAck, ErrorCode>) => void) => void;
  'caption:revise': (rev: ReviseLine, ack: (r: Result<PublishAck, ErrorCode>) => void) => void;
  'channel:clear': (req: ClearChannel, ack: (r: Result<{ cursor: number }, ErrorCode>) => void) => void;
  'notice:show': (req: ShowNotice, ack: (r: Result<Notice, ErrorCode>) => void) => void;
  'notice:clear': (req: Record<string, never>, ack: (r: Result<Notice, ErrorCode>) => void) => void;
  'display:subscribe': (req: Subscribe, ack: (r: Result<SubscribeResult, ErrorCode>) => void) => void;
}

