/**
 * The console API contract stays one contract: every request has an argument schema, the socket client exposes
 * exactly the API's functions (the preload's are checked in electron/preload), and the schemas refuse what the
 * core must never see.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_REQUEST_NAMES, DEFAULT_SETTINGS, consoleRequestSchemas, settingsPatchSchema, settingsSchema } from './console-api';
import { createSocketConsoleApi } from './console-api-socket';
import { consoleApiOver, createConsoleEventRegistry } from './console-api-calls';

describe('console API contract', () => {
  it('the socket client exposes every request, pushAudio and on, and nothing else', async () => {
    const emitted: unknown[][] = [];
    const api = createSocketConsoleApi({ connected: true, emit: (...a: unknown[]) => emitted.push(a), on: () => undefined, off: () => undefined });
    const expected = [...CONSOLE_REQUEST_NAMES, 'pushAudio', 'on'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    // Every request travels under its own method name.
    const called: string[] = [];
    const viaCalls = consoleApiOver(
      async (method) => {
        called.push(method);
        return { ok: true, value: undefined as never };
      },
      createConsoleEventRegistry(),
      () => undefined,
    );
    for (const name of CONSOLE_REQUEST_NAMES) await (viaCalls[name] as (...a: unknown[]) => Promise<unknown>)();
    expect(called).toEqual([...CONSOLE_REQUEST_NAMES]);
    // A frame goes out as exactly its own bytes, even when it is a view into a bigger buffer.
    const big = new Float32Array(10).map((_, i) => i);
    api.pushAudio('floor', big.subarray(2, 5));
    const [event, source, bytes] = emitted.at(-1)!;
    expect([event, source]).toEqual(['console:audio', 'floor']);
    expect([...new Float32Array(bytes as ArrayBuffer)]).toEqual([2, 3, 4]);
  });

  it('argument schemas refuse bad input before the core sees it', () => {
    expect(settingsSchema.safeParse(DEFAULT_SETTINGS).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ secret: 'x'.repeat(300) }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ constructor: 1 }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ room: '../etc' }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ voiceReviewMs: 20_000 }).success).toBe(false);
    expect(consoleRequestSchemas.publish.safeParse([{ channel: 'en', text: 'x', state: 'final', source: 'typed', extra: 1 }]).success).toBe(false);
    expect(consoleRequestSchemas.publish.safeParse([{ channel: 'en', id: 'a b', text: 'x', state: 'final', source: 'typed' }]).success).toBe(false);
    expect(consoleRequestSchemas.publish.safeParse([{ channel: 'en', text: 'x', state: 'final', source: 'typed' }]).success).toBe(true);
    expect(consoleRequestSchemas.startSource.safeParse(['floor', { language: 'fr' }]).success).toBe(false);
    expect(consoleRequestSchemas.showNotice.safeParse([null]).success).toBe(true);
    expect(consoleRequestSchemas.exportSession.safeParse(['en', 'docx']).success).toBe(false);
    expect(consoleRequestSchemas.getState.safeParse([1]).success).toBe(false);
  });
});
