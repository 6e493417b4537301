/**
 * Configuration of the caption hub: its rooms, their channels and secrets, and the JSON config file that
 * `npm run hub -- --config <file>` reads. Pure schemas, usable by the console (embedded hub) and the CLI.
 */
import { z } from 'zod';
import { outputConfigListSchema } from './caption-outputs';
import { nameSchema } from './ids';
import { DEFAULT_LANGUAGE_CHANNELS, FLOOR_CHANNEL } from './protocol';

/** Channels of a room when its configuration names none: `floor`, `ar`, `en`, `ru`. */
export const DEFAULT_CHANNELS: readonly string[] = [FLOOR_CHANNEL, ...DEFAULT_LANGUAGE_CHANNELS];

/** Default port of a standalone hub. */
export const DEFAULT_HUB_PORT = 7300;

/** Committed lines kept per channel when the configuration does not say. */
export const DEFAULT_HISTORY_LIMIT = 500;


/** A room secret or channel PIN: printable, no surrounding spaces. */
const secretSchema = z
  .string()
  .min(4, 'a secret has at least 4 characters')
  .max(256)
  .refine((s) => s.trim() === s, 'a secret may not start or end with a space');

/** One room of the event, as configured. */
export const roomConfigSchema = z.strictObject({
  /** Room id used in URLs and the handshake, e.g. `main`. */
  id: nameSchema,
  /** Human name ("Main hall"). */
  name: z.string().min(1).max(80).optional(),
  /** Channels of the room; defaults to {@link DEFAULT_CHANNELS}. */
  channels: z
    .array(nameSchema)
    .min(1)
    .max(16)
    .refine((list) => new Set(list).size === list.length, 'channel names must be unique')
    .optional(),
  /** Room secret: operators present it; booths may present it instead of their channel PIN. Never logged. */
  secret: secretSchema,
  /** Optional per-channel PINs: a booth presenting its channel's PIN may publish to that channel only. */
  channelPins: z.record(nameSchema, secretSchema).optional(),
});

/** One room of the event, as configured (`channels` defaults to `floor`, `ar`, `en`, `ru`). */
export type RoomConfig = z.input<typeof roomConfigSchema>;

/**
 * An origin allowed to frame the hub's pages (a venue's web page embedding a display): `https://venue.example`,
 * `http://10.0.0.5:8080`, or `https://*.venue.example`. Nothing else: no path, no `*` alone, no other scheme.
 */
export const frameAncestorSchema = z
  .string()
  .regex(/^https?:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/, 'an origin such as https://venue.example (scheme, host, optional port)');

/** Token-bucket limits applied to every socket's requests. */
export const rateLimitSchema = z.strictObject({
  /** Requests a socket may send in a burst. */
  burst: z.number().int().positive().max(100_000),
  /** Requests per second refilled into the bucket. */
  perSecond: z.number().positive().max(100_000),
});
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

/** The JSON file read by `npm run hub -- --config <file>`; flags given on the command line override it. */
export const hubConfigFileSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).max(255).optional(),
  /** Journal directory (relative to the config file's directory when relative). */
  dataDir: z.string().min(1).optional(),
  /** Built renderer directory holding display.html. */
  staticDir: z.string().min(1).optional(),
  historyLimit: z.number().int().min(10).max(100_000).optional(),
  rateLimit: rateLimitSchema.optional(),
  /** Proxies in front of the hub whose X-Forwarded-For is trusted (see HubOptions.trustProxy). */
  trustProxy: z.number().int().min(0).max(10).optional(),
  /** Origins whose pages may frame the display page (default none: only the hub's own pages). */
  frameAncestors: z.array(frameAncestorSchema).max(32).optional(),
  /** Paths of a PEM certificate and key; turns on HTTPS/WSS. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /** Platform outputs (YouTube, Zoom, Teams, OBS, live files): see electron/common/caption-outputs.ts. */
  outputs: outputConfigListSchema.optional(),
  rooms: z
    .array(roomConfigSchema)
    .min(1)
    .refine((rooms) => new Set(rooms.map((r) => r.id)).size === rooms.length, 'room ids must be unique'),
});
export type HubConfigFile = z.infer<typeof hubConfigFileSchema>;

/** The channels of a configured room, with the default applied. */
export function roomChannels(room: RoomConfig): readonly string[] {
  return room.channels ?? DEFAULT_CHANNELS;
}

/**
 * The phone page of a room on a hub (what its QR code opens):
 * `<base>/display?room=main&channels=ar,en,ru,floor&view=phone`, every channel of the room to pick from, the
 * languages first and the floor (the speakers' own words) last.
 */
export function phoneUrl(baseUrl: string, room: string, channels: readonly string[]): string {
  const ordered = [...channels.filter((c) => c !== FLOOR_CHANNEL), ...channels.filter((c) => c === FLOOR_CHANNEL)];
  return `${displayUrl(baseUrl, room, ordered)}&view=phone`;
}

/**
 * The display page's address on a hub: `<base>/display?room=main&channels=ar,en`.
 * @param baseUrl the hub's URL, e.g. `http://192.168.1.20:7300`
 */
export function displayUrl(baseUrl: string, room: string, channels: readonly string[]): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/display?room=${encodeURIComponent(room)}&channels=${channels.map(encodeURIComponent).join(',')}`;
}
