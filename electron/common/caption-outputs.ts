/**
 * Platform outputs of the caption hub: where a room channel's committed lines go beyond the room displays
 * (YouTube Live HTTP captions, a Zoom caption API token, a Microsoft Teams CART link, OBS's CEA-608 stream
 * captions, live files). Pure schemas and types, shared by the hub (which runs the outputs), its config file and
 * the console (which shows them).
 *
 * Targets are credentials: an ingestion URL or a caption token lets anyone post captions to a live event. They
 * never leave the hub in full: statuses and logs carry {@link redactTarget}'s form only.
 */
import { z } from 'zod';
import { nameSchema } from './ids';
import { fail, ok, type Result } from './result';

/** Kinds of output. */
export const OUTPUT_KINDS = ['youtube', 'zoom', 'teams', 'obs', 'file'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** Default age past which a caption that could not be sent yet is dropped (and counted) instead of sent late. */
export const DEFAULT_OUTPUT_MAX_AGE_MS = 15_000;

/** Default bound of an output's backlog (shaped captions waiting to go out). */
export const DEFAULT_OUTPUT_BACKLOG = 100;

/** Default spacing of an output's requests: at most one a second. */
export const DEFAULT_OUTPUT_MIN_INTERVAL_MS = 1000;

const httpUrl = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'an http(s) URL');

const common = {
  /** Stable id of the output (status, enable/disable, persisted seq state). */
  id: nameSchema,
  /** Room and channel whose committed lines the output carries. */
  room: nameSchema,
  channel: nameSchema,
  /** Off: configured but not driven (enable it from the hub without a restart). Default on. */
  enabled: z.boolean().optional(),
  /** Captions older than this when they could finally be sent are dropped and counted. */
  maxAgeMs: z.number().int().min(1000).max(3_600_000).optional(),
  /** Shaped captions kept while the target is slow or down; the oldest beyond it are dropped and counted. */
  backlog: z.number().int().min(1).max(10_000).optional(),
  /** Spacing of requests to the target (coalescing what arrives faster). Default 1000 ms. */
  minIntervalMs: z.number().int().min(100).max(60_000).optional(),
};

/** A BCP-47-ish caption language as platforms want it, e.g. `en-US`. */
const platformLang = z.string().min(2).max(16).regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language code such as en-US');

/** One configured output (hub config file `outputs`, `--output`, or the console in host mode). */
export const outputConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('youtube'),
    ...common,
    /** The stream's caption ingestion URL from YouTube Studio (a credential). */
    url: httpUrl,
  }),
  z.strictObject({
    kind: z.literal('zoom'),
    ...common,
    /** The meeting's caption API token (a URL; a credential). */
    url: httpUrl,
    /** Caption language for Zoom, e.g. `ar-SA`; default from the channel name. */
    lang: platformLang.optional(),
  }),
  z.strictObject({
    kind: z.literal('teams'),
    ...common,
    /** The meeting's CART caption link (a credential). */
    url: httpUrl,
    /** Caption language, e.g. `ru-RU`; default from the channel name. */
    lang: platformLang.optional(),
  }),
  z.strictObject({
    kind: z.literal('obs'),
    ...common,
    /** obs-websocket v5 address, e.g. `ws://127.0.0.1:4455`. */
    url: z.string().regex(/^wss?:\/\/[^\s]+$/, 'a ws:// or wss:// address'),
    /** obs-websocket server password (a credential). */
    password: z.string().max(256).optional(),
  }),
  z.strictObject({
    kind: z.literal('file'),
    ...common,
    /** Directory of the files (relative to the config file when relative). */
    dir: z.string().min(1).max(1024),
    /** Growing subtitle files written beside the current-caption file. Default both. */
    formats: z.array(z.enum(['srt', 'vtt'])).max(2).optional(),
  }),
]);
export type OutputConfig = z.infer<typeof outputConfigSchema>;

/** The `outputs` list of a hub config: ids unique. */
export const outputConfigListSchema = z
  .array(outputConfigSchema)
  .max(64)
  .refine((list) => new Set(list.map((o) => o.id)).size === list.length, 'output ids must be unique');

/**
 * What an output is doing, as the operator sees it:
 * - `sending`: the target accepted the last caption (or nothing was due yet and nothing is wrong);
 * - `waiting`: not sending for a reason that is not the target's fault (connecting, backing off before a retry,
 *   another hub node drives it);
 * - `failing`: the target refuses or does not answer; `code` is the platform's (HTTP status, obs-websocket
 *   status) or ours (`NOT_LATIN`, `TIMEOUT`, `NETWORK`);
 * - `stopped`: disabled by the operator, or refused for good (e.g. a non-Latin channel on the 608 track).
 */
export type OutputState = 'sending' | 'waiting' | 'failing' | 'stopped';

/** Per-output status (`GET /outputs`, the operator view). */
export interface OutputStatus {
  id: string;
  kind: OutputKind;
  room: string;
  channel: string;
  /** The target with its credentials removed (see {@link redactTarget}). */
  target: string;
  enabled: boolean;
  state: OutputState;
  /** The platform's or our code for `failing`/`stopped`. */
  code?: string;
  /** What the operator should know or do, in a sentence. */
  message?: string;
  /** When the target last accepted a caption (epoch ms). */
  lastCaptionAt: number | null;
  /** Shaped captions waiting. */
  backlog: number;
  /** Finals (and revisions) the target accepted. */
  delivered: number;
  /** Captions dropped: too old to send, backlog overflow, or refused by the output's rules. */
  dropped: { stale: number; overflow: number; refused: number };
  /** Requests repeated after a failure. */
  retries: number;
  /** The platform sequence number last accepted, where the platform has one. */
  seq?: number;
  /** This hub node drives the output (always true without Redis). */
  leader: boolean;
}

/** {@link OutputStatus} as it arrives from a hub (`GET /outputs`): checked before the console shows it. */
export const outputStatusSchema: z.ZodType<OutputStatus> = z.object({
  id: z.string(),
  kind: z.enum(OUTPUT_KINDS),
  room: z.string(),
  channel: z.string(),
  target: z.string(),
  enabled: z.boolean(),
  state: z.enum(['sending', 'waiting', 'failing', 'stopped']),
  code: z.string().optional(),
  message: z.string().optional(),
  lastCaptionAt: z.number().nullable(),
  backlog: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  dropped: z.object({ stale: z.number().int().nonnegative(), overflow: z.number().int().nonnegative(), refused: z.number().int().nonnegative() }),
  retries: z.number().int().nonnegative(),
  seq: z.number().int().optional(),
  leader: z.boolean(),
});

/**
 * A target as it may be shown: scheme, host and path, never the query (tokens, signatures, stream keys live
 * there), user info or password.
 */
export function redactTarget(target: string): string {
  try {
    const u = new URL(target);
    if (u.protocol === 'file:') return target;
    const hidden = u.search !== '' || u.username !== '' || u.password !== '' ? '?…' : '';
    return `${u.protocol}//${u.host}${u.pathname}${hidden}`;
  } catch {
    return '(not a URL)';
  }
}

/** Default platform language tag of a channel: `en` → `en-US`, `ar` → `ar-SA`, `ru` → `ru-RU`, else the name. */
export function platformLanguage(channel: string, configured?: string): string {
  if (configured) return configured;
  const primary = channel.toLowerCase().split(/[-_]/)[0] ?? channel;
  return { en: 'en-US', ar: 'ar-SA', ru: 'ru-RU', fr: 'fr-FR', es: 'es-ES', de: 'de-DE', zh: 'zh-CN' }[primary] ?? channel;
}

/**
 * What stands for a stored OBS password where a list of outputs is shown (the console's settings as the page gets
 * them); sent back unchanged, it keeps the stored password.
 */
export const STORED_CREDENTIAL = '•stored•';

/**
 * A credential URL as it may be shown: scheme, host and path, then `?…` whether or not it has a query (so even a
 * token carried in user info or a query-less URL is never shown whole). Still an http(s) URL.
 */
export function maskCredentialUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}?…`;
  } catch {
    return '(not a URL)';
  }
}

/** Whether an output's credential field holds its masked form (what {@link redactOutputCredentials} put there). */
export function isMaskedCredential(config: OutputConfig): boolean {
  if (config.kind === 'obs') return config.password === STORED_CREDENTIAL;
  if (config.kind === 'file') return false;
  return config.url.endsWith('?…') && maskCredentialUrl(config.url) === config.url;
}

/**
 * Outputs as they may be shown: an ingestion URL or caption token becomes its {@link maskCredentialUrl} form (host and
 * path, the query that carries the token hidden), an OBS password {@link STORED_CREDENTIAL}. Still valid configs, so
 * an editor can send the list back (see {@link restoreOutputCredentials}).
 */
export function redactOutputCredentials(outputs: readonly OutputConfig[]): OutputConfig[] {
  return outputs.map((o) => {
    if (o.kind === 'file') return { ...o };
    if (o.kind === 'obs') return o.password ? { ...o, password: STORED_CREDENTIAL } : { ...o };
    return { ...o, url: maskCredentialUrl(o.url) };
  });
}

/**
 * A list of outputs sent back by an editor of the {@link redactOutputCredentials} form: each masked credential
 * takes the stored value of the output with the same id and kind. A masked value with nothing stored behind it
 * (a new id, another kind) is refused with what to type, never used as a target or a password.
 */
export function restoreOutputCredentials(outputs: readonly OutputConfig[], stored: readonly OutputConfig[]): Result<OutputConfig[]> {
  const restored: OutputConfig[] = [];
  for (const o of outputs) {
    const before = stored.find((s) => s.id === o.id && s.kind === o.kind);
    if (o.kind === 'obs' && o.password === STORED_CREDENTIAL) {
      if (before?.kind !== 'obs' || before.password === undefined) return fail('INVALID_ARGUMENTS', `output ${o.id}: type the OBS password (none is stored for it)`);
      restored.push({ ...o, password: before.password });
    } else if (o.kind === 'youtube' || o.kind === 'zoom' || o.kind === 'teams') {
      const same = before && before.kind === o.kind && maskCredentialUrl(before.url) === o.url;
      if (same) restored.push({ ...o, url: before.url });
      else if (isMaskedCredential(o)) return fail('INVALID_ARGUMENTS', `output ${o.id}: type the whole ${o.kind === 'youtube' ? 'ingestion URL' : 'caption URL'} (none is stored for it)`);
      else restored.push({ ...o });
    } else restored.push({ ...o });
  }
  return ok(restored);
}
