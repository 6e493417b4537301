/**
 * Handover of the booth channel between the two interpreters of a booth. The requester confirms before the
 * request goes out; the console on air is asked and accepts or declines; both see the outcome.
 */
import type { ConsoleApi, HandoverCompletedEvent, HandoverRequestedEvent, HandoverState } from '../../../electron/common/console-api';
import type { ErrorInfo } from '../../../electron/common/result';

/**
 * `idle`: nothing going on; `confirming`: this console asked to take over and must confirm; `waiting`: the
 * request is out; `incoming`: the other console asks this (on-air) one.
 */
export type HandoverPhase = 'idle' | 'confirming' | 'waiting' | 'incoming';

export type HandoverApi = Pick<ConsoleApi, 'requestHandover' | 'respondHandover'>;

export class HandoverFlow {
  onAir = $state(false);
  phase = $state<HandoverPhase>('idle');
  incoming = $state.raw<HandoverRequestedEvent | null>(null);
  /** What happened last ("Handover accepted: you are on air"), for a status line. */
  lastOutcome = $state<string | null>(null);
  error = $state.raw<ErrorInfo | null>(null);

  constructor(private readonly api: HandoverApi) {}

  /** Takes the core's view (after a load or a `state:changed`). */
  sync(state: HandoverState): void {
    this.onAir = state.onAir;
    if (state.incoming) {
      this.incoming = { ...state.incoming };
      this.phase = 'incoming';
    } else if (state.outgoing) {
      this.phase = 'waiting';
    } else if (this.phase === 'incoming' || this.phase === 'waiting') {
      this.phase = 'idle';
      this.incoming = null;
    }
  }

  /** "Take over": opens the confirmation (only when off air and nothing is pending). */
  ask(): void {
    if (this.onAir || this.phase !== 'idle') return;
    this.phase = 'confirming';
  }

  dismiss(): void {
    if (this.phase === 'confirming') this.phase = 'idle';
  }

  /** Confirmed: sends the request to the console on air. */
  async confirm(): Promise<void> {
    if (this.phase !== 'confirming') return;
    this.phase = 'waiting';
    const r = await this.api.requestHandover();
    if (!r.ok) {
      this.error = r.error;
      this.phase = 'idle';
      return;
    }
    this.error = null;
  }

  /** On air: answers the other console's request. */
  async respond(accept: boolean): Promise<void> {
    if (this.phase !== 'incoming') return;
    const r = await this.api.respondHandover(accept);
    this.error = r.ok ? null : r.error;
    this.phase = 'idle';
    this.incoming = null;
  }

  onRequested(event: HandoverRequestedEvent): void {
    this.incoming = event;
    this.phase = 'incoming';
  }

  onCompleted(event: HandoverCompletedEvent): void {
    this.onAir = event.onAir;
    this.phase = 'idle';
    this.incoming = null;
    const who = event.onAir ? 'you are on air' : 'you are off air';
    this.lastOutcome =
      event.outcome === 'accepted' ? `Handover done: ${who} on ${event.channel}.` : `Handover ${event.outcome}: ${who} on ${event.channel}.`;
  }
}
