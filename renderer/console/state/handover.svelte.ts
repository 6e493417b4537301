/**
 * Handover of the booth channel between the two interpreters of a booth. Either side starts it with one key: the
 * interpreter off air asks for the channel, the one on air offers it; the other side accepts or declines with its
 * own keys. Nothing here ever takes focus or reads the keys typed into the channel: a waiting handover is a banner,
 * and only the handover shortcuts answer it. Both consoles show the partner (online, offline, on air).
 */
import type {
  BoothMember,
  ConsoleApi,
  HandoverCompletedEvent,
  HandoverKind,
  HandoverRequestedEvent,
  HandoverState,
} from '../../../electron/common/console-api';
import type { ErrorInfo, Result } from '../../../electron/common/result';
import type { AlertReporter } from './page-alerts.svelte';

/** What the partner console is doing, as the page shows it. */
export type PartnerState = 'on-air' | 'online' | 'offline' | 'unknown';

/** The last outcome, shown for a while next to the channel. */
export interface HandoverOutcome {
  text: string;
  at: number;
}

export type HandoverApi = Pick<ConsoleApi, 'requestHandover' | 'offerHandover' | 'cancelHandover' | 'respondHandover'>;

export class HandoverFlow {
  onAir = $state(false);
  /** A handover this console started and waits on. */
  outgoing = $state.raw<{ kind: HandoverKind } | null>(null);
  /** A handover the other console started, waiting for this console's answer. */
  incoming = $state.raw<HandoverRequestedEvent | null>(null);
  /** The booth's other consoles. */
  partners = $state.raw<BoothMember[]>([]);
  lastOutcome = $state.raw<HandoverOutcome | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** An answer or a start is on its way (a second key press waits). */
  busy = $state(false);

  constructor(
    private readonly api: HandoverApi,
    private readonly now: () => number = Date.now,
    /** Where the outcome of handover actions goes (the page's alerts, key `handover`). */
    private readonly report: AlertReporter = () => undefined,
  ) {}

  /** The partner to show: the one on air, else one online, else the last one seen. */
  get partner(): BoothMember | null {
    return this.partners.find((p) => p.onAir) ?? this.partners.find((p) => p.online) ?? this.partners[0] ?? null;
  }

  get partnerState(): PartnerState {
    const p = this.partner;
    if (!p) return 'unknown';
    if (p.onAir && p.online) return 'on-air';
    return p.online ? 'online' : 'offline';
  }

  /** Takes the core's view (after a load or a `state:changed`). */
  sync(state: HandoverState): void {
    this.onAir = state.onAir;
    this.partners = state.partners ?? [];
    this.outgoing = state.outgoing ? { kind: state.outgoing.kind } : null;
    this.incoming = state.incoming
      ? { requestId: state.incoming.requestId, channel: state.incoming.channel, kind: state.incoming.kind, fromLabel: state.incoming.fromLabel, fromClientId: state.incoming.fromClientId }
      : null;
  }

  /**
   * The handover key: answers yes to what the other console started, else offers the channel (on air) or asks for
   * it (off air). Does nothing while a handover of this console waits.
   */
  async primary(): Promise<void> {
    if (this.busy) return;
    if (this.incoming) return this.respond(true);
    if (this.outgoing) return;
    await this.run(() => (this.onAir ? this.api.offerHandover() : this.api.requestHandover()), this.onAir ? 'offer' : 'request');
  }

  /** The decline key: declines what the other console started, else withdraws this console's own. */
  async secondary(): Promise<void> {
    if (this.busy) return;
    if (this.incoming) return this.respond(false);
    if (this.outgoing) await this.run(() => this.api.cancelHandover(), null);
  }

  /** Answers the other console's request or offer. */
  async respond(accept: boolean): Promise<void> {
    if (!this.incoming || this.busy) return;
    this.busy = true;
    try {
      const r = await this.api.respondHandover(accept);
      this.note(r);
      this.incoming = null;
    } finally {
      this.busy = false;
    }
  }

  onRequested(event: HandoverRequestedEvent): void {
    this.incoming = event;
  }

  onCompleted(event: HandoverCompletedEvent): void {
    this.onAir = event.onAir;
    this.outgoing = null;
    this.incoming = null;
    const who = event.onAir ? 'you are on air' : 'you are off air';
    const what = event.outcome === 'accepted' ? 'Handover done' : `Handover ${event.outcome}`;
    this.lastOutcome = { text: `${what}: ${who} on ${event.channel.toUpperCase()}.`, at: this.now() };
  }

  private async run(call: () => Promise<Result<void>>, starting: HandoverKind | null): Promise<void> {
    this.busy = true;
    if (starting) this.outgoing = { kind: starting };
    try {
      const r = await call();
      if (!r.ok && starting) this.outgoing = null;
      this.note(r);
    } finally {
      this.busy = false;
    }
  }

  private note(r: Result<unknown>): void {
    this.error = r.ok ? null : r.error;
    this.report('handover', this.error);
  }
}
