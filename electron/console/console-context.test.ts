/**
 * The core's event bus: `state:changed` is coalesced to one per turn, waits until the core is built (a session
 * record failing while it opens must not snapshot a half-built core), stops at close; a throwing listener is
 * logged and does not stop the others.
 */
import { describe, expect, it } from 'vitest';
import type { ConsoleSnapshot } from '../common/console-api';
import { ConsoleEventBus } from './console-context';
import { recordingLogger } from '../hub/test-support';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ConsoleEventBus', () => {
  it('coalesces state:changed per turn, holds it until start, stops at close', async () => {
    let snapshots = 0;
    const bus = new ConsoleEventBus(recordingLogger(), () => {
      snapshots++;
      return { clientId: `s${snapshots}` } as ConsoleSnapshot;
    });
    const seen: string[] = [];
    bus.on('state:changed', (s) => seen.push(s.clientId));
    bus.changed();
    bus.changed();
    await turn();
    expect(seen).toEqual([]);
    bus.start();
    await turn();
    expect(seen).toEqual(['s1']);
    bus.changed();
    bus.changed();
    bus.changed();
    await turn();
    expect(seen).toEqual(['s1', 's2']);
    bus.changed();
    bus.close();
    await turn();
    expect(seen).toEqual(['s1', 's2']);
  });

  it('logs a throwing listener and still calls the others; unsubscribing works', () => {
    const logger = recordingLogger();
    const bus = new ConsoleEventBus(logger, () => ({}) as ConsoleSnapshot);
    const got: string[] = [];
    bus.on('console:error', () => {
      throw new Error('listener bug');
    });
    const off = bus.on('console:error', (e) => got.push(e.code));
    bus.emit('console:error', { code: 'INTERNAL', message: 'x' });
    off();
    bus.emit('console:error', { code: 'INTERNAL', message: 'y' });
    expect(got).toEqual(['INTERNAL']);
    expect(logger.lines.filter((l) => l.includes('event listener failed'))).toHaveLength(2);
  });
});
