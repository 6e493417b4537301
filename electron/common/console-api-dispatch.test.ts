/**
 * The one dispatcher of the console API's transports: unknown methods and bad arguments never reach the core, the
 * core gets the parsed values, a throw becomes `INTERNAL`, events fan out until stopped, audio frames are checked.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_EVENT_NAMES, CONSOLE_REQUEST_NAMES } from './console-api';
import { acceptAudioFrame, dispatchConsoleCall, forwardConsoleEvents, MAX_AUDIO_FRAME_SAMPLES } from './console-api-dispatch';
import { recordingConsoleApi } from './console-api-test-support';

describe('dispatchConsoleCall', () => {
  it('refuses unknown methods and bad arguments before the core runs', async () => {
    const { api, calls } = recordingConsoleApi();
    for (const method of ['constructor', '__proto__', 'on', 'pushAudio', 'toString', 42, null]) {
      expect(await dispatchConsoleCall(api, method, [])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    }
    const bad: [string, unknown][] = [
      ['publish', [{ channel: 'en', text: 1, state: 'final', source: 'typed' }]],
      ['publish', [{ channel: '../x', text: 'x', state: 'final', source: 'typed' }]],
      ['updateSettings', [{ voiceReviewMs: -1 }]],
      ['updateSettings', [{ nonsense: 1 }]],
      ['setChannelMuted', ['en', 'yes']],
      ['respondHandover', ['true']],
      ['importGlossary', [{ csv: 'x' }]],
      ['exportSession', ['en', 'docx']],
      ['getState', [1]],
      ['switchRoom', ['panel 1']],
      ['switchRoom', []],
      ['updateSettings', [{ watchRooms: [{ room: 'panel/1' }] }]],
      ['updateSettings', [{ watchRooms: [{ room: 'panel-1', secret: 'x', extra: true }] }]],
      ['updateSettings', [{ watchRooms: Array.from({ length: 10 }, (_, i) => ({ room: `panel-${i}` })) }]],
      ['publish', 'not an array'],
    ];
    for (const [method, args] of bad) {
      const answer = await dispatchConsoleCall(api, method, args);
      expect(answer, `${method} ${JSON.stringify(args)}`).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    }
    expect(calls).toEqual([]);
  });

  it('calls the core with the parsed arguments and turns a throw into INTERNAL', async () => {
    const { api, calls } = recordingConsoleApi(['getState']);
    expect(await dispatchConsoleCall(api, 'showNotice', ['Please sit', 60_000])).toEqual({ ok: true, value: undefined });
    expect(await dispatchConsoleCall(api, 'setChannelMuted', ['ru', true])).toEqual({ ok: true, value: undefined });
    expect(calls).toEqual([
      { method: 'showNotice', args: ['Please sit', 60_000] },
      { method: 'setChannelMuted', args: ['ru', true] },
    ]);
    const thrown = await dispatchConsoleCall(api, 'getState', []);
    expect(thrown).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(!thrown.ok && thrown.error.message).toMatch(/getState blew up/);
  });

  it('every request name has a schema and every schema a request', () => {
    const api = recordingConsoleApi().api;
    const requests = Object.keys(api).filter((k) => k !== 'on' && k !== 'pushAudio').sort();
    expect([...CONSOLE_REQUEST_NAMES].sort()).toEqual(requests);
  });
});

describe('forwardConsoleEvents', () => {
  it('hands every event name on until stopped', () => {
    const { api, events } = recordingConsoleApi();
    const seen: [string, unknown][] = [];
    const stop = forwardConsoleEvents(api, (name, payload) => seen.push([name, payload]));
    for (const name of CONSOLE_EVENT_NAMES) events.dispatch(name, { n: name });
    expect(seen.map(([name]) => name)).toEqual([...CONSOLE_EVENT_NAMES]);
    stop();
    events.dispatch('console:error', { code: 'X', message: 'after stop' });
    expect(seen).toHaveLength(CONSOLE_EVENT_NAMES.length);
  });
});

describe('acceptAudioFrame', () => {
  it('takes Float32 frames of a known source up to five seconds', () => {
    const frame = new Float32Array(1600);
    expect(acceptAudioFrame('floor', frame)).toEqual({ source: 'floor', frame });
    expect(acceptAudioFrame('voice', frame)?.source).toBe('voice');
    expect(acceptAudioFrame('mic', frame)).toBeNull();
    expect(acceptAudioFrame('floor', new Float64Array(10))).toBeNull();
    expect(acceptAudioFrame('floor', new Float32Array(0))).toBeNull();
    expect(acceptAudioFrame('floor', new Float32Array(MAX_AUDIO_FRAME_SAMPLES + 1))).toBeNull();
    expect(acceptAudioFrame('floor', [0.1, 0.2])).toBeNull();
  });
});
