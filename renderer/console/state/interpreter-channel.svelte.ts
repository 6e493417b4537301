/**
 * The interpreter's own channel (one language per booth) and the three ways to feed it: typed (live partial
 * while typing, Enter commits), voice (speech-to-text of the booth microphone, with a review window the core
 * runs) and script (prepared cues, one key per cue). Sent lines stay editable: a correction goes out as a
 * revision. Every mutation is a method; the components only call them.
 */
import {
  sttRunning,
  type ConsoleApi,
  type ConsolePublishAck,
  type LineDelivery,
  type ConsoleSttLanguage,
  type PendingVoiceLine,
  type SttCaption,
  type SttStatus,
} from '../../../electron/common/console-api';
import type { CaptionLine, CaptionSource, ChannelChange } from '../../../electron/common/protocol';
import type { ErrorInfo, Result } from '../../../electron/common/result';
import { isLanguageCode } from '../../../electron/common/languages';
import { newLineId } from './line-ids';
import type { AlertReporter } from './page-alerts.svelte';
import { ScriptCues } from './script-cues.svelte';

/** How the interpreter produces subtitles right now. */
export type ChannelMode = 'typed' | 'voice' | 'script';
export const CHANNEL_MODES: readonly ChannelMode[] = ['typed', 'voice', 'script'];

/** A line of the interpreter's own history: typed, cued or spoken from this console (never another's). */
export interface SentLine {
  id: string;
  text: string;
  source: CaptionSource;
  /**
   * `sending`: on its way to the core; `queued`: recorded and in the outbox; `sent`: acknowledged by the hub;
   * `held`: its channel is muted; `discarded`: dropped while held (never went out); `failed`: refused.
   */
  status: 'sent' | 'queued' | 'held' | 'discarded' | 'failed' | 'sending';
  revision: number;
  at: number;
  error?: ErrorInfo;
}

/** Lines kept in the sent list. */
export const SENT_LINES_KEPT = 200;

/** What the channel needs from the console API. */
export type ChannelApi = Pick<ConsoleApi, 'publish' | 'revise' | 'clearChannel' | 'startSource' | 'stopSource' | 'sendVoiceNow' | 'cancelVoice'>;

/** Starts and stops the booth microphone capture that feeds voice mode. */
export interface VoiceInput {
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface QueuedFinal {
  id: string;
  text: string;
  source: CaptionSource;
  done: (r: Result<ConsolePublishAck>) => void;
}

export class InterpreterChannel {
  mode = $state<ChannelMode>('typed');
  /** Typed mode: the text in the input. */
  draft = $state('');
  /** Typed mode: the id of the line being typed (its partials and its commit share it). */
  draftId = $state<string | null>(null);
  /** Typed mode: a partial of the draft went out to the displays (it is live there). */
  draftLive = $state(false);
  /** The draft Esc discarded last, until it is restored or another one replaces it. */
  discarded = $state<string | null>(null);
  /** Typed mode: partials stay home; the displays get the line when Enter commits it. */
  enterOnly = $state(false);
  sent = $state.raw<SentLine[]>([]);
  /** The sent line being corrected, and the correction text. */
  editingId = $state<string | null>(null);
  editText = $state('');
  /** Voice mode: speech-to-text status and what it hears now. */
  voiceStatus = $state.raw<SttStatus>({ source: 'voice', status: 'stopped' });
  voicePartial = $state.raw<SttCaption | null>(null);
  /** Voice lines waiting in their review window (this channel's), with when they go out on the page's clock. */
  pendingVoice = $state.raw<(PendingVoiceLine & { deadline: number })[]>([]);
  /** Last error of an action, shown next to the channel until the next success. */
  error = $state.raw<ErrorInfo | null>(null);
  readonly script = new ScriptCues();

  private nextPartial: { id: string; text: string } | null = null;
  private finals: QueuedFinal[] = [];
  private pumping = false;

  constructor(
    private readonly api: ChannelApi,
    /** The booth's channel, e.g. `ar`. */
    readonly channel: string,
    private readonly voiceInput: VoiceInput | null = null,
    private readonly now: () => number = Date.now,
    /** This console's id: the lines it makes (here or in the core) have ids that start with it. */
    private readonly owner: string | null = null,
    /** Where the outcome of the channel's actions goes (the page's alerts, key `channel:<name>`). */
    private readonly report: AlertReporter = () => undefined,
  ) {}

  /** Whether a line id is one of this console's (typed and cued here, spoken through its voice source). */
  isOwnLine(id: string): boolean {
    return this.owner !== null && id.startsWith(`${this.owner}.`);
  }

  private newId(kind: string): string {
    return newLineId(kind, this.channel, this.owner);
  }

  /** The channel's language (the channel name when it is one of the booth languages). */
  get lang(): string | undefined {
    return isLanguageCode(this.channel) ? this.channel : undefined;
  }

  /** Writing direction of the channel: Arabic lays out right to left. */
  get dir(): 'rtl' | 'ltr' | 'auto' {
    if (this.lang === 'ar') return 'rtl';
    return this.lang ? 'ltr' : 'auto';
  }

  // ---- modes

  /** Switches mode at any moment. Leaving typed withdraws a live partial (the draft stays in the box). */
  async setMode(mode: ChannelMode): Promise<void> {
    if (mode === this.mode) return;
    const previous = this.mode;
    this.mode = mode;
    if (previous === 'typed') this.withdrawDraftPartial();
    if (previous === 'voice') await this.stopVoice();
    if (mode === 'voice') await this.startVoice();
    if (mode === 'typed' && this.draft.trim() !== '') this.setDraft(this.draft);
  }

  // ---- typed

  /** The input changed: the text goes out as the live partial of the current line (unless Enter-only). */
  setDraft(text: string): void {
    this.draft = text;
    if (this.mode !== 'typed') return;
    if (text.trim() === '') {
      this.withdrawDraftPartial();
      return;
    }
    this.draftId ??= this.newId('typed');
    if (this.enterOnly) return;
    this.draftLive = true;
    this.schedulePartial(this.draftId, text);
  }

  /** Switches Enter-only on or off; switching it on takes a live draft off the displays (the text stays here). */
  setEnterOnly(on: boolean): void {
    if (on === this.enterOnly) return;
    this.enterOnly = on;
    if (on) this.withdrawDraftPartial();
    else if (this.mode === 'typed' && this.draft.trim() !== '') this.setDraft(this.draft);
  }

  /**
   * Enter: commits the typed line as final; the input empties for the next line. When the line is refused and
   * the input is still empty, the text comes back into it (nothing typed is lost).
   */
  async commitDraft(): Promise<Result<ConsolePublishAck> | null> {
    const text = this.draft.trim();
    if (text === '') return null;
    const id = this.draftId ?? this.newId('typed');
    this.draft = '';
    this.draftId = null;
    this.draftLive = false;
    const r = await this.sendFinal(id, text, 'typed');
    if (!r.ok && this.draft === '' && this.draftId === null) {
      this.draft = text;
      this.draftId = id;
      this.sent = this.sent.filter((l) => l.id !== id);
    }
    return r;
  }

  /** Escape: withdraws the draft's partial from the displays and empties the input; {@link restoreDraft} undoes it. */
  discardDraft(): void {
    this.withdrawDraftPartial();
    if (this.draft.trim() !== '') this.discarded = this.draft;
    this.draft = '';
    this.draftId = null;
  }

  /** Brings the discarded draft back into the empty input (live again unless Enter-only). */
  restoreDraft(): boolean {
    if (this.discarded === null || this.draft !== '') return false;
    const text = this.discarded;
    this.discarded = null;
    this.setDraft(text);
    return true;
  }

  /**
   * This console went off air in a handover: the core committed the partial the displays showed, so the draft
   * that was live is a sent line now and the input empties. A draft that never went out stays in the input.
   */
  handedOver(): void {
    const id = this.draftId;
    const text = this.draft.trim();
    if (!id || !this.draftLive || text === '') return;
    this.draft = '';
    this.draftId = null;
    this.draftLive = false;
    this.upsert({ id, text, source: 'typed', status: 'sent', revision: 0, at: this.now() });
  }

  private withdrawDraftPartial(): void {
    if (this.draftId && this.draftLive) this.schedulePartial(this.draftId, '');
    this.draftLive = false;
  }

  // ---- script

  /** Loads a script and splits it into cues in the channel's language. */
  loadScript(text: string, source?: string): number {
    return this.script.load(text, this.lang ?? 'en', source);
  }

  /** Pushes the next cue (one key). */
  async pushNextCue(): Promise<Result<ConsolePublishAck> | null> {
    const cue = this.script.advance();
    return cue ? this.sendFinal(this.newId('script'), cue.text, 'script') : null;
  }

  /**
   * Moves the position back one cue without sending anything (what went out stays out, once): the next push
   * sends the cue after the new position.
   */
  previousCue(): boolean {
    return this.script.back();
  }

  /** Jumps to a cue and shows it. */
  async pushCue(index: number): Promise<Result<ConsolePublishAck> | null> {
    const cue = this.script.jump(index);
    return cue ? this.sendFinal(this.newId('script'), cue.text, 'script') : null;
  }

  // ---- voice

  async startVoice(): Promise<void> {
    const r = await this.api.startSource('voice', { language: this.voiceLanguage() });
    this.noteResult(r);
    if (r.ok) await this.voiceInput?.start();
  }

  /** A running voice source starts again (on another model); the booth mic stays open. */
  async restartVoice(): Promise<void> {
    if (!sttRunning(this.voiceStatus.status)) return;
    this.noteResult(await this.api.startSource('voice', { language: this.voiceLanguage() }));
  }

  private voiceLanguage(): ConsoleSttLanguage {
    return this.lang === 'ar' || this.lang === 'en' || this.lang === 'ru' ? this.lang : 'auto';
  }

  async stopVoice(): Promise<void> {
    await this.voiceInput?.stop();
    this.noteResult(await this.api.stopSource('voice'));
    this.voicePartial = null;
  }

  /** Sends a reviewed voice line now (cuts its review window short). */
  async sendVoiceNow(id = this.pendingVoice[0]?.id): Promise<void> {
    if (!id) return;
    this.noteResult(await this.api.sendVoiceNow(id));
  }

  /** Cancels a voice line in its review window. */
  async cancelVoice(id = this.pendingVoice[0]?.id): Promise<void> {
    if (!id) return;
    const r = await this.api.cancelVoice(id);
    this.noteResult(r);
    if (r.ok) this.pendingVoice = this.pendingVoice.filter((p) => p.id !== id);
  }

  /** A voice speech-to-text caption (partials show as "hearing"). */
  applyVoiceCaption(caption: SttCaption): void {
    if (caption.source !== 'voice') return;
    this.voicePartial = caption.state === 'partial' ? caption : null;
  }

  setVoiceStatus(status: SttStatus): void {
    if (status.source === 'voice') this.voiceStatus = status;
  }

  /** The core's voice lines in review; each counts down on this page's clock from the time left it reports. */
  setPendingVoice(lines: PendingVoiceLine[]): void {
    const now = this.now();
    this.pendingVoice = lines.filter((l) => l.channel === this.channel).map((l) => ({ ...l, deadline: now + l.leftMs }));
  }

  // ---- sent lines

  beginEdit(id: string): void {
    const line = this.sent.find((l) => l.id === id);
    if (!line) return;
    this.editingId = id;
    this.editText = line.text;
  }

  /** Edits this interpreter's most recent line that reached the hub's side (shortcut). */
  beginEditLast(): boolean {
    const last = this.sent.findLast((l) => l.status !== 'failed' && l.status !== 'sending');
    if (last) this.beginEdit(last.id);
    return last !== undefined;
  }

  setEditText(text: string): void {
    this.editText = text;
  }

  cancelEdit(): void {
    this.editingId = null;
    this.editText = '';
  }

  /** Sends the correction as a revision; displays change the line in place. */
  async saveEdit(): Promise<Result<ConsolePublishAck> | null> {
    const id = this.editingId;
    const text = this.editText.trim();
    if (!id || text === '') return null;
    const line = this.sent.find((l) => l.id === id);
    this.cancelEdit();
    if (!line || line.text === text) return null;
    const r = await this.api.revise({ channel: this.channel, id, text });
    this.noteResult(r);
    if (r.ok) this.upsert({ ...line, text, revision: line.revision + 1, status: r.value.status === 'held' ? 'held' : line.status });
    return r;
  }

  /**
   * What the hub (or a person, for held lines) made of a line this channel sent: publish answers once the line
   * is recorded and queued, the hub's answer comes later as this event.
   */
  applyDelivery(e: LineDelivery): void {
    if (e.channel !== this.channel) return;
    const line = this.sent.find((l) => l.id === e.id);
    if (e.what === 'revision') {
      if (e.status === 'refused' && e.error) this.noteResult({ ok: false, error: e.error });
      return;
    }
    if (!line || e.status === 'recorded') return;
    if (e.status === 'refused') {
      this.upsert({ ...line, status: 'failed', ...(e.error ? { error: e.error } : {}) });
      if (e.error) this.noteResult({ ok: false, error: e.error });
      return;
    }
    // A line already acknowledged stays sent (its catch-up echo can come first).
    if (e.status === 'sent' || line.status !== 'sent') {
      this.upsert({ ...line, status: e.status === 'released' ? 'queued' : e.status });
    }
  }

  /** Clears the channel on every display (a draft stays in the input, off the displays). */
  async clear(): Promise<Result<void>> {
    this.withdrawDraftPartial();
    const r = await this.api.clearChannel(this.channel);
    this.noteResult(r);
    return r;
  }

  /**
   * A committed change on the room's channels (hub event). The list is this interpreter's own history: a line
   * already in it takes the change (a correction by the operator), and a line this console made elsewhere (its
   * voice source, the commit at a handover) joins it; lines of other consoles, `say` and floor routing do not.
   */
  applyHubChange(change: ChannelChange): void {
    if (change.channel !== this.channel || change.kind === 'cleared') return;
    this.adopt(change.line);
  }

  /** Takes this console's lines from a room snapshot (after a reload of the page), oldest first. */
  adoptLines(lines: readonly CaptionLine[]): void {
    for (const line of lines) if (line.channel === this.channel) this.adopt(line);
  }

  private adopt(line: CaptionLine): void {
    const existing = this.sent.find((l) => l.id === line.id);
    if (!existing && !(this.isOwnLine(line.id) && line.source !== 'floor-stt')) return;
    if (existing && existing.text === line.text && existing.revision >= line.revision && existing.status === 'sent') return;
    this.upsert({
      id: line.id,
      text: line.text,
      source: line.source,
      status: 'sent',
      revision: Math.max(line.revision, existing?.revision ?? 0),
      at: existing?.at ?? line.committedAt ?? line.updatedAt,
    });
  }

  // ---- publishing

  private async sendFinal(id: string, text: string, source: CaptionSource): Promise<Result<ConsolePublishAck>> {
    this.upsert({ id, text, source, status: 'sending', revision: 0, at: this.now() });
    const r = await new Promise<Result<ConsolePublishAck>>((done) => {
      this.finals.push({ id, text, source, done });
      // A final supersedes a partial of the same line still waiting to go out.
      if (this.nextPartial?.id === id) this.nextPartial = null;
      void this.pump();
    });
    const line = this.sent.find((l) => l.id === id);
    // The hub's ack may already have arrived as an event while the core answered: never step back from `sent`.
    if (line) this.upsert(r.ok ? { ...line, status: line.status === 'sent' ? 'sent' : r.value.status } : { ...line, status: 'failed', error: r.error });
    this.noteResult(r);
    return r;
  }

  private schedulePartial(id: string, text: string): void {
    this.nextPartial = { id, text };
    void this.pump();
  }

  /**
   * One publish at a time, in order: queued finals first, then the newest partial (older partials of a fast
   * typist are skipped, not queued, so the display never lags behind the keyboard).
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const final = this.finals.shift();
        if (final) {
          final.done(await this.api.publish({ channel: this.channel, id: final.id, text: final.text, state: 'final', source: final.source, ...(this.lang ? { lang: this.lang } : {}) }));
          continue;
        }
        const partial = this.nextPartial;
        if (!partial) break;
        this.nextPartial = null;
        const r = await this.api.publish({ channel: this.channel, id: partial.id, text: partial.text, state: 'partial', source: 'typed', ...(this.lang ? { lang: this.lang } : {}) });
        if (!r.ok) this.noteResult(r);
      }
    } finally {
      this.pumping = false;
    }
  }

  private upsert(line: SentLine): void {
    const index = this.sent.findIndex((l) => l.id === line.id);
    if (index >= 0) {
      this.sent = this.sent.map((l, i) => (i === index ? line : l));
      return;
    }
    const next = [...this.sent, line];
    this.sent = next.length > SENT_LINES_KEPT ? next.slice(next.length - SENT_LINES_KEPT) : next;
  }

  private noteResult(r: Result<unknown>): void {
    this.error = r.ok ? null : r.error;
    this.report(`channel:${this.channel}`, this.error);
  }
}
