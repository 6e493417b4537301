import { describe, expect, it, vi } from 'vitest';
import type { ConsoleErrorCode, ConsolePublish, HandoverState, WatchedRoom } from '../../../electron/common/console-api';
import type { CaptionLine, ChannelChange } from '../../../electron/common/protocol';
import { ConsoleStore } from './console-store.svelte';
import { FakeConsoleApi } from './fake-console-api';
import { FollowedRooms } from './followed-rooms.svelte';
import { HandoverFlow } from './handover.svelte';
import { InterpreterChannel } from './interpreter-channel.svelte';
import { describeAge, describeOnAir, describeRoomLink, onAirOf } from './room-overview';
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

  it('after a handover away, a live draft (committed by the core) is a sent line; a draft never sent stays in the input', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    ch.setDraft('and the next');
    await settle();
    ch.handedOver();
    expect(ch.draft).toBe('');
    expect(ch.sent.map((l) => [l.text, l.status])).toEqual([['and the next', 'sent']]);
    ch.setEnterOnly(true);
    ch.setDraft('not yet out');
    ch.handedOver();
    expect(ch.draft).toBe('not yet out');
  });

  it('keeps a refused line in the input, under the same id, with the hub error', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    ch.setDraft('x'.repeat(10));
    await settle();
    const id = published(api)[0]!.id;
    api.failNext.set('publish', 'TEXT_TOO_LONG');
    expect((await ch.commitDraft())?.ok).toBe(false);
    expect(ch.draft).toBe('x'.repeat(10));
    expect(ch.draftId).toBe(id);
    expect(ch.sent).toEqual([]);
    expect(ch.error?.code).toBe('TEXT_TOO_LONG');
    // Sent again, it goes out as the same line.
    expect((await ch.commitDraft())?.ok).toBe(true);
    expect(published(api).at(-1)).toMatchObject({ id, state: 'final' });
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

  it("lists the interpreter's own lines only: its voice lines join, other consoles, say and floor routing do not", async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en', null, Date.now, 'c-me');
    ch.setDraft('Typed here');
    await ch.commitDraft();
    const typedId = ch.sent[0]!.id;
    expect(typedId.startsWith('c-me.')).toBe(true);
    const change = (id: string, text: string, over: Partial<CaptionLine> = {}): ChannelChange => ({ kind: 'committed', room: 'main', channel: 'en', cursor: 1, line: line('en', id, text, over) });
    ch.applyHubChange(change('c-me.lx1.2.v3', 'Spoken here', { source: 'voice-stt' }));
    ch.applyHubChange(change('c-other.lx1.1', 'From booth B', { source: 'voice-stt' }));
    ch.applyHubChange(change('say-17', 'From say', { source: 'typed' }));
    ch.applyHubChange(change('c-me.lx1.2.f9.en', 'Auto-routed floor', { source: 'floor-stt' }));
    ch.applyHubChange({ ...change('c-me.x', 'other channel'), channel: 'ar' });
    // The operator corrected a line of ours: the list shows the correction.
    ch.applyHubChange({ kind: 'revised', room: 'main', channel: 'en', cursor: 2, line: line('en', typedId, 'Typed here, corrected', { revision: 1 }) });
    expect(ch.sent.map((l) => [l.text, l.source, l.revision])).toEqual([
      ['Typed here, corrected', 'typed', 1],
      ['Spoken here', 'voice-stt', 0],
    ]);
    // F4 opens the interpreter's own last line.
    expect(ch.beginEditLast()).toBe(true);
    expect(ch.editingId).toBe('c-me.lx1.2.v3');
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
      { id: 'v1', channel: 'en', text: 'first', lang: 'en', sendAt: 10, leftMs: 1000 },
      { id: 'v9', channel: 'ru', text: 'other', lang: 'ru', sendAt: 10, leftMs: 1000 },
      { id: 'v2', channel: 'en', text: 'second', lang: 'en', sendAt: 20, leftMs: 2000 },
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

  it('splits a script into cues and pushes next and jump; back moves the position without sending', async () => {
    const api = new FakeConsoleApi();
    const ch = new InterpreterChannel(api, 'en');
    const count = ch.loadScript(script, 'speech.txt');
    expect(count).toBeGreaterThanOrEqual(3);
    expect(ch.script.cues.map((c) => c.text).join(' ')).toBe(script);
    expect(ch.script.current).toBe(-1);
    await ch.pushNextCue();
    await ch.pushNextCue();
    expect(ch.script.current).toBe(1);
    expect(ch.previousCue()).toBe(true);
    expect(ch.script.current).toBe(0);
    await settle();
    // Back sent nothing: the record and the exports hold each cue once.
    expect(published(api)).toHaveLength(2);
    expect(ch.previousCue()).toBe(true);
    expect(ch.previousCue()).toBe(false);
    await ch.pushNextCue();
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
  const state = (over: Partial<HandoverState> = {}): HandoverState => ({ onAir: false, outgoing: null, incoming: null, partners: [], booths: {}, ...over });

  it('off air, the handover key asks for the channel; completion puts this console on air', async () => {
    const api = new FakeConsoleApi();
    const h = new HandoverFlow(api);
    h.sync(state({ partners: [{ clientId: 'a', label: 'Arabic booth A', online: true, onAir: true }] }));
    expect(h.partnerState).toBe('on-air');
    await h.primary();
    expect(api.callsOf('requestHandover')).toHaveLength(1);
    expect(h.outgoing).toEqual({ kind: 'request' });
    // While it waits, the key does nothing more; the decline key withdraws it.
    await h.primary();
    expect(api.callsOf('requestHandover')).toHaveLength(1);
    await h.secondary();
    expect(api.callsOf('cancelHandover')).toHaveLength(1);
    h.onCompleted({ requestId: 'r1', channel: 'ar', outcome: 'accepted', onAir: true });
    expect(h.onAir).toBe(true);
    expect(h.outgoing).toBeNull();
    expect(h.lastOutcome?.text).toMatch(/on air on AR/);
  });

  it('on air, the handover key offers the channel, and answers yes to a request; the decline key says no', async () => {
    const api = new FakeConsoleApi();
    const h = new HandoverFlow(api);
    h.sync(state({ onAir: true }));
    expect(h.partnerState).toBe('unknown');
    await h.primary();
    expect(api.callsOf('offerHandover')).toHaveLength(1);
    h.onCompleted({ requestId: 'o1', channel: 'ar', outcome: 'cancelled', onAir: true });
    h.onRequested({ requestId: 'r2', channel: 'ar', kind: 'request', fromLabel: 'Arabic booth B', fromClientId: 'b' });
    await h.secondary();
    expect(api.callsOf('respondHandover')).toEqual([[false]]);
    expect(h.incoming).toBeNull();
    h.onRequested({ requestId: 'r3', channel: 'ar', kind: 'request', fromLabel: 'Arabic booth B', fromClientId: 'b' });
    await h.primary();
    expect(api.callsOf('respondHandover')).toEqual([[false], [true]]);
    expect(api.callsOf('offerHandover')).toHaveLength(1);
  });

  it('a refused start returns to idle with the error', async () => {
    const api = new FakeConsoleApi();
    api.failNext.set('offerHandover', 'NOT_FOUND');
    const h = new HandoverFlow(api);
    h.sync(state({ onAir: true }));
    await h.primary();
    expect(h.outgoing).toBeNull();
    expect(h.error?.code).toBe('NOT_FOUND');
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

  it('asks before auto-routing feeds a channel where a booth is on air, and knows each channel\'s last line', async () => {
    const api = new FakeConsoleApi();
    const room = new RoomView(api);
    room.configure(['floor', 'ar', 'en'], false, [], {});
    room.booths = {
      en: [{ clientId: 'e1', label: 'English booth A', online: true, onAir: true }],
      ar: [{ clientId: 'a1', label: 'Arabic booth K', online: true, onAir: false }],
    };
    await room.toggleAutoRouting();
    expect(room.routingToConfirm).toEqual([{ channel: 'en', label: 'English booth A' }]);
    expect(api.callsOf('setAutoRouting')).toEqual([]);
    room.cancelAutoRouting();
    expect(room.autoRouting).toBe(false);
    await room.toggleAutoRouting();
    await room.confirmAutoRouting();
    expect(api.callsOf('setAutoRouting')).toEqual([[true]]);
    expect(room.autoRouting).toBe(true);
    // Turning it off never asks.
    await room.toggleAutoRouting();
    expect(api.callsOf('setAutoRouting')).toEqual([[true], [false]]);

    const before = Date.now();
    room.applyChange({ kind: 'committed', room: 'main', channel: 'en', cursor: 1, line: line('en', 'l1', 'Good morning') });
    expect(room.lastLineAt['en']).toBeGreaterThanOrEqual(before);
    expect(room.lastLineAt['ar']).toBeUndefined();
  });

  it('describes who is on air and how old the last line is', () => {
    expect(describeOnAir(onAirOf(undefined))).toBe('no booth');
    expect(describeOnAir(onAirOf([{ clientId: 'a', label: 'Arabic booth K', online: true, onAir: false }]))).toBe('nobody on air');
    expect(describeOnAir(onAirOf([{ clientId: 'a', label: 'Arabic booth K', online: false, onAir: false }]))).toBe('booth offline');
    expect(describeOnAir(onAirOf([{ clientId: 'a', label: 'Arabic booth K', online: false, onAir: true }]))).toBe('on air: Arabic booth K, offline');
    expect(describeAge(null)).toBe('no lines yet');
    expect(describeAge(8_400)).toBe('last line 8 s ago');
    expect(describeAge(185_000)).toBe('last line 3 min ago');
    expect(describeAge(7_300_000)).toBe('last line 2 h ago');
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

  it('says at Save what is wrong with a hub address, and takes host:port as http://', async () => {
    const api = new FakeConsoleApi();
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    form.set('hubUrl', 'ftp://10.0.0.5');
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toContain('http://');
    expect(api.callsOf('updateSettings')).toEqual([]);
    form.set('hubUrl', '10.0.0.5:7300');
    expect(await form.save()).toBe(true);
    expect(api.callsOf('updateSettings')).toEqual([[{ hubUrl: 'http://10.0.0.5:7300' }]]);
    expect(form.error).toBeNull();
  });

  it('edits the other rooms an operator follows: secrets write-only, a bad row said at Save', async () => {
    const api = new FakeConsoleApi({ role: 'operator', hubMode: 'join', watchRooms: [{ room: 'panel-1', hasSecret: true, mutedChannels: ['ru'] }] });
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    expect(form.watchRooms.map((w) => [w.room, w.hasSecret, w.secret])).toEqual([['panel-1', true, '']]);
    expect(form.dirty).toBe(false);
    form.addWatchRoom();
    expect(form.dirty).toBe(true);
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toBe('Room to follow 2 has no name: type it, or remove the row.');
    const added = form.watchRooms[1]!.key;
    form.setWatchRoom(added, { room: 'panel 2' });
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toBe('Room to follow 2 "panel 2" is not a room name (letters, digits, _ and - only).');
    form.setWatchRoom(added, { room: ' panel-2 ', secret: 'p2-secret' });
    expect(await form.save()).toBe(true);
    // The stored secret of panel-1 is not sent back (the page never has it): omitted, the core keeps it.
    expect(api.callsOf('updateSettings')).toEqual([[{ watchRooms: [{ room: 'panel-1' }, { room: 'panel-2', secret: 'p2-secret' }] }]]);
    expect(form.watchRooms.map((w) => [w.room, w.hasSecret, w.secret])).toEqual([['panel-1', true, ''], ['panel-2', true, '']]);
    expect(form.dirty).toBe(false);
    // A stored secret removed on purpose goes as empty (the console's room secret is used there).
    form.setWatchRoom(form.watchRooms[0]!.key, { clearSecret: true });
    form.removeWatchRoom(form.watchRooms[1]!.key);
    expect(await form.save()).toBe(true);
    expect(api.callsOf('updateSettings').at(-1)).toEqual([{ watchRooms: [{ room: 'panel-1', secret: '' }] }]);
  });

  it('reports a glossary import', async () => {
    const form = new SettingsForm(new FakeConsoleApi());
    await form.importGlossary('en,ru,ar\nUN,ООН,الأمم المتحدة\n', 'terms.csv');
    expect(form.glossaryMessage).toBe('terms.csv: 1 terms imported.');
    // A glossary longer than the speech-to-text prompt says how much of it steers recognition.
    const long = `en,ru,ar\n${Array.from({ length: 30 }, (_, i) => `Term ${i},Т ${i},م ${i}`).join('\n')}\n`;
    await form.importGlossary(long, 'event.csv');
    expect(form.glossaryMessage).toMatch(/^event\.csv: 30 terms imported\. Speech-to-text carries the first 20 of 30 English in its prompt .*put the names the floor will say first\.$/);
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

describe('FollowedRooms', () => {
  it('grows the ages and staleness the core sent on the page clock, numbers rooms for their keys, one jump at a time', async () => {
    let now = 1_000_000;
    let answer: (r: { ok: true; value: undefined }) => void = () => undefined;
    const api = { switchRoom: vi.fn(() => new Promise<{ ok: true; value: undefined }>((resolve) => (answer = resolve))) };
    const rooms = new FollowedRooms(api, () => now);
    const room = (name: string) => ({ room: name, state: 'connecting' as const, error: null, notice: null, staleForMs: 40_000, channels: [] });
    rooms.sync(Array.from({ length: 10 }, (_, i) => room(`r${i + 1}`)));
    now += 3_000;
    expect(rooms.lineAge(5_000)).toBe(8_000);
    expect(rooms.lineAge(null)).toBeNull();
    expect(describeRoomLink(rooms.rooms[0]!, rooms.elapsed())).toEqual({ text: 'unreachable, as of 43 s ago', tone: 'stale' });
    expect(rooms.roomAt(9)?.room).toBe('r9');
    // Nine keys: a tenth room is followed, and reached by its row only.
    expect(rooms.roomAt(10)).toBeUndefined();
    expect(rooms.roomAt(0)).toBeUndefined();
    const first = rooms.jump('r2');
    expect(rooms.switching).toBe('r2');
    expect(await rooms.jump('r3')).toBe(false);
    answer({ ok: true, value: undefined });
    expect(await first).toBe(true);
    expect(rooms.switching).toBeNull();
    expect(api.switchRoom.mock.calls).toEqual([['r2']]);
  });

  it('says a refused or lost room in words, never as live', () => {
    const at = (state: WatchedRoom['state'], code: ConsoleErrorCode | null, staleForMs: number | null = null) => describeRoomLink({ state, error: code ? { code, message: `${code} message` } : null, staleForMs });
    expect(at('connected', null)).toEqual({ text: 'live', tone: 'ok' });
    expect(at('error', 'AUTH_BAD_SECRET')).toEqual({ text: 'wrong secret: set it in the settings', tone: 'error' });
    expect(at('error', 'AUTH_MISSING_SECRET').tone).toBe('error');
    expect(at('error', 'UNKNOWN_ROOM')).toEqual({ text: 'no such room on this hub', tone: 'error' });
    expect(at('connected', 'UNKNOWN_CHANNEL')).toEqual({ text: 'lines not seen: UNKNOWN_CHANNEL message', tone: 'error' });
    expect(at('connecting', 'HUB_UNREACHABLE')).toEqual({ text: 'unreachable', tone: 'stale' });
    expect(at('connecting', null)).toEqual({ text: 'connecting…', tone: 'stale' });
    expect(at('disconnected', 'HUB_UNREACHABLE', 125_000)).toEqual({ text: 'unreachable, as of 2 min ago', tone: 'stale' });
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
    // Another console's line is on the room view, not in this interpreter's sent list; this console's is.
    expect(store.channel?.sent.map((l) => l.id)).toEqual([]);
    api.emit('hub:changed', { kind: 'committed', room: 'main', channel: 'ar', cursor: 2, line: line('ar', 'console-a.v1', 'صوتي', { source: 'voice-stt' }) });
    expect(store.channel?.sent.map((l) => l.id)).toEqual(['console-a.v1']);
    api.emit('handover:requested', { requestId: 'r', channel: 'ar', kind: 'request', fromLabel: 'B', fromClientId: 'b' });
    expect(store.handover.incoming?.fromLabel).toBe('B');
    api.emit('state:changed', { ...api.snapshot, hubMutedChannels: ['ar'], settings: { ...api.snapshot.settings, role: 'operator', glossary: [], mutedChannels: ['ru'] } });
    expect(store.glossary.size).toBe(0);
    expect(store.room.isMuted('ar')).toBe(true);
    expect(store.room.isMuted('ru')).toBe(true);
    expect(store.room.isMuted('en')).toBe(false);
    await store.dispose();
  });

  it("follows an operator's other rooms from the snapshot and their events; a jump shows the new room, not the old one's lines", async () => {
    const api = new FakeConsoleApi({ role: 'operator', hubMode: 'join', watchRooms: [{ room: 'panel-1', hasSecret: true, mutedChannels: [] }] });
    const panel = (lastLineAgeMs: number | null) => ({
      room: 'panel-1',
      state: 'connected' as const,
      error: null,
      notice: null,
      staleForMs: null,
      channels: [{ channel: 'en', booth: [], muted: false, lastLineAgeMs }],
    });
    api.snapshot.watchedRooms = [panel(null)];
    const store = new ConsoleStore(api);
    await store.init();
    expect(store.followed.rooms[0]?.channels[0]?.lastLineAgeMs).toBeNull();
    api.emit('rooms:changed', [panel(5_000)]);
    expect(store.followed.rooms[0]?.channels[0]?.lastLineAgeMs).toBe(5_000);
    expect(store.followed.roomAt(1)?.room).toBe('panel-1');
    expect(store.followed.roomAt(2)).toBeUndefined();

    api.emit('hub:changed', { kind: 'committed', room: 'main', channel: 'en', cursor: 1, line: line('en', 'm1', 'A plenary line') });
    expect(store.room.linesOf('en').map((l) => l.text)).toEqual(['A plenary line']);
    expect(await store.followed.jump('panel-1')).toBe(true);
    expect(api.callsOf('switchRoom')).toEqual([['panel-1']]);
    expect(store.snapshot?.settings.room).toBe('panel-1');
    expect(store.room.linesOf('en')).toEqual([]);
    expect(store.followed.rooms.map((r) => r.room)).toEqual(['main']);

    api.failNext.set('switchRoom', 'ROOM_BUSY');
    expect(await store.followed.jump('main')).toBe(false);
    expect(store.followed.error?.code).toBe('ROOM_BUSY');
    expect(store.snapshot?.settings.room).toBe('panel-1');
    await store.dispose();
  });

  it('shows each error once, keyed by its condition, and drops it when the condition ends (no click)', async () => {
    const api = new FakeConsoleApi({ channel: 'en' });
    api.snapshot.hub = { ...api.snapshot.hub, state: 'error', error: { code: 'HOST_FAILED', message: 'Port 7300 is in use' } };
    api.snapshot.handover = { ...api.snapshot.handover, onAir: false };
    api.failNext.set('getRoomView', 'NOT_CONNECTED');
    const store = new ConsoleStore(api);
    await store.init();
    const codes = (): string[] => store.alerts.map((a) => a.code);
    expect(codes()).toEqual(['HOST_FAILED']);
    // The operator view's room load failed before the link was up: that error is about the link, not a second one.
    expect(store.room.error?.code).toBe('NOT_CONNECTED');
    expect(codes()).toEqual(['HOST_FAILED']);

    // The core's alerts (session record), the page's own (floor, a refused line) pile into one list, once per key.
    api.emit('state:changed', { ...structuredClone(api.snapshot), alerts: [{ key: 'session', code: 'SESSION_WRITE_FAILED', message: 'Disk full', since: 5 }] });
    api.failNext.set('startSource', 'STT_FAILED');
    await store.startFloor();
    api.failNext.set('startSource', 'STT_FAILED');
    await store.startFloor();
    store.channel!.setDraft('while off air');
    await settle();
    api.failNext.set('publish', 'NOT_ON_AIR');
    await store.channel!.commitDraft();
    expect(codes().sort()).toEqual(['HOST_FAILED', 'NOT_ON_AIR', 'SESSION_WRITE_FAILED', 'STT_FAILED']);

    // Each condition ends: the link is up, the floor runs, this console is on air, the disk is written again.
    api.emit('hub:status', { ...api.snapshot.hub, state: 'connected', error: null });
    expect(codes()).not.toContain('HOST_FAILED');
    await settle();
    expect(api.callsOf('getRoomView').length).toBeGreaterThanOrEqual(2);
    api.emit('stt:status', { source: 'floor', status: 'ready' });
    expect(codes()).not.toContain('STT_FAILED');
    api.snapshot.hub = { ...api.snapshot.hub, state: 'connected', error: null };
    api.snapshot.handover = { ...api.snapshot.handover, onAir: true };
    api.emit('state:changed', structuredClone(api.snapshot));
    expect(codes()).toEqual([]);
    await store.dispose();
  });
});
