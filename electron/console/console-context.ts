/**
 * The port the pieces of the console core work through (hub connection, line publisher, speech-to-text routing,
 * handover): the settings with per-key subscriptions, the events to the page, the coalesced "state changed", the
 * room's channels and the log. The facade (console-core.ts) builds it; a piece depends on the port and on the
 * narrow views of the pieces before it, never on a piece after it, so nothing calls back into itself in a cycle.
 */
import type { ConsoleEventName, ConsoleEvents } from '../common/console-api';
import type { ConsoleError } from '../common/console-api-result';
import { createStderrLogger, type Logger } from '../node/logger';
import type { ConsoleSettings } from './console-settings';

/** Where the core writes its log (the Node layer's one Logger). Callers never pass secrets; the core never logs settings values. */
export type CoreLogger = Logger;

/** One line per event on standard error, as `console`. */
export const stderrCoreLogger: CoreLogger = createStderrLogger('console');

/** The payload of a console event. */
export type ConsoleEventPayload<E extends ConsoleEventName> = Parameters<ConsoleEvents[E]>[0];

/** What every piece of the core may use. */
export interface ConsoleContext {
  /** The settings in effect, with subscriptions to the keys a piece cares about. */
  readonly settings: ConsoleSettings;
  /** Pushes an event to the page. */
  emit<E extends ConsoleEventName>(event: E, payload: ConsoleEventPayload<E>): void;
  /** Something the snapshot shows changed: one `state:changed` goes out at the end of this turn. */
  changed(): void;
  /**
   * Sets (an error) or clears (`null`) the alert of a condition (console-alerts.ts keys): the page shows it until
   * it is cleared or its condition ends. A new error also goes out as `console:error`.
   */
  alert(key: string, error: ConsoleError | null): void;
  /** The room's channels: the embedded hub's when hosting, else the configured list. */
  roomChannels(): string[];
  readonly logger: CoreLogger;
}

/**
 * The core's event listeners, and the coalescing of `state:changed` (one per turn of the event loop, carrying
 * the snapshot at that moment). A throwing listener is logged, never passed on to the emitter.
 */
export class ConsoleEventBus {
  private readonly listeners = new Map<ConsoleEventName, Set<(payload: unknown) => void>>();
  private stateChangedQueued = false;
  /** Until the core is built there is no snapshot to send: a change then waits for `start()`. */
  private started = false;
  private changedBeforeStart = false;
  private closed = false;

  constructor(
    private readonly logger: CoreLogger,
    private readonly snapshot: () => ConsoleEventPayload<'state:changed'>,
  ) {}

  on<E extends ConsoleEventName>(event: E, fn: ConsoleEvents[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const listener = fn as unknown as (payload: unknown) => void;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends ConsoleEventName>(event: E, payload: ConsoleEventPayload<E>): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        fn(payload);
      } catch (err) {
        this.logger.error('event listener failed', { event, error: String(err) });
      }
    }
  }

  changed(): void {
    if (!this.started) {
      this.changedBeforeStart = true;
      return;
    }
    if (this.stateChangedQueued || this.closed) return;
    this.stateChangedQueued = true;
    setImmediate(() => {
      this.stateChangedQueued = false;
      if (!this.closed) this.emit('state:changed', this.snapshot());
    });
  }

  /** The snapshot can be taken from now on (the core is built). */
  start(): void {
    this.started = true;
    if (this.changedBeforeStart) this.changed();
  }

  /** No more `state:changed` after this. */
  close(): void {
    this.closed = true;
  }
}
