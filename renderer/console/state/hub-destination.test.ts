/**
 * A settings change that sends the room secret to a new hub host is confirmed before it is saved, with a warning
 * for plain http off the local network; a change that keeps the secret where it was saves at once.
 */
import { describe, expect, it } from 'vitest';
import { FakeConsoleApi } from './fake-console-api';
import { isLocalNetworkHost, newSecretDestination } from './hub-destination';
import { SettingsForm } from './settings-form.svelte';

describe('newSecretDestination', () => {
  const joined = { hubMode: 'join' as const, hubUrl: 'http://192.168.1.20:7300' };
  it('asks when the secret would go to a host it did not go to before', () => {
    expect(newSecretDestination(joined, { ...joined, hubUrl: 'http://192.168.1.20:7400' })).toBeNull();
    expect(newSecretDestination(joined, { ...joined, hubMode: 'host' })).toBeNull();
    expect(newSecretDestination(joined, { ...joined, hubUrl: 'not a url' })).toBeNull();
    expect(newSecretDestination(joined, { ...joined, hubUrl: 'http://192.168.1.21:7300' })).toEqual({ host: '192.168.1.21', url: 'http://192.168.1.21:7300', plainHttpOffLan: false });
    expect(newSecretDestination({ hubMode: 'host', hubUrl: joined.hubUrl }, joined)?.host).toBe('192.168.1.20');
    expect(newSecretDestination(joined, { ...joined, hubUrl: 'http://attacker.example:80' })).toEqual({ host: 'attacker.example', url: 'http://attacker.example:80', plainHttpOffLan: true });
    expect(newSecretDestination(joined, { ...joined, hubUrl: 'https://hub.example.org' })?.plainHttpOffLan).toBe(false);
    expect(newSecretDestination(joined, { ...joined, hubUrl: 'http://203.0.113.7:7300' })?.plainHttpOffLan).toBe(true);
  });

  it('knows the local network by its addresses and names', () => {
    for (const host of ['localhost', '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.9', '169.254.3.4', '[::1]', '[fd12::1]', '[fe80::1]', 'booth-pc', 'hub.local', 'hub.venue.lan', 'hub.home.arpa']) {
      expect(isLocalNetworkHost(host), host).toBe(true);
    }
    for (const host of ['8.8.8.8', '172.32.0.1', '203.0.113.7', '[2001:db8::1]', 'example.com', 'hub.example.org', 'localhost.evil.com']) {
      expect(isLocalNetworkHost(host), host).toBe(false);
    }
  });
});

describe('SettingsForm and a new hub host', () => {
  async function joinedForm() {
    const api = new FakeConsoleApi({ hubMode: 'join', hubUrl: 'http://192.168.1.20:7300' });
    const form = new SettingsForm(api);
    form.load(api.snapshot.settings);
    return { api, form };
  }

  it('saves a change that keeps the secret where it goes at once', async () => {
    const { api, form } = await joinedForm();
    form.set('room', 'plenary');
    expect(await form.save()).toBe(true);
    expect(api.callsOf('updateSettings')).toEqual([[{ room: 'plenary' }]]);
  });

  it('waits for a confirmation before sending the secret to a new host; cancel and edits keep it unsaved', async () => {
    const { api, form } = await joinedForm();
    form.set('hubUrl', 'http://attacker.example:7300');
    expect(await form.save()).toBe(false);
    expect(form.pendingDestination).toEqual({ host: 'attacker.example', url: 'http://attacker.example:7300', plainHttpOffLan: true });
    form.cancelDestination();
    expect(form.pendingDestination).toBeNull();
    expect(form.dirty).toBe(true);
    expect(await form.save()).toBe(false);
    form.set('hubUrl', 'https://hub.example.org');
    expect(form.pendingDestination).toBeNull();
    expect(await form.save()).toBe(false);
    expect(form.pendingDestination?.plainHttpOffLan).toBe(false);
    expect(api.callsOf('updateSettings')).toEqual([]);
    expect(await form.confirmDestination()).toBe(true);
    expect(api.callsOf('updateSettings')).toEqual([[{ hubUrl: 'https://hub.example.org' }]]);
    expect(form.dirty).toBe(false);
  });
});
