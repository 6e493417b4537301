import { describe, expect, it } from 'vitest';
import type { ConsolePublish } from '../../../electron/common/console-api';
import type { CaptionLine, ChannelChange } from '../../../electron/common/protocol';
import { ConsoleStore } from './console-store.svelte';
import { FakeConsoleApi } from './fake-console-api';
import { HandoverFlow } from './handover.svelte';
import { InterpreterChannel } from './interpreter-channel.svelte';
import { RoomView } from './room-view.svelte';
import { SettingsForm } from './settings-form.svelte';

const published = (api: FakeConsoleApi): ConsolePublish[] => api.callsOf('publish').map((a) => a[0] as ConsolePublish);
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function line(channel: string, id: string, text: string, over: Partial<CaptionLine> = {}): CaptionLine {
  return { id, room: 'main', channel, seq: 1, text, state: 'final', revision: 0, source: 'typed', startedAt: 1, updatedAt: 1, committedAt: 1, ...over };
}

describe('InterpreterChannel: typed mode', () => {
  it('sends what is typed as the live partial and commits it with Enter under the same id', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'ar');
    ch.setDraft('مرحبا');
    await settle();
    ch.setDraft('مرحبا بكم');
    await settle();
    const r = await ch.commitDraft();
    expect(r?.ok).toBe(true);
    const sent = published(api);
    expect(sent.map((p) => [p.state, p.text, p.source, p.lang])).toEqual([
      ['partial', 'مرحبا', 'typed', 'ar'],
      ['partial', 'مرحبا بكم', 'typed', 'ar'],
      ['final', 'مرحبا بكم', 'typed', 'ar'],
    ]);
    expect(new Set(sent.map((p) => p.id)).size).toBe(1);
    expect(ch.draft).toBe('');
    // Recorded and queued; the hub's ack comes as an event.
    expect(ch.sent.map((l) => [l.text, l.status])).toEqual([['مرحبا بكم', 'queued']]);
    ch.applyDelivery({ channel: 'ar', id: sent[0]!.id!, what: 'line', status: 'sent' });
    expect(ch.sent.map((l) => [l.text, l.status])).toEqual([['مرحبا بكم', 'sent']]);
    expect(ch.dir).toBe('rtl');
    // The next line gets a new id.
    ch.setDraft('next');
    await ch.commitDraft();
    expect(published(api).at(-1)!.id).not.toBe(sent[0]!.id);
  });

  it('keeps order under a slow hub: skips stale partials, never sends a partial after its final', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    let open!: () => void;
    api.publishGate = new Promise((r) => (open = r));
    for (const t of ['H', 'He', 'Hel', 'Hell', 'Hello']) ch.setDraft(t);
    const committing = ch.commitDraft();
    api.publishGate = null;
    open();
    await committing;
    await settle();
    const sent = published(api);
    expect(sent.map((p) => `${p.state}:${p.text}`)).toEqual(['partial:H', 'final:Hello']);
  });

  it('never waits for the hub: the next lines go out while earlier ones wait for their acks, which arrive as events', async () => {
    const api = new FakeConsoleApi();
    api.autoDeliver = false;
    const ch = new InterpreterChannel(api, 'en');
    for (const text of ['One.', 'Two.', 'Three.']) {
      ch.setDraft(text);
      await ch.commitDraft();
    }
    ch.setDraft('Fo');
    await settle();
    expect(published(api).map((p) => `${p.state}:${p.text}`)).toEqual(['partial:One.', 'final:One.', 'partial:Two.', 'final:Two.', 'partial:Three.', 'final:Three.', 'partial:Fo']);
    expect(ch.sent.map((l) => l.status)).toEqual(['queued', 'queued', 'queued']);
    const ids = ch.sent.map((l) => l.id);
    ch.applyDelivery({ channel: 'en', id: ids[1]!, what: 'line', status: 'sent' });
    ch.applyDelivery({ channel: 'en', id: ids[0]!, what: 'line', status: 'sent' });
    ch.applyDelivery({ channel: 'en', id: ids[2]!, what: 'line', status: 'refused', error: { code: 'TEXT_TOO_LONG', message: 'too long' } });
    // Another channel's deliveries are not this channel's.
    ch.applyDelivery({ channel: 'ar', id: ids[2]!, what: 'line', status: 'sent' });
    expect(ch.sent.map((l) => l.status)).toEqual(['sent', 'sent', 'failed']);
    expect(ch.error?.code).toBe('TEXT_TOO_LONG');
  });

  it('Escape withdraws the partial and an empty draft commits nothing', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    ch.setDraft('oops');
    await settle();
    ch.discardDraft();
    await settle();
    expect(published(api).map((p) => `${p.state}:${p.text}`)).toEqual(['partial:oops', 'partial:']);
    expect(await ch.commitDraft()).toBeNull();
  });

  it('shows a refused commit as failed with the hub error', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    ch.setDraft('x'.repeat(10));
    await settle();
    api.failNext.set('publish', 'TEXT_TOO_LONG');
    await ch.commitDraft();
    expect(ch.sent[0]!.status).toBe('failed');
    expect(ch.error?.code).toBe('TEXT_TOO_LONG');
  });
});

describe('InterpreterChannel: revisions, clear, mode switching, voice', () => {
  it('sends a correction as a revision and updates the sent line', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'ru');
    ch.setDraft('Добрый день, коллеги');
    await ch.commitDraft();
    const id = ch.sent[0]!.id;
    ch.beginEditLast();
    expect(ch.editingId).toBe(id);
    ch.setEditText('Добрый вечер, коллеги');
    await ch.saveEdit();
    expect(api.callsOf('revise')).toEqual([[{ channel: 'ru', id, text: 'Добрый вечер, коллеги' }]]);
    expect(ch.sent[0]).toMatchObject({ text: 'Добрый вечер, коллеги', revision: 1 });
    expect(ch.editingId).toBeNull();
    // An unchanged edit sends nothing.
    ch.beginEdit(id);
    expect(await ch.saveEdit()).toBeNull();
    expect(api.callsOf('revise')).toHaveLength(1);
  });

  it('lists lines the other console of the booth commits on the channel, and clears the channel', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    const change: ChannelChange = { kind: 'committed', room: 'main', channel: 'en', cursor: 1, line: line('en', 'other-1', 'From booth B', { source: 'voice-stt' }) };
    ch.applyHubChange(change);
    ch.applyHubChange({ ...change, channel: 'ar', line: line('ar', 'x', 'not ours') });
    expect(ch.sent.map((l) => [l.id, l.source])).toEqual([['other-1', 'voice-stt']]);
    await ch.clear();
    expect(api.callsOf('clearChannel')).toEqual([['en']]);
  });

  it('switches modes at any moment: leaving typed withdraws the partial, voice starts and stops its source', async () => {
    const api = new FakeConsoleApi();
    const voice: string[] = [];
    const ch = new InterpreterChannel(api, 'ar', { start: async () => void voice.push('mic on'), stop: async () => void voice.push('mic off') });
    ch.setDraft('نص');
    await settle();
    await ch.setMode('voice');
    await settle();
    expect(published(api).map((p) => `${p.state}:${p.text}`)).toEqual(['partial:نص', 'partial:']);
    expect(api.callsOf('startSource')).toEqual([['voice', { language: 'ar' }]]);
    expect(voice).toEqual(['mic on']);
    await ch.setMode('script');
    expect(api.callsOf('stopSource')).toEqual([['voice']]);
    expect(voice).toEqual(['mic on', 'mic off']);
    await ch.setMode('typed');
    await settle();
    // The draft survived and is live again.
    expect(ch.draft).toBe('نص');
    expect(published(api).at(-1)).toMatchObject({ state: 'partial', text: 'نص' });
  });

  it('reviews voice lines: send now and cancel act on this channel\'s pending lines', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    ch.setPendingVoice([
      { id: 'v1', channel: 'en', text: 'first', lang: 'en', sendAt: 10 },
      { id: 'v9', channel: 'ru', text: 'other', lang: 'ru', sendAt: 10 },
      { id: 'v2', channel: 'en', text: 'second', lang: 'en', sendAt: 20 },
    ]);
    expect(ch.pendingVoice.map((p) => p.id)).toEqual(['v1', 'v2']);
    await ch.sendVoiceNow();
    await ch.cancelVoice('v2');
    expect(api.callsOf('sendVoiceNow')).toEqual([['v1']]);
    expect(api.callsOf('cancelVoice')).toEqual([['v2']]);
    expect(ch.pendingVoice.map((p) => p.id)).toEqual(['v1']);
    ch.applyVoiceCaption({ source: 'voice', id: 's', state: 'partial', text: 'hearing', start: 0, end: 1, lang: 'en' });
    expect(ch.voicePartial?.text).toBe('hearing');
  });
});

describe('InterpreterChannel: script cues', () => {
  const script = 'Ladies and gentlemen, good morning. Today we open the conference on climate finance. The first speaker is the minister.';

  it('splits a script into cues and pushes next, back and jump', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    const count = ch.loadScript(script, 'speech.txt');
    expect(count).toBeGreaterThanOrEqual(3);
    expect(ch.script.cues.map((c) => c.text).join(' ')).toBe(script);
    expect(ch.script.current).toBe(-1);
    await ch.pushNextCue();
    await ch.pushNextCue();
    expect(ch.script.current).toBe(1);
    await ch.pushPreviousCue();
    expect(ch.script.current).toBe(0);
    await ch.pushCue(count - 1);
    expect(ch.script.atEnd).toBe(true);
    expect(await ch.pushNextCue()).toBeNull();
    const texts = published(api).map((p) => [p.state, p.source, p.text]);
    const cues = ch.script.cues.map((c) => c.text);
    expect(texts).toEqual([
      ['final', 'script', cues[0]],
      ['final', 'script', cues[1]],
      ['final', 'script', cues[0]],
      ['final', 'script', cues[count - 1]],
    ]);
    expect(new Set(published(api).map((p) => p.id)).size).toBe(4);
  });

  it('splits an Arabic script by Arabic punctuation', () => {
    const ch = new InterpreterChannel(new FakeConsoleApi(), 'ar');
    const n = ch.loadScript('السيدات والسادة، صباح الخير. نفتتح اليوم المؤتمر المعني بتمويل المناخ؟ المتحدث الأول هو الوزير.');
    expect(n).toBeGreaterThanOrEqual(2);
    expect(ch.script.cues.every((c) => c.lines.every((l) => l.length <= 42))).toBe(true);
  });
});

describe('HandoverFlow', () => {
  it('requester: confirm before sending, then waits until completion puts it on air', async () => {
    const api = new FakeConsoleApi();
    const h = new HandoverFlow(api);
    h.sync({ onAir: false, outgoing: null, incoming: null });
    h.ask();
    expect(h.phase).toBe('confirming');
    h.dismiss();
    expect(h.phase).toBe('idle');
    expect(api.callsOf('requestHandover')).toHaveLength(0);
    h.ask();
    await h.confirm();
    expect(h.phase).toBe('waiting');
    expect(api.callsOf('requestHandover')).toHaveLength(1);
    h.onCompleted({ requestId: 'r1', channel: 'ar', outcome: 'accepted', onAir: true });
    expect(h.onAir).toBe(true);
    expect(h.phase).toBe('idle');
    expect(h.lastOutcome).toMatch(/on air/);
    // On air: asking again does nothing.
    h.ask();
    expect(h.phase).toBe('idle');
  });

  it('on-air console: an incoming request waits for accept or decline', async () => {
    const api = new FakeConsoleApi();
    const h = new HandoverFlow(api);
    h.sync({ onAir: true, outgoing: null, incoming: null });
    h.onRequested({ requestId: 'r2', channel: 'ar', fromLabel: 'Arabic booth B', fromClientId: 'b' });
    expect(h.phase).toBe('incoming');
    expect(h.incoming?.fromLabel).toBe('Arabic booth B');
    await h.respond(false);
    expect(api.callsOf('respondHandover')).toEqual([[false]]);
    expect(h.phase).toBe('idle');
    h.onCompleted({ requestId: 'r2', channel: 'ar', outcome: 'declined', onAir: true });
    expect(h.onAir).toBe(true);
    expect(h.lastOutcome).toMatch(/declined/);
  });

  it('a refused request returns to idle with the error', async () => {
    const api = new FakeConsoleApi();
    api.failNext.set('requestHandover', 'NOT_CONNECTED');
    const h = new HandoverFlow(api);
    h.ask();
    await h.confirm();
    expect(h.phase).toBe('idle');
    expect(h.error?.code).toBe('NOT_CONNECTED');
  });
});

describe('RoomView (operator)', () => {
  it('follows hub changes per channel, corrects a line, and runs operator actions', async () => {
    const api = new FakeConsoleApi();
    const room = new RoomView(api);
    room.configure(['floor', 'ar', 'en'], false, [], {});
    await room.load();
    room.applyChange({ kind: 'committed', room: 'main', channel: 'en', cursor: 1, line: line('en', 'l1', 'Good morning') });
    room.applyPartial({ room: 'main', channel: 'ar', cursor: 0, line: line('ar', 'p1', 'صباح', { state: 'partial' }) });
    expect(room.linesOf('en').map((l) => l.text)).toEqual(['Good morning']);
    expect(room.partialOf('ar')?.text).toBe('صباح');
    room.beginEdit('en', 'l1');
    room.setEditText('Good morning, everyone');
    await room.saveEdit();
    expect(api.callsOf('revise')).toEqual([[{ channel: 'en', id: 'l1', text: 'Good morning, everyone' }]]);
    await room.toggleAutoRouting();
    await room.toggleMute('ar');
    await room.toggleMute('ar');
    await room.showNotice('Please take your seats', 60_000);
    await room.clearNotice();
    await room.clearAll();
    expect(room.autoRouting).toBe(true);
    expect(room.muted).toEqual([]);
    expect(api.callsOf('setAutoRouting')).toEqual([[true]]);
    expect(api.callsOf('setChannelMuted')).toEqual([['ar', true], ['ar', false]]);
    expect(api.callsOf('showNotice')).toEqual([['Please take your seats', 60_000], [null, undefined]]);
    expect(api.callsOf('clearAllChannels')).toHaveLength(1);
  });

  it('reloads the room view after a gap in the event stream', async () => {
    const api = new FakeConsoleApi();
    const room = new RoomView(api);
    room.configure(['en'], false, [], {});
    await room.load();
    room.applyChange({ kind: 'committed', room: 'main', channel: 'en', cursor: 5, line: line('en', 'l5', 'late') });
    await settle();
    expect(api.callsOf('getRoomView')).toHaveLength(2);
  });
});

describe('SettingsForm', () => {
  it('saves only what changed and treats the secret as write-only', async () => {
    const api = new FakeConsoleApi();
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    expect(form.dirty).toBe(false);
    form.set('hubMode', 'join');
    form.set('hubUrl', 'http://10.0.0.5:7300');
    form.setSecret('s3cret');
    expect(form.patch()).toEqual({ hubMode: 'join', hubUrl: 'http://10.0.0.5:7300', secret: 's3cret' });
    // Joining sends the secret to a new host: saved only once confirmed (hub-destination.test.ts has the rules).
    expect(await form.save()).toBe(false);
    expect(form.pendingDestination?.host).toBe('10.0.0.5');
    expect(api.callsOf('updateSettings')).toHaveLength(0);
    expect(await form.confirmDestination()).toBe(true);
    expect(form.secret).toBe('');
    expect(form.hasSecret).toBe(true);
    expect(form.dirty).toBe(false);
    expect(form.draft?.hubMode).toBe('join');
  });

  it('reports a glossary import', async () => {
    const form = new SettingsForm(new FakeConsoleApi());
    await form.importGlossary('en,ru,ar\nUN,ООН,الأمم المتحدة\n', 'terms.csv');
    expect(form.glossaryMessage).toBe('terms.csv: 1 terms imported.');
  });

  it('lists the installed models, and picks an imported one in the draft (a refusal says why)', async () => {
    const api = new FakeConsoleApi();
    api.models = [{ file: 'ggml-tiny.bin', path: '/models/ggml-tiny.bin', valid: true, description: 'tiny, multilingual, f16, 74 MiB' }];
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    await form.loadModels();
    expect(form.models.map((m) => m.file)).toEqual(['ggml-tiny.bin']);
    expect(await form.importModel('  /media/usb/ggml-base-q8_0.bin ')).toBe(true);
    expect(api.calls.at(-2)).toEqual({ method: 'importModel', args: ['/media/usb/ggml-base-q8_0.bin'] });
    expect(form.draft?.model).toBe('ggml-base-q8_0.bin');
    expect(form.dirty).toBe(true);
    expect(form.models.map((m) => m.file)).toEqual(['ggml-tiny.bin', 'ggml-base-q8_0.bin']);
    expect(form.modelMessage).toMatch(/^ggml-base-q8_0\.bin imported \(base, multilingual, q8_0, 78 MiB\); save to use it\.$/);

    api.importModel = async () => ({ ok: false, error: { code: 'MODEL_TRUNCATED', message: 'The file is truncated.' } });
    expect(await form.importModel('/media/usb/cut.bin')).toBe(false);
    expect(form.modelMessage).toBe('/media/usb/cut.bin: The file is truncated.');
    expect(form.draft?.model).toBe('ggml-base-q8_0.bin');
  });
});

describe('ConsoleStore', () => {
  it('loads the snapshot, routes events to the floor transcript, channel, room and handover', async () => {
    const api = new FakeConsoleApi({ channel: 'ar', glossary: [{ en: 'climate finance', ar: 'تمويل المناخ' }] });
    const store = new ConsoleStore(api);
    await store.init();
    expect(store.channel?.channel).toBe('ar');
    expect(store.view).toBe('booth');
    expect(store.glossary.size).toBe(1);
    api.emit('stt:caption', { source: 'floor', id: 'f1', state: 'partial', text: 'we need climate', start: 0, end: 1, lang: 'en' });
    expect(store.floor.partial?.text).toBe('we need climate');
    api.emit('stt:caption', { source: 'floor', id: 'f1', state: 'final', text: 'we need climate finance', start: 0, end: 2, lang: 'en' });
    expect(store.floor.partial).toBeNull();
    expect(store.floor.lines.map((l) => l.text)).toEqual(['we need climate finance']);
    api.emit('hub:changed', { kind: 'committed', room: 'main', channel: 'ar', cursor: 1, line: line('ar', 'a1', 'سطر') });
    expect(store.room.linesOf('ar').map((l) => l.text)).toEqual(['سطر']);
    expect(store.channel?.sent.map((l) => l.id)).toEqual(['a1']);
    api.emit('handover:requested', { requestId: 'r', channel: 'ar', fromLabel: 'B', fromClientId: 'b' });
    expect(store.handover.phase).toBe('incoming');
    api.emit('console:error', { code: 'SESSION_WRITE_FAILED', message: 'Disk full' });
    expect(store.messages.map((m) => m.code)).toEqual(['SESSION_WRITE_FAILED']);
    api.emit('state:changed', { ...api.snapshot, hubMutedChannels: ['ar'], settings: { ...api.snapshot.settings, role: 'operator', glossary: [], mutedChannels: ['ru'] } });
    expect(store.glossary.size).toBe(0);
    expect(store.room.isMuted('ar')).toBe(true);
    expect(store.room.isMuted('ru')).toBe(true);
    expect(store.room.isMuted('en')).toBe(false);
    await store.dispose();
  });
});
