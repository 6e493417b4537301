/** The settings panel's editor of the hosted hub's platform outputs: write-only credentials, the schema's errors. */
import { describe, expect, it } from 'vitest';
import { STORED_CREDENTIAL } from '../../../electron/common/caption-outputs';
import { FakeConsoleApi } from './fake-console-api';
import { SettingsForm } from './settings-form.svelte';

const YOUTUBE = 'http://upload.youtube.com/closedcaption?cid=abcd-efgh-ijkl-mnop';

describe('SettingsForm: platform outputs (host mode)', () => {
  it('adds outputs with their fields, saves them as the hub config schema has them, and never shows a credential back', async () => {
    const api = new FakeConsoleApi();
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    form.addOutput('youtube');
    form.addOutput('obs');
    form.addOutput('file');
    expect(form.dirty).toBe(true);
    const [yt, obs, files] = form.outputs;
    expect([yt!.id, obs!.id, files!.id]).toEqual(['youtube-ar', 'obs-ar', 'file-ar']);
    form.setOutput(yt!.key, { channel: 'en', id: 'yt-en', credential: YOUTUBE });
    form.setOutput(obs!.key, { channel: 'en', credential: 'obs-pass' });
    form.setOutput(files!.key, { address: '/srv/captions' });
    expect(await form.save()).toBe(true);
    expect(api.callsOf('updateSettings')).toEqual([[{
      outputs: [
        { kind: 'youtube', id: 'yt-en', room: 'main', channel: 'en', url: YOUTUBE },
        { kind: 'obs', id: 'obs-ar', room: 'main', channel: 'en', url: 'ws://127.0.0.1:4455', password: 'obs-pass' },
        { kind: 'file', id: 'file-ar', room: 'main', channel: 'ar', dir: '/srv/captions' },
      ],
    }]]);
    expect(form.dirty).toBe(false);

    // Back from the console masked: the rows hold no credential, and say one is stored.
    expect(JSON.stringify(form.outputs)).not.toContain('abcd-efgh');
    expect(JSON.stringify(form.outputs)).not.toContain('obs-pass');
    expect(form.outputs.map((o) => o.credential)).toEqual(['', '', '']);

    // An edit elsewhere sends the masked values back (the console keeps the stored ones); a typed one replaces.
    form.setOutput(form.outputs[2]!.key, { address: '/srv/live' });
    expect(await form.save()).toBe(true);
    const second = api.callsOf('updateSettings')[1]![0] as { outputs: { url?: string; password?: string; dir?: string }[] };
    expect(second.outputs[0]!.url).toBe('http://upload.youtube.com/closedcaption?…');
    expect(second.outputs[1]!.password).toBe(STORED_CREDENTIAL);
    expect(second.outputs[2]!.dir).toBe('/srv/live');

    form.removeOutput(form.outputs[1]!.key);
    expect(await form.save()).toBe(true);
    expect((api.callsOf('updateSettings')[2]![0] as { outputs: { id: string }[] }).outputs.map((o) => o.id)).toEqual(['yt-en', 'file-ar']);
  });

  it('refuses bad input at Save with the schema\'s message and loses none of the edit', async () => {
    const api = new FakeConsoleApi();
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    form.set('label', 'Operator desk');
    form.addOutput('zoom');
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toBe('Output zoom-ar: paste the Caption API token URL.');
    const zoom = form.outputs[0]!;
    form.setOutput(zoom.key, { credential: 'not a url' });
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toBe('Output zoom-ar: Caption API token URL: an http(s) URL');
    form.setOutput(zoom.key, { credential: 'https://wmcc.zoom.us/closedcaption?id=1&sig=x', lang: 'arabic!' });
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toBe('Output zoom-ar: lang: a language code such as en-US');
    form.setOutput(zoom.key, { lang: 'ar-SA', id: 'zoom ar' });
    expect(await form.save()).toBe(false);
    expect(form.error?.message).toBe('Output zoom ar: id: names are letters, digits, _ and -');
    expect(api.callsOf('updateSettings')).toEqual([]);
    // Nothing lost: the label and the typed token are still there.
    expect(form.draft?.label).toBe('Operator desk');
    expect(form.outputs[0]!.credential).toBe('https://wmcc.zoom.us/closedcaption?id=1&sig=x');
    form.setOutput(zoom.key, { id: 'zoom-ar' });
    expect(await form.save()).toBe(true);
    expect(form.error).toBeNull();
    expect(api.callsOf('updateSettings')[0]![0]).toMatchObject({ label: 'Operator desk', outputs: [{ kind: 'zoom', id: 'zoom-ar', lang: 'ar-SA' }] });
  });

  it('moves the outputs along with a change of the hosted room, and reverts to what is saved', async () => {
    const api = new FakeConsoleApi();
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    form.addOutput('file');
    expect(await form.save()).toBe(true);
    form.set('room', 'plenary');
    expect(await form.save()).toBe(true);
    expect(api.callsOf('updateSettings')[1]![0]).toEqual({ room: 'plenary', outputs: [{ kind: 'file', id: 'file-ar', room: 'plenary', channel: 'ar', dir: 'live-captions' }] });
    form.addOutput('teams');
    form.revert();
    expect(form.outputs.map((o) => o.id)).toEqual(['file-ar']);
    expect(form.dirty).toBe(false);
  });
});
