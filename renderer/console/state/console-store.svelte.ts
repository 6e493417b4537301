/**
 * The console page's root state: the core's snapshot, and the pieces of the page (floor transcript, the
 * interpreter's channel, handover, room view, settings, audio inputs) wired to the API's events. The API is
 * passed in, so a test passes a fake.
 */
import {
  sttRunning,
  type ConsoleApi,
  type ConsoleSnapshot,
  type ConsoleSttLanguage,
  type HubStatus,
  type SttSourceKind,
} from '../../../electron/common/console-api';
import { alertEnded, mergeAlerts, type AlertConditions, type ConsoleAlert } from '../../../electron/common/console-alerts';
import { GlossaryMatcher } from '../../../electron/common/term-matcher';
import type { ErrorInfo } from '../../../electron/common/result';
import { AudioCapture } from '../audio/audio-capture.svelte';
import { AssistRail, boothLanguageOf } from './assist-rail.svelte';
import type { MediaEnvironment } from '../audio/media-environment';
import { FloorTranscript } from './floor-transcript.svelte';
import { FollowedRooms } from './followed-rooms.svelte';
import { HandoverFlow } from './handover.svelte';
import { HeldLines } from './held-lines.svelte';
import { InterpreterChannel } from './interpreter-channel.svelte';
import { OutputsPanel } from './outputs-panel.svelte';
import { PageAlerts } from './page-alerts.svelte';
import { RoomView } from './room-view.svelte';
import { SettingsForm } from './settings-form.svelte';
import { ShareRoom } from './share-room.svelte';

/** Which main view is showing. */
export type ConsoleView = 'booth' | 'operator';


export class ConsoleStore {
  snapshot = $state.raw<ConsoleSnapshot | null>(null);
  hub = $state.raw<HubStatus | null>(null);
  loadError = $state.raw<ErrorInfo | null>(null);
  /** The socket to the console server (browser console); always true with the preload bridge. */
  transportUp = $state(true);
  view = $state<ConsoleView>('booth');
  settingsOpen = $state(false);
  /** Failures of the page's own actions, keyed like the core's alerts. */
  readonly pageAlerts = new PageAlerts();
  /** Channels the preview shows (defaults to the booth's channel, or all for an operator). */
  previewChannels = $state.raw<string[]>([]);
  connecting = $state(false);

  readonly floor = new FloorTranscript();
  /** The booth assistant beside the floor transcript (number style remembered in this browser). */
  readonly assist = new AssistRail(undefined, typeof localStorage === 'undefined' ? null : localStorage);
  readonly room: RoomView;
  /** Operator: the other rooms it follows, and the jump to one of them. */
  readonly followed: FollowedRooms;
  /** The hub's platform outputs (operator view). */
  readonly outputs: OutputsPanel;
  readonly handover: HandoverFlow;
  readonly held: HeldLines;
  readonly settings: SettingsForm;
  readonly share: ShareRoom;
  readonly floorCapture: AudioCapture | null;
  readonly voiceCapture: AudioCapture | null;
  channel = $state.raw<InterpreterChannel | null>(null);

  private glossaryTerms: ConsoleSnapshot['settings']['glossary'] | null = null;
  private glossaryMatcher = $state.raw(new GlossaryMatcher([]));
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly api: ConsoleApi,
    /** The browser's audio; null where there is none (tests of the rest of the page). */
    media: MediaEnvironment | null = null,
  ) {
    this.room = new RoomView(api, this.pageAlerts.report);
    this.followed = new FollowedRooms(api);
    this.outputs = new OutputsPanel(api);
    this.handover = new HandoverFlow(api, Date.now, this.pageAlerts.report);
    this.held = new HeldLines(api);
    this.settings = new SettingsForm(api);
    this.share = new ShareRoom(api);
    this.floorCapture = media ? new AudioCapture(media, (frame) => api.pushAudio('floor', frame)) : null;
    this.voiceCapture = media ? new AudioCapture(media, (frame) => api.pushAudio('voice', frame)) : null;
  }

  /** The glossary as a matcher for highlighting and the assist rail (rebuilt when the glossary changes). */
  get glossary(): GlossaryMatcher {
    return this.glossaryMatcher;
  }

  get role(): 'booth' | 'operator' {
    return this.snapshot?.settings.role ?? 'booth';
  }

  /** What ends alerts by itself, as the page sees it now. */
  get alertConditions(): AlertConditions {
    return {
      hubConnected: this.hub?.state === 'connected',
      onAir: this.role === 'operator' || this.handover.onAir,
      sttRunning: { floor: sttRunning(this.floor.status.status), voice: sttRunning(this.channel?.voiceStatus.status ?? 'stopped') },
    };
  }

  /**
   * Every error whose condition is on, oldest first: the hub link's (from the latest status), the core's, and the
   * page's own actions'. None needs a click: each leaves when its condition ends.
   */
  get alerts(): ConsoleAlert[] {
    const conditions = this.alertConditions;
    const hub = this.hub?.error && this.hub.state !== 'connected' ? [{ key: 'hub', ...this.hub.error, since: 0 }] : [];
    const core = (this.snapshot?.alerts ?? []).filter((a) => a.key !== 'hub' && !alertEnded(a, conditions));
    return mergeAlerts(hub, core, this.pageAlerts.list(conditions));
  }

  /** Loads the core's state and follows its events. */
  async init(): Promise<void> {
    const api = this.api;
    this.unsubscribe.push(
      api.on('state:changed', (s) => this.applySnapshot(s)),
      api.on('hub:status', (s) => this.setHub(s)),
      api.on('stt:caption', (c) => {
        this.floor.apply(c);
        this.assist.apply(c);
        this.channel?.applyVoiceCaption(c);
      }),
      api.on('stt:status', (s) => {
        this.floor.setStatus(s);
        this.channel?.setVoiceStatus(s);
      }),
      api.on('hub:changed', (c) => {
        this.room.applyChange(c);
        this.channel?.applyHubChange(c);
      }),
      api.on('hub:partial', (u) => this.room.applyPartial(u)),
      api.on('hub:notice', (n) => this.room.applyNotice(n)),
      api.on('voice:pending', (lines) => this.channel?.setPendingVoice(lines)),
      api.on('handover:requested', (e) => this.handover.onRequested(e)),
      api.on('handover:completed', (e) => {
        this.handover.onCompleted(e);
        if (e.outcome === 'accepted' && !e.onAir) this.channel?.handedOver();
      }),
      api.on('line:delivery', (e) => this.channel?.applyDelivery(e)),
      api.on('rooms:changed', (rooms) => this.followed.sync(rooms)),
    );
    await this.reload();
  }

  /** Fetches the whole state again (after a reload or a transport reconnect). */
  async reload(): Promise<void> {
    const r = await this.api.getState();
    if (!r.ok) {
      this.loadError = r.error;
      return;
    }
    this.loadError = null;
    this.applySnapshot(r.value);
    if (this.room.channels.length > 0) await this.loadRoom();
  }

  applySnapshot(s: ConsoleSnapshot): void {
    const first = this.snapshot === null;
    // The console switched rooms: what the overview showed was the other room's.
    const roomChanged = !first && this.snapshot?.settings.room !== s.settings.room;
    if (roomChanged) {
      this.room.reset();
      this.previewChannels = [];
    }
    this.snapshot = s;
    this.setHub(s.hub);
    if (first) this.view = s.settings.role === 'operator' ? 'operator' : 'booth';
    if (!this.channel || this.channel.channel !== s.settings.channel) {
      const voice = this.voiceCapture ? { start: () => this.voiceCapture!.start(), stop: () => this.voiceCapture!.stop() } : null;
      this.channel = new InterpreterChannel(this.api, s.settings.channel, voice, Date.now, s.clientId, this.pageAlerts.report);
    }
    this.channel.setEnterOnly((s.settings.enterOnlyChannels ?? []).includes(s.settings.channel));
    this.channel.setPendingVoice(s.pendingVoice);
    this.channel.setVoiceStatus(s.stt.voice);
    this.floor.setStatus(s.stt.floor);
    this.handover.sync(s.handover);
    this.held.sync(s);
    // Muted room-wide by any operator, or by this operator: either way the channel's lines are held.
    const muted = [...s.settings.mutedChannels, ...(s.hubMutedChannels ?? []).filter((c) => !s.settings.mutedChannels.includes(c))];
    this.room.configure(s.channels, s.settings.autoRouting, muted, s.heldByMute);
    this.room.booths = s.handover.booths ?? {};
    this.followed.sync(s.watchedRooms ?? []);
    this.settings.load(s.settings);
    if (this.glossaryTerms !== s.settings.glossary) {
      this.glossaryTerms = s.settings.glossary;
      this.glossaryMatcher = new GlossaryMatcher(s.settings.glossary);
    }
    const booth = boothLanguageOf(s.settings.channel);
    if (this.assist.booth !== booth || this.assist.glossary !== this.glossaryMatcher) this.assist.configure({ booth, glossary: this.glossaryMatcher });
    if (this.previewChannels.length === 0 || this.previewChannels.some((c) => !s.channels.includes(c))) {
      this.previewChannels = s.settings.role === 'operator' ? [...s.channels] : [s.settings.channel];
    }
    if (this.floorCapture && s.settings.floorDeviceId !== undefined && this.floorCapture.status === 'off') this.floorCapture.deviceId = s.settings.floorDeviceId;
    if (this.voiceCapture && this.voiceCapture.status === 'off') this.voiceCapture.deviceId = s.settings.voiceDeviceId;
    if (roomChanged && this.hub?.state === 'connected') void this.loadRoom();
  }

  /** Takes a hub status; once the link is up (again), what the displays show is loaded afresh. */
  private setHub(status: HubStatus): void {
    const wasUp = this.hub?.state === 'connected';
    this.hub = status;
    if (!wasUp && status.state === 'connected' && this.snapshot && this.room.channels.length > 0) void this.loadRoom();
  }

  /** Loads what the displays show; this console's own lines among them join its sent list (after a page reload). */
  private async loadRoom(): Promise<void> {
    await this.room.load();
    const channel = this.channel;
    channel?.adoptLines(this.room.linesOf(channel.channel));
  }

  setTransportUp(up: boolean): void {
    const wasDown = !this.transportUp;
    this.transportUp = up;
    if (up && wasDown) void this.reload();
  }

  setView(view: ConsoleView): void {
    this.view = view;
  }

  toggleSettings(open = !this.settingsOpen): void {
    this.settingsOpen = open;
  }

  togglePreviewChannel(channel: string): void {
    this.previewChannels = this.previewChannels.includes(channel) ? this.previewChannels.filter((c) => c !== channel) : [...this.previewChannels, channel];
  }

  async connectHub(): Promise<void> {
    this.connecting = true;
    try {
      const r = await this.api.connectHub();
      this.pageAlerts.note('hub', r);
      if (r.ok) this.setHub(r.value);
    } finally {
      this.connecting = false;
    }
  }

  async disconnectHub(): Promise<void> {
    this.pageAlerts.note('hub', await this.api.disconnectHub());
  }

  /** Starts floor speech-to-text and the floor input. */
  async startFloor(): Promise<void> {
    const language: ConsoleSttLanguage = this.snapshot?.settings.floorLanguage ?? 'auto';
    const r = await this.api.startSource('floor', { language });
    this.pageAlerts.note('stt:floor', r);
    if (!r.ok) return;
    await this.floorCapture?.start();
  }

  /**
   * Switches speech-to-text to another model file (saved as the Model setting); the running sources restart on it
   * at once (each first transcribes what it has heard), so the machine catches up on both.
   */
  async useModel(file: string): Promise<void> {
    const saved = await this.api.updateSettings({ model: file });
    this.pageAlerts.note('settings', saved);
    if (!saved.ok) return;
    if (sttRunning(this.floor.status.status)) {
      const language: ConsoleSttLanguage = this.snapshot?.settings.floorLanguage ?? 'auto';
      this.pageAlerts.note('stt:floor', await this.api.startSource('floor', { language }));
    }
    await this.channel?.restartVoice();
  }

  async stopFloor(): Promise<void> {
    await this.floorCapture?.stop();
    this.pageAlerts.note('stt:floor', await this.api.stopSource('floor'));
  }

  /** Typed lines of this console's channel go out on Enter only (or live again); remembered per channel. */
  async setEnterOnly(on: boolean): Promise<void> {
    const channel = this.channel;
    const settings = this.snapshot?.settings;
    if (!channel || !settings) return;
    channel.setEnterOnly(on);
    const others = (settings.enterOnlyChannels ?? []).filter((c) => c !== channel.channel);
    this.pageAlerts.note('settings', await this.api.updateSettings({ enterOnlyChannels: on ? [...others, channel.channel] : others }));
  }

  /** Picks an input device for a source and remembers it in the settings. */
  async selectDevice(source: SttSourceKind, deviceId: string | null): Promise<void> {
    const capture = source === 'floor' ? this.floorCapture : this.voiceCapture;
    await capture?.selectDevice(deviceId);
    this.pageAlerts.note('settings', await this.api.updateSettings(source === 'floor' ? { floorDeviceId: deviceId } : { voiceDeviceId: deviceId }));
  }

  async dispose(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.floorCapture?.dispose();
    await this.voiceCapture?.dispose();
  }
}
