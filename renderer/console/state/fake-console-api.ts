/**
 * An in-memory ConsoleApi for the state-class tests: records every call, answers from a small model of the
 * core (publish acks with hub-like seq/cursor, revisions, handover), and lets a test emit core events.
 */
import { redactOutputCredentials, type OutputStatus } from '../../../electron/common/caption-outputs';
import { DEFAULT_SETTINGS, type ConsoleApi, type ConsoleEvents, type ConsoleModelInfo, type ConsoleSnapshot, type PublicSettings } from '../../../electron/common/console-api';
import { fail, ok, type ConsoleErrorCode, type ConsoleResult } from '../../../electron/common/console-api-result';

export interface RecordedCall {
  method: string;
  args: unknown[];
}

export function fakeSnapshot(overrides: Partial<PublicSettings> = {}): ConsoleSnapshot {
  const { secret: _secret, hostSecret: _hostSecret, watchRooms: _watchRooms, ...rest } = DEFAULT_SETTINGS;
  return {
    settings: { ...rest, watchRooms: [], hasSecret: false, hasHostSecret: false, ...overrides },
    hub: { mode: 'host', state: 'connected', url: 'http://127.0.0.1:7300', latencyMs: 4, error: null, displayUrls: ['http://192.168.1.20:7300/display'], qrDataUrl: null, displayLinks: {}, outboxPending: 0, delivery: { state: 'ok', reason: null, oldestPendingMs: null }, displays: { ar: 1, en: 1, ru: 1, floor: 0 } },
    stt: { floor: { source: 'floor', status: 'stopped' }, voice: { source: 'voice', status: 'stopped' } },
    handover: { onAir: true, outgoing: null, incoming: null, partners: [], booths: {} },
    alerts: [],
    pendingVoice: [],
    session: { id: 's1', file: '/tmp/s1.jsonl', startedAt: 0, lines: {}, error: null, recovered: 0 },
    heldByMute: {},
    held: [],
    roomHeld: [],
    channels: ['floor', 'ar', 'en', 'ru'],
    shell: 'browser',
    clientId: 'console-a',
    label: 'English booth K',
    watchedRooms: [],
  };
}

export class FakeConsoleApi implements ConsoleApi {
  calls: RecordedCall[] = [];
  snapshot: ConsoleSnapshot;
  audio: { source: string; samples: number }[] = [];
  /** Set to make the next call of a method fail with this code. */
  failNext = new Map<string, ConsoleErrorCode>();
  /** While set, publish() waits for this promise (to test ordering under a slow hub). */
  publishGate: Promise<void> | null = null;
  private seq = 0;
  private handlers = new Map<string, Set<(p: unknown) => void>>();

  constructor(overrides: Partial<PublicSettings> = {}) {
    this.snapshot = fakeSnapshot(overrides);
  }

  emit<E extends keyof ConsoleEvents>(event: E, payload: Parameters<ConsoleEvents[E]>[0]): void {
    for (const fn of this.handlers.get(event) ?? []) fn(payload);
  }

  /** Calls of one method, newest last. */
  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record<T>(method: string, args: unknown[], value: T): ConsoleResult<T> {
    this.calls.push({ method, args });
    const code = this.failNext.get(method);
    if (code) {
      this.failNext.delete(method);
      return fail(code, `${method} failed (${code})`);
    }
    return ok(value);
  }

  getState = async () => this.record('getState', [], structuredClone(this.snapshot));
  updateSettings: ConsoleApi['updateSettings'] = async (patch) => {
    const { secret, hostSecret, watchRooms, ...rest } = patch;
    const r = this.record('updateSettings', [patch], null);
    if (!r.ok) return r;
    const before = this.snapshot.settings.watchRooms;
    this.snapshot.settings = {
      ...this.snapshot.settings,
      ...rest,
      ...(watchRooms
        ? { watchRooms: watchRooms.map((w) => ({ room: w.room, hasSecret: w.secret === undefined ? (before.find((b) => b.room === w.room)?.hasSecret ?? false) : w.secret !== '', mutedChannels: [] })) }
        : {}),
      // As the console does: output credentials come back masked.
      ...(rest.outputs ? { outputs: redactOutputCredentials(rest.outputs) } : {}),
      ...(secret !== undefined ? { hasSecret: secret !== '' } : {}),
      ...(hostSecret !== undefined ? { hasHostSecret: hostSecret !== '' } : {}),
    };
    return ok(structuredClone(this.snapshot.settings));
  };
  connectHub = async () => this.record('connectHub', [], this.snapshot.hub);
  disconnectHub = async () => this.record('disconnectHub', [], undefined);
  getRoomView: ConsoleApi['getRoomView'] = async () =>
    this.record('getRoomView', [], {
      room: 'main',
      notice: null,
      channels: this.snapshot.channels.map((channel) => ({ channel, cursor: 0, reset: false, changes: [], partial: null })),
    });
  publish: ConsoleApi['publish'] = async (line) => {
    if (this.publishGate) await this.publishGate;
    this.seq += 1;
    const id = line.id ?? `auto-${this.seq}`;
    const r = this.record('publish', [line], { id, status: 'queued' as const, saved: line.state === 'final' });
    // The hub's answer arrives as an event after the publish answered, as from the core.
    if (r.ok && line.state === 'final' && this.autoDeliver) queueMicrotask(() => this.emit('line:delivery', { channel: line.channel, id, what: 'line', status: 'sent' }));
    return r;
  };
  /** Whether committed lines are reported `sent` by themselves (tests of refusals turn it off). */
  autoDeliver = true;
  revise: ConsoleApi['revise'] = async (req) => this.record('revise', [req], { id: req.id, status: 'queued' as const, saved: true });
  clearChannel = async (channel: string) => this.record('clearChannel', [channel], undefined);
  clearAllChannels = async () => this.record('clearAllChannels', [], undefined);
  showNotice = async (text: string | null, ttlMs?: number) => this.record('showNotice', [text, ttlMs], undefined);
  setAutoRouting = async (on: boolean) => this.record('setAutoRouting', [on], undefined);
  setChannelMuted = async (channel: string, muted: boolean) => this.record('setChannelMuted', [channel, muted], undefined);
  releaseHeld: ConsoleApi['releaseHeld'] = async (req) => this.record('releaseHeld', [req], { lines: req.ids?.length ?? 0 });
  discardHeld: ConsoleApi['discardHeld'] = async (req) => this.record('discardHeld', [req], { lines: req.ids?.length ?? 0 });
  startSource: ConsoleApi['startSource'] = async (source, opts) => this.record('startSource', [source, opts], undefined);
  stopSource: ConsoleApi['stopSource'] = async (source) => this.record('stopSource', [source], undefined);
  pushAudio: ConsoleApi['pushAudio'] = (source, frame) => {
    this.audio.push({ source, samples: frame.length });
  };
  sendVoiceNow = async (id: string) => this.record('sendVoiceNow', [id], undefined);
  cancelVoice = async (id: string) => this.record('cancelVoice', [id], undefined);
  importGlossary = async (csv: string) => {
    const rows = csv.trim().split('\n').length - 1;
    // As the console says of a glossary longer than the prompt's budget (electron/stt/prompt.ts): the first 20 rows.
    const promptCarries = rows > 20 ? [{ lang: 'en' as const, rows: 20, of: rows }] : [];
    return this.record('importGlossary', [csv], { terms: rows, promptCarries });
  };
  requestHandover = async () => this.record('requestHandover', [], undefined);
  offerHandover = async () => this.record('offerHandover', [], undefined);
  cancelHandover = async () => this.record('cancelHandover', [], undefined);
  respondHandover = async (accept: boolean) => this.record('respondHandover', [accept], undefined);
  exportSession: ConsoleApi['exportSession'] = async (channel, format) => this.record('exportSession', [channel, format], '');
  listMonitors = async () => this.record('listMonitors', [], []);
  openDisplayWindow: ConsoleApi['openDisplayWindow'] = async (opts) => this.record('openDisplayWindow', [opts], undefined);
  startNewSession = async () => this.record('startNewSession', [], this.snapshot.session);
  getJoinDetails = async () =>
    this.record('getJoinDetails', [], {
      hubUrl: 'http://192.168.1.20:7300',
      room: this.snapshot.settings.room,
      secret: 'room-secret-1234',
      link: 'http://192.168.1.20:7300/?room=main#secret=room-secret-1234',
      qrDataUrl: 'data:image/svg+xml;base64,',
    });
  /** What listModels answers (tests set it). */
  models: ConsoleModelInfo[] = [];
  listModels = async () => this.record('listModels', [], this.models);
  importModel = async (path: string) => {
    const file = path.split(/[\\/]/).pop() ?? path;
    const model: ConsoleModelInfo = { file, path: `/models/${file}`, valid: true, description: 'base, multilingual, q8_0, 78 MiB' };
    this.models = [...this.models, model];
    return this.record('importModel', [path], model);
  };
  /** What listOutputs answers (tests set it); setOutputEnabled switches an entry. */
  outputs: OutputStatus[] = [];
  listOutputs = async () => this.record('listOutputs', [], structuredClone(this.outputs));
  setOutputEnabled = async (id: string, enabled: boolean): Promise<ConsoleResult<OutputStatus>> => {
    const r = this.record('setOutputEnabled', [id, enabled], null);
    if (!r.ok) return r;
    const found = this.outputs.find((o) => o.id === id);
    if (!found) return fail('INVALID_ARGUMENTS', `NOT_FOUND: no output ${id}`);
    Object.assign(found, { enabled, state: enabled ? 'sending' : 'stopped', ...(enabled ? {} : { message: 'switched off' }) });
    return ok(structuredClone(found));
  };
  /** As the core: the followed room becomes the active one and the room left takes its place in the list. */
  switchRoom = async (room: string): Promise<ConsoleResult<void>> => {
    const r = this.record('switchRoom', [room], undefined);
    if (!r.ok) return r;
    const settings = this.snapshot.settings;
    const at = settings.watchRooms.findIndex((w) => w.room === room);
    if (at < 0) return fail('NOT_FOUND', `${room} is not among the rooms this console follows`);
    const left = { room: settings.room, hasSecret: settings.hasSecret, mutedChannels: settings.mutedChannels };
    settings.watchRooms = settings.watchRooms.map((w, i) => (i === at ? left : w));
    settings.room = room;
    this.snapshot.watchedRooms = this.snapshot.watchedRooms.map((w) => (w.room === room ? { ...w, room: left.room } : w));
    this.emit('state:changed', structuredClone(this.snapshot));
    return r;
  };
  on<E extends keyof ConsoleEvents>(event: E, fn: ConsoleEvents[E]): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const listener = fn as unknown as (p: unknown) => void;
    set.add(listener);
    return () => set.delete(listener);
  }
}
