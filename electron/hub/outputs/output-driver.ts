/**
 * The contract between an output's runner (pacing, backlog, retries, persistence: output-runner.ts) and a
 * platform driver (how captions are shaped, packed into one request and sent: YouTube, Zoom, Teams, OBS, files).
 */
import type { CaptionSource } from '../../common/protocol';

/** A committed-state change of a channel, as an output sees it. */
export interface OutgoingCaption {
  /** `final`: a line was committed; `revision`: a committed line was corrected; `clear`: the channel was cleared. */
  kind: 'final' | 'revision' | 'clear';
  /** Line id (empty for a clear). */
  lineId: string;
  /** 0 for a final as committed; the revision number of a correction. */
  revision: number;
  text: string;
  /** Language of the channel or the line, for line lengths. */
  lang: string | undefined;
  /** When the hub committed the change (epoch ms, hub clock): the caption's age and its timestamp. */
  at: number;
  /** When the line began (the publisher's `startedAt`): where a subtitle cue starts. */
  startedAt?: number;
  /** Where the line came from (live files join a speech-to-text source's short lines into cues). */
  source?: CaptionSource;
  /** The channel's cursor of the change: the output's position. */
  cursor: number;
}

/** One piece of a caption as a target sends it (a final may become several). */
export interface CaptionUnit {
  /** Unique per output: line id, revision and part. */
  id: string;
  caption: Pick<OutgoingCaption, 'kind' | 'lineId' | 'revision'>;
  /** Shaped text (lines separated by `\n`). */
  text: string;
  at: number;
  /** When the line began, where the caption says (live files time their cues with it). */
  startedAt?: number;
  /** Where the line came from, where the caption says. */
  source?: CaptionSource;
  cursor: number;
  /** Part of the caption, 1-based, of `parts`. */
  part: number;
  parts: number;
}

/** What shaping made of a caption. */
export type ShapeResult = { units: CaptionUnit[] } | { refused: { code: string; message: string } };

/** How one request ended. */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      /** The platform's code (HTTP status, obs-websocket request status) or ours (`TIMEOUT`, `NETWORK`). */
      code: string;
      /** For the operator; never contains a credential. */
      message: string;
      /**
       * The target certainly did not take the caption (it answered with an error, or no connection was made). When
       * not certain (a timeout, a connection lost mid-request) the same request is repeated unchanged, with the
       * same `seq`, so a target that did take it sees a retry, not a new caption.
       */
      certain: boolean;
      /** The platform asked to wait this long (429 Retry-After). */
      retryAfterMs?: number;
    };

/** A platform driver. */
export interface OutputDriver {
  /** The platform numbers requests (`seq`): +1 per new caption, unchanged on a retry. */
  readonly usesSeq: boolean;
  /** Units of a caption, or a refusal (e.g. a script the target cannot carry). A kind the target ignores gives none. */
  shape(caption: OutgoingCaption): ShapeResult;
  /** How many of the first `units` go into one request (at least 1). */
  pack(units: readonly CaptionUnit[]): number;
  /** Called before a new request is prepared (e.g. to learn the platform's clock first). */
  ready?(signal: AbortSignal): Promise<void>;
  /** The request for `units` numbered `seq`; a retry sends exactly this again. */
  prepare(units: readonly CaptionUnit[], seq: number): string;
  /** Sends a prepared request. */
  send(body: string, seq: number, signal: AbortSignal): Promise<SendOutcome>;
  /** The platform's last accepted `seq`, where it can be asked (Zoom); `null` when it cannot be known now. */
  lastAcceptedSeq?(signal: AbortSignal): Promise<number | null>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Splits shaped texts of a caption into units. */
export function unitsOf(caption: OutgoingCaption, texts: readonly string[]): CaptionUnit[] {
  const base = caption.kind === 'clear' ? `clear@${caption.cursor}` : `${caption.lineId}#${caption.revision}`;
  return texts.map((text, i) => ({
    id: `${base}/${i + 1}`,
    caption: { kind: caption.kind, lineId: caption.lineId, revision: caption.revision },
    text,
    at: caption.at,
    ...(caption.startedAt !== undefined ? { startedAt: caption.startedAt } : {}),
    ...(caption.source !== undefined ? { source: caption.source } : {}),
    cursor: caption.cursor,
    part: i + 1,
    parts: texts.length,
  }));
}
