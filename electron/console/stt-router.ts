/**
 * Speech-to-text in the console: the two sources (the floor feed, the interpreter's own voice), their status, and
 * where their captions go. Every caption goes to the page (`stt:caption`). Floor captions, when floor publishing is
 * on and this console may write `floor`, go to the `floor` channel; with auto-routing an operator's floor finals
 * also go to the channel of their detected language when the room has it. Voice captions go to the booth's own
 * channel: at once (partials too) with no review window, else finals after the window (voice-review.ts).
 *
 * Times: a source's audio timeline starts at 0 each time it starts. What goes to the hub (and the record) is in
 * the session's timeline instead, seconds since the session record started: the source's start time in the
 * session plus the caption's time, and never earlier than what the source published before. So a Stop/Start
 * of the floor input never sends cue times back to 0.
 */
import type { ConsoleSttLanguage, SttSourceKind, SttStatus } from '../common/console-api';
import { CONSOLE_ERROR_CODES, consoleResult, fail, ok, type ConsoleResult } from '../common/console-api-result';
import { FLOOR_CHANNEL } from '../common/protocol';
import type { Result } from '../common/result';
import type { CaptionEvent, SttRealtime, SttStatusEvent } from '../common/stt-protocol';
import type { ConsoleContext } from './console-context';
import type { ConsoleSession } from './console-session';
import type { HubConnection } from './hub-connection';
import type { LinePublisher } from './line-publisher';
import { toSttGlossary, type SttSourceFactory, type SttSourceHandle } from './stt-source';
import { VoiceReview } from './voice-review';

const LANG = /^[a-z]{2}$/;

/** A partial's settled start (`stableChars`), as a field to spread into what goes on; nothing for a final. */
function settledStart(e: CaptionEvent): { stableChars?: number } {
  return e.state === 'partial' && e.stableChars ? { stableChars: e.stableChars } : {};
}

/** What the router needs from the console's options. */
export interface SttRouterOptions {
  /** Starts sources; without it `startSource` answers `STT_FAILED`. */
  sttFactory?: SttSourceFactory;
  /** Resolves the model setting (a path or a catalog name) to a file; default: the setting as a path. */
  resolveModel?: (setting: string) => Promise<Result<string>>;
  /** A running source's realtime report, with the model file it runs and the Model setting that named it. */
  onRealtime?: (model: { path: string; setting: string }, realtime: SttRealtime) => void;
}

/** The speech-to-text sources of a console. */
export class SttRouter {
  readonly voice: VoiceReview;
  private readonly running = new Map<SttSourceKind, SttSourceHandle>();
  /** Sources asked to stop, transcribing what they heard: their status stays `stopping`. */
  private readonly stopping = new Set<SttSourceHandle>();
  /** Where each running source's audio time 0 lies in the session's timeline, seconds. */
  private readonly timelineOffset = new Map<SttSourceKind, number>();
  /** The latest session time each source published (a restarted source never goes before it). */
  private readonly publishedUntil = new Map<SttSourceKind, number>();
  private readonly statuses: Record<SttSourceKind, SttStatus> = {
    floor: { source: 'floor', status: 'stopped' },
    voice: { source: 'voice', status: 'stopped' },
  };

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly publisher: Pick<LinePublisher, 'publishLine'>,
    private readonly connection: Pick<HubConnection, 'link'>,
    private readonly session: Pick<ConsoleSession, 'record'>,
    private readonly options: SttRouterOptions,
    private readonly clientId: string,
  ) {
    this.voice = new VoiceReview(ctx, publisher);
    ctx.settings.watch(['glossary'], (after) => {
      for (const handle of this.running.values()) handle.setGlossary(toSttGlossary(after.glossary));
    });
    // A language changed in the settings applies to its running source at once (the floor speaker changed
    // language mid-session: decoding on in the old one would put the wrong language on the walls until a restart).
    ctx.settings.watch(['floorLanguage', 'voiceLanguage'], (after, before) => {
      for (const [source, handle] of this.running) {
        const key = source === 'floor' ? 'floorLanguage' : 'voiceLanguage';
        if (after[key] === before[key]) continue;
        handle.setLanguage(after[key]);
        this.ctx.logger.info('speech-to-text language changed', { source, language: after[key] });
      }
    });
  }

  /** Status of both sources (copies). */
  status(): Record<SttSourceKind, SttStatus> {
    return { floor: { ...this.statuses.floor }, voice: { ...this.statuses.voice } };
  }

  /**
   * What speech-to-text still has on its way to the console's room, in words (a switch to another room waits for
   * it): a running source, whose audio is this room's, and voice lines in their review window. Empty when nothing.
   */
  onItsWay(): string[] {
    const items = [...this.running.keys()].map((source) => `speech-to-text on the ${source} input running (stop it: its audio is this room's)`);
    const voice = this.voice.lines().length;
    if (voice > 0) items.push(`${voice} voice line${voice === 1 ? '' : 's'} in review`);
    return items;
  }

  /** Starts a source (restarting it when it runs); the language defaults to the source's setting. */
  async start(source: SttSourceKind, opts: { language?: ConsoleSttLanguage }): Promise<ConsoleResult<void>> {
    const factory = this.options.sttFactory;
    if (!factory) return fail(CONSOLE_ERROR_CODES.STT_FAILED, 'Speech-to-text is not available in this console.');
    await this.stop(source);
    const settings = this.ctx.settings.value;
    const language = opts.language ?? (source === 'floor' ? settings.floorLanguage : settings.voiceLanguage);
    const model = this.options.resolveModel
      ? consoleResult(await this.options.resolveModel(settings.model))
      : settings.model
        ? ok(settings.model)
        : fail<string>(CONSOLE_ERROR_CODES.STT_FAILED, 'No speech-to-text model is set.');
    if (!model.ok) {
      this.setStatus(source, { source, status: 'failed', reason: model.error.message });
      return model;
    }
    const idPrefix = `${this.clientId}.${Date.now().toString(36)}.${source === 'floor' ? 'f' : 'v'}`;
    const sessionSeconds = Math.max(0, (Date.now() - this.session.record.startedAt) / 1000);
    this.timelineOffset.set(source, Math.max(sessionSeconds, this.publishedUntil.get(source) ?? 0));
    this.setStatus(source, { source, status: 'loading' });
    // Events that come before the factory returns (none expected) are dropped like those of a stopped source.
    let handle: SttSourceHandle | null = null;
    const modelRun = { path: model.value, setting: settings.model };
    handle = factory(
      { source, language, modelPath: model.value, glossary: toSttGlossary(settings.glossary), commit: settings.sttCommit, idPrefix },
      {
        caption: (e) => this.onCaption(source, handle, e),
        status: (e) => {
          if (e.realtime && this.current(source, handle)) this.options.onRealtime?.(modelRun, e.realtime);
          this.onStatus(source, handle, e);
        },
        dropped: (samples) => {
          this.statuses[source] = { ...this.statuses[source], droppedFrames: samples };
        },
        lag: (seconds) => {
          if (!this.current(source, handle)) return;
          this.statuses[source] = { ...this.statuses[source], lagSeconds: seconds };
          this.ctx.emit('stt:status', { ...this.statuses[source] });
        },
      },
    );
    this.running.set(source, handle);
    this.ctx.logger.info('speech-to-text started', { source, language, commit: settings.sttCommit });
    return ok(undefined);
  }

  /**
   * Stops a source (no error when it was not running). It stays the running source while it stops, so the last
   * line it transcribes on its way out (see {@link SttSourceHandle.stop}) is routed like any other.
   */
  async stop(source: SttSourceKind): Promise<ConsoleResult<void>> {
    const handle = this.running.get(source);
    if (handle) {
      // The page shows it stopping (its last line may take a pass), not busy as if the Stop had not been heard.
      this.stopping.add(handle);
      this.setStatus(source, { ...this.statuses[source], source, status: 'stopping' });
      await handle.stop().catch(() => undefined);
      this.stopping.delete(handle);
    }
    if (this.running.get(source) === handle) this.running.delete(source);
    this.setStatus(source, { source, status: 'stopped' });
    return ok(undefined);
  }

  /** Audio for a running source (checked by the transport). */
  push(source: SttSourceKind, frame: Float32Array): void {
    this.running.get(source)?.push(frame);
  }

  /** Stops both sources and drops the voice lines waiting (the console is closing). */
  async close(): Promise<void> {
    this.voice.close();
    for (const source of [...this.running.keys()]) await this.stop(source);
  }

  private setStatus(source: SttSourceKind, status: SttStatus): void {
    const prev = this.statuses[source].status;
    this.statuses[source] = status;
    this.ctx.emit('stt:status', { ...status });
    // busy <-> ready flips with every decoding pass: `stt:status` carries it, no full snapshot each time.
    const passFlip = (prev === 'busy' && status.status === 'ready') || (prev === 'ready' && status.status === 'busy');
    if (!passFlip) this.ctx.changed();
  }

  /** Whether `handle` is still the running source (events of a stopped one are dropped). */
  private current(source: SttSourceKind, handle: SttSourceHandle | null): boolean {
    return handle !== null && this.running.get(source) === handle;
  }

  private onStatus(source: SttSourceKind, handle: SttSourceHandle | null, e: SttStatusEvent): void {
    if (!this.current(source, handle) || this.stopping.has(handle!)) return;
    const { droppedFrames, lagSeconds } = this.statuses[source];
    this.setStatus(source, {
      source,
      status: e.state,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(droppedFrames ? { droppedFrames } : {}),
      ...(lagSeconds !== undefined ? { lagSeconds } : {}),
      ...(e.realtime ? { realtime: e.realtime } : {}),
    });
  }

  private onCaption(source: SttSourceKind, handle: SttSourceHandle | null, e: CaptionEvent): void {
    if (!this.current(source, handle)) return;
    this.ctx.emit('stt:caption', {
      source,
      id: e.id,
      state: e.state,
      text: e.text,
      start: e.start,
      end: e.end,
      lang: e.lang,
      ...(e.uncertain ? { uncertain: e.uncertain } : {}),
      ...settledStart(e),
    });
    if (source === 'floor') this.routeFloor(e, this.sessionTimes(source, e));
    else this.routeVoice(e, this.sessionTimes(source, e));
  }

  /** A caption's times in the session's timeline (see the module comment). */
  private sessionTimes(source: SttSourceKind, e: CaptionEvent): { audioStart: number; audioEnd: number } {
    const offset = this.timelineOffset.get(source) ?? 0;
    const round = (t: number): number => Math.round(t * 1000) / 1000;
    const audioStart = round(offset + Math.max(0, e.start));
    const audioEnd = round(Math.max(audioStart, offset + Math.max(0, e.end)));
    if (e.state === 'final') this.publishedUntil.set(source, Math.max(this.publishedUntil.get(source) ?? 0, audioEnd));
    return { audioStart, audioEnd };
  }

  private routeFloor(e: CaptionEvent, times: { audioStart: number; audioEnd: number }): void {
    const settings = this.ctx.settings.value;
    if (!this.connection.link || !settings.publishFloor) return;
    const lang = LANG.test(e.lang) ? e.lang : undefined;
    const channels = this.ctx.roomChannels();
    const canFloor = channels.includes(FLOOR_CHANNEL) && (settings.role === 'operator' || settings.channel === FLOOR_CHANNEL);
    const hasText = e.text.trim() !== '';
    if (canFloor && (e.state === 'partial' || hasText)) {
      void this.publisher.publishLine({ id: e.id, channel: FLOOR_CHANNEL, text: e.text, state: e.state, source: 'floor-stt', ...settledStart(e), ...(lang ? { lang } : {}) }, times).then((r) => {
        if (!r.ok && e.state === 'final') this.ctx.alert(`channel:${FLOOR_CHANNEL}`, { code: r.error.code, message: `A floor line was not sent: ${r.error.message}` });
      });
    }
    const autoRouted = e.state === 'final' && hasText && settings.autoRouting && settings.role === 'operator' && lang && lang !== FLOOR_CHANNEL && channels.includes(lang);
    if (autoRouted) {
      void this.publisher.publishLine({ id: `${e.id}.${lang}`, channel: lang, text: e.text, state: 'final', source: 'floor-stt', lang }, times);
    }
  }

  private routeVoice(e: CaptionEvent, times: { audioStart: number; audioEnd: number }): void {
    const settings = this.ctx.settings.value;
    if (!this.connection.link) return;
    const channel = settings.channel;
    const lang = LANG.test(e.lang) ? e.lang : undefined;
    if (settings.voiceReviewMs === 0) {
      if (e.state === 'final' && e.text.trim() === '') return;
      void this.publisher.publishLine({ id: e.id, channel, text: e.text, state: e.state, source: 'voice-stt', ...settledStart(e), ...(lang ? { lang } : {}) }, times);
      return;
    }
    if (e.state !== 'final' || e.text.trim() === '') return;
    this.voice.add({ id: e.id, channel, text: e.text, lang: lang ?? settings.voiceLanguage }, settings.voiceReviewMs);
  }
}
