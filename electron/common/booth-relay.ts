/**
 * A small additive extension of the hub protocol for consoles (booth and operator sockets only; displays never
 * see it): a latency ping, and the **handover** of a booth channel between the two consoles of one booth.
 *
 * The hub keeps, per room and channel, which console (by handshake `clientId`) is on air. A console claims the
 * channel when it connects. Either side starts a handover: the off-air console **requests** the channel, or the
 * on-air console **offers** it; the hub asks the other side, and on accept moves the channel and tells both. The
 * side that started it may cancel it while it waits. A request when the on-air console is not connected is
 * granted at once (a crashed console never blocks its booth). The hub tells every console of a booth who else is
 * in it (`booth:presence`: online, offline, on air), so each shows its partner. An operator can also **mute** a channel room-wide: every
 * console of the room hears it and holds that channel's lines until it is unmuted. Everything is acknowledged with a Result, parsed with the
 * schemas below where it arrives.
 */
import { z } from 'zod';
import { idSchema, nameSchema } from './ids';
import type { Result } from './result';

const requestIdSchema = idSchema.max(64);

/** `hub:ping`: answered at once with the hub's clock (round trip = latency). */
export const pingSchema = z.strictObject({ sentAt: z.number().finite() });
export type PingRequest = z.infer<typeof pingSchema>;

/** What a ping is answered with. */
export interface PingAnswer {
  /** The hub's clock, epoch ms. */
  now: number;
  /**
   * Room displays subscribed to each channel of the console's room on this hub node (a console's own room view,
   * whose clientId ends in {@link CONSOLE_VIEW_SUFFIX}, is not a display). Absent from hubs that do not count.
   */
  displays?: Record<string, number>;
}

/** The clientId suffix of a console's room-view socket (a display-role socket that no audience looks at). */
export const CONSOLE_VIEW_SUFFIX = '-view';

/**
 * `handover:claim`: sent by a booth console on every (re)connect. `wasOnAir`: it held the channel before the
 * reconnect (then it takes the channel back from a console that only claimed it while it was away).
 */
export const handoverClaimSchema = z.strictObject({ wasOnAir: z.boolean() });
export type HandoverClaim = z.infer<typeof handoverClaimSchema>;

/** `handover:request`: the off-air console of a booth asks for the channel. */
export const handoverRequestSchema = z.strictObject({ requestId: requestIdSchema });
export type HandoverRequest = z.infer<typeof handoverRequestSchema>;

/** `handover:offer`: the on-air console of a booth offers the channel to the other console(s) of the booth. */
export const handoverOfferSchema = z.strictObject({ requestId: requestIdSchema });
export type HandoverOffer = z.infer<typeof handoverOfferSchema>;

/** `handover:cancel`: the console that requested or offered a handover withdraws it while it waits. */
export const handoverCancelSchema = z.strictObject({ requestId: requestIdSchema });
export type HandoverCancel = z.infer<typeof handoverCancelSchema>;

/** `handover:respond`: the asked side accepts or declines (the on-air console a request, the other one an offer). */
export const handoverRespondSchema = z.strictObject({ requestId: requestIdSchema, accept: z.boolean() });
export type HandoverRespond = z.infer<typeof handoverRespondSchema>;

/** `channel:mute`: the operator mutes or unmutes a channel of its room (booth consoles then hold its lines). */
export const channelMuteSchema = z.strictObject({
  channel: nameSchema,
  muted: z.boolean(),
});
export type ChannelMute = z.infer<typeof channelMuteSchema>;

/** `channel:mutes`: asks for the room's muted channels, and its channels (sent by consoles on connect). */
export const channelMutesSchema = z.strictObject({});

/** The muted channels of a room, as the hub tells consoles (`channel:muted` event and the acks above). */
export interface RoomMutes {
  room: string;
  muted: string[];
  /**
   * Every channel of the room, in the hub's order: in the answer to `channel:mutes` only (a console following a room
   * learns its channels there); absent from hubs that do not tell.
   */
  channels?: string[];
}

/** Who holds a channel, as the hub tells a console. */
export interface OnAirInfo {
  channel: string;
  /** `clientId` of the on-air console, null when none. */
  holderClientId: string | null;
  holderLabel: string | null;
}

/** Who started a handover: the off-air console asking for the channel, or the on-air console offering it. */
export type HandoverKind = 'request' | 'offer';

/**
 * `handover:asked` (hub → the side that answers): for a `request` the on-air console, for an `offer` the other
 * console(s) of the booth.
 */
export interface HandoverAsked {
  requestId: string;
  channel: string;
  kind: HandoverKind;
  fromClientId: string;
  fromLabel: string;
}

/** `handover:done` (hub → both consoles): the outcome; `holderClientId` is who is on air now. */
export interface HandoverDone extends OnAirInfo {
  requestId: string;
  outcome: 'accepted' | 'declined' | 'expired' | 'cancelled' | 'reclaimed';
}

/** One console of a booth as the hub knows it. */
export interface BoothMember {
  clientId: string;
  label: string;
  /** It has a connection to this hub now. */
  online: boolean;
  /** It holds the booth's channel. */
  onAir: boolean;
}

/**
 * `booth:presence` (hub → every console of a booth, and the room's operators): the consoles of the booth the hub has seen since it started
 * (the receiver included), sent when one comes, goes or the channel changes hands.
 */
export interface BoothPresence {
  channel: string;
  members: BoothMember[];
}

/** Console → hub requests of the extension. */
export interface BoothRelayClientEvents {
  'hub:ping': (req: PingRequest, ack: (r: Result<PingAnswer>) => void) => void;
  'handover:claim': (req: HandoverClaim, ack: (r: Result<OnAirInfo>) => void) => void;
  'handover:request': (req: HandoverRequest, ack: (r: Result<{ granted: boolean } & OnAirInfo>) => void) => void;
  'handover:offer': (req: HandoverOffer, ack: (r: Result<OnAirInfo>) => void) => void;
  'handover:cancel': (req: HandoverCancel, ack: (r: Result<OnAirInfo>) => void) => void;
  'handover:respond': (req: HandoverRespond, ack: (r: Result<OnAirInfo>) => void) => void;
  'channel:mute': (req: ChannelMute, ack: (r: Result<RoomMutes>) => void) => void;
  'channel:mutes': (req: Record<string, never>, ack: (r: Result<RoomMutes>) => void) => void;
}

/** Hub → console events of the extension. */
export interface BoothRelayServerEvents {
  'handover:asked': (e: HandoverAsked) => void;
  'handover:done': (e: HandoverDone) => void;
  'booth:presence': (e: BoothPresence) => void;
  /** The room's muted channels changed (to every booth and operator console of the room). */
  'channel:muted': (e: RoomMutes) => void;
}

/** How long the asked side has to answer a handover request or offer before it expires, ms. */
export const HANDOVER_TIMEOUT_MS = 60_000;
