import { describe, expect, it } from 'vitest';
import { BAD_DISPLAY_URL, parseDisplayParams, resolveView } from './display-params';

describe('parseDisplayParams', () => {
  it('reads a single channel with defaults', () => {
    expect(parseDisplayParams('?room=main&channels=ar')).toEqual({
      ok: true,
      value: {
        room: 'main',
        channels: ['ar'],
        lines: 2,
        theme: 'dark',
        size: 1,
        labels: false,
        safeMargin: 0,
        cps: undefined,
        view: 'auto',
        lang: undefined,
      },
    });
  });

  it('reads stacked channels and every option', () => {
    const r = parseDisplayParams('?room=panel-2&channels=ar,%20en,ru,en&lines=4&theme=GREEN&size=1.5&labels=off');
    expect(r).toEqual({
      ok: true,
      value: {
        room: 'panel-2',
        channels: ['ar', 'en', 'ru'],
        lines: 4,
        theme: 'green',
        size: 1.5,
        labels: false,
        safeMargin: 0,
        cps: undefined,
        view: 'auto',
        lang: undefined,
      },
    });
    const more = parseDisplayParams('?room=main&channels=ar,en&safe=title&cps=12&view=phone&lang=en');
    expect(more.ok && more.value).toMatchObject({ safeMargin: 0.1, cps: 12, view: 'phone', lang: 'en' });
    expect(parseDisplayParams('?room=main&channels=ar&safe=7.5%').ok && parseDisplayParams('?room=main&channels=ar&safe=7.5').ok).toBe(true);
    expect([resolveView('auto', true), resolveView('auto', false), resolveView('wall', true), resolveView('phone', false)]).toEqual([
      'phone',
      'wall',
      'wall',
      'phone',
    ]);
    const action = parseDisplayParams('?room=main&channels=ar&safe=action&lang=xx');
    expect(action.ok && action.value).toMatchObject({ safeMargin: 0.05, lang: undefined });
    const auto = parseDisplayParams('?room=main&channels=ar,en');
    expect(auto.ok && auto.value.labels).toBe(true);
    const single = parseDisplayParams('?room=main&channel=floor&labels=on');
    expect(single.ok && single.value).toMatchObject({ channels: ['floor'], labels: true });
  });

  it('explains a missing room or channel list', () => {
    const noRoom = parseDisplayParams('?channels=ar');
    expect(noRoom.ok).toBe(false);
    if (!noRoom.ok) {
      expect(noRoom.error.code).toBe(BAD_DISPLAY_URL);
      expect(noRoom.error.message).toContain('room=');
      expect(noRoom.error.message).toContain('/display?room=main&channels=ar');
    }
    const noChannels = parseDisplayParams('?room=main&channels=,');
    expect(!noChannels.ok && noChannels.error.message).toContain('channels=');
  });

  it('refuses bad names and out-of-range options', () => {
    for (const query of [
      '?room=ma in&channels=ar',
      '?room=main&channels=ar,<b>',
      '?room=main&channels=ar&lines=0',
      '?room=main&channels=ar&lines=2.5',
      '?room=main&channels=ar&lines=99',
      '?room=main&channels=ar&size=abc',
      '?room=main&channels=ar&theme=neon',
      '?room=main&channels=ar&labels=maybe',
      '?room=main&channels=ar&safe=40',
      '?room=main&channels=ar&safe=wide',
      '?room=main&channels=ar&cps=100',
      '?room=main&channels=ar&view=tv',
      `?room=main&channels=${Array.from({ length: 17 }, (_, i) => `c${i}`).join(',')}`,
    ]) {
      const r = parseDisplayParams(query);
      expect(r.ok, query).toBe(false);
    }
  });
});
