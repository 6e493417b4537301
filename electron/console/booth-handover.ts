/**
 * Handover of a booth channel between the two consoles of one booth, and whether this console is on air. The hub's
 * booth relay decides who holds a channel; this piece asks, offers, answers, and keeps the state the page shows,
 * with the booth's other consoles (presence). An operator is always on air. The on-air state is persisted, so
 * after a hub restart the console that held the channel takes it back.
 *
 * Going off air never orphans what this console has in progress: the release hooks ({@link onRelease}) run while
 * it is still on air, so the publisher commits the partial it has on the displays and the voice review sends the
 * lines waiting in their window, before the channel is someone else's.
 */
import { randomBytes } from 'node:crypto';
import type { BoothMember, HandoverKind, HandoverState } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import type { ConsoleStateFile } from './console-state-file';
import type { HubConnection } from './hub-connection';

/** Handover and on-air state of a console. */
export class BoothHandover {
  private current: HandoverState;
  private readonly releaseHooks: (() => void)[] = [];

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly connection: Pick<HubConnection, 'link' | 'subscribe'>,
    private readonly state: ConsoleStateFile,
  ) {
    this.current = { onAir: ctx.settings.value.role === 'operator' || state.value.onAir, outgoing: null, incoming: null, partners: [], booths: {} };
    ctx.settings.watch(['role'], (after) => {
      this.current = { ...this.current, onAir: after.role === 'operator' ? true : (connection.link?.onAir ?? false), partners: [], booths: {} };
    });
    connection.subscribe({
      onAir: (info) => this.setOnAir(info.onAir),
      handoverAsked: (e) => {
        this.current = { ...this.current, incoming: { ...e, requestedAt: Date.now() } };
        this.ctx.emit('handover:requested', e);
        this.ctx.changed();
      },
      handoverDone: (e) => {
        // Once the channel changes hands, nothing else waiting of this booth still applies.
        const moved = e.outcome === 'accepted' || e.outcome === 'reclaimed';
        const outgoing = moved || this.current.outgoing?.requestId === e.requestId ? null : this.current.outgoing;
        const incoming = moved || this.current.incoming?.requestId === e.requestId ? null : this.current.incoming;
        this.current = { ...this.current, outgoing, incoming };
        this.setOnAir(e.onAir);
        this.ctx.emit('handover:completed', {
          requestId: e.requestId,
          channel: e.channel,
          outcome: e.outcome === 'reclaimed' ? 'accepted' : e.outcome,
          onAir: e.onAir,
        });
        this.ctx.changed();
      },
      presence: (e) => {
        const self = this.state.value.clientId;
        const booths = { ...this.current.booths, [e.channel]: e.members.map((m) => ({ ...m })) };
        const settings = this.ctx.settings.value;
        const own = settings.role === 'booth' && e.channel === settings.channel;
        const partners: BoothMember[] = own ? e.members.filter((m) => m.clientId !== self).map((m) => ({ ...m })) : this.current.partners;
        this.current = { ...this.current, partners, booths };
        this.ctx.changed();
      },
      unlinked: () => {
        // Whatever was waiting died with the link; who is in the booth is unknown until the hub tells again.
        this.current = { ...this.current, outgoing: null, incoming: null, partners: [], booths: {} };
        this.ctx.changed();
      },
    });
  }

  /** What the page shows. */
  get snapshot(): HandoverState {
    const booths = Object.fromEntries(Object.entries(this.current.booths).map(([c, members]) => [c, members.map((m) => ({ ...m }))]));
    return { ...this.current, partners: this.current.partners.map((p) => ({ ...p })), booths };
  }

  /** Whether this console may publish its booth channel now. */
  get onAir(): boolean {
    return this.current.onAir;
  }

  /**
   * Runs `hook` each time this console is about to go off air, while it still is (so what the hook publishes is
   * allowed). Hooks must start their work synchronously.
   */
  onRelease(hook: () => void): void {
    this.releaseHooks.push(hook);
  }

  /** Booth off air: asks the on-air console of this channel for it. */
  request(): Promise<ConsoleResult<void>> {
    if (this.current.onAir) return Promise.resolve(fail('CONFLICT', 'This console is already on air; offer the channel instead.'));
    return this.start('request');
  }

  /** Booth on air: offers the channel to the other console of the booth. */
  offer(): Promise<ConsoleResult<void>> {
    if (!this.current.onAir) return Promise.resolve(fail(CONSOLE_ERROR_CODES.NOT_ON_AIR, 'This console is not on air; request the channel instead.'));
    return this.start('offer');
  }

  /** Withdraws the request or offer this console is waiting on. */
  async cancel(): Promise<ConsoleResult<void>> {
    const outgoing = this.current.outgoing;
    if (!outgoing) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No handover of this console is waiting.');
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    const r = await link.cancelHandover(outgoing.requestId);
    // Answered or expired meanwhile: nothing waits any more either way.
    if (!r.ok && r.error.code === 'NOT_FOUND' && this.current.outgoing?.requestId === outgoing.requestId) {
      this.current = { ...this.current, outgoing: null };
      this.ctx.changed();
    }
    return r;
  }

  /** Answers the handover the other console started: its request (this console on air) or its offer. */
  async respond(accept: boolean): Promise<ConsoleResult<void>> {
    const incoming = this.current.incoming;
    if (!incoming) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No handover request is waiting.');
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    // Giving the channel away: what is in progress here is settled while this console may still write.
    if (accept && incoming.kind === 'request' && this.current.onAir) this.release();
    const r = await link.respondHandover(incoming.requestId, accept);
    if (!r.ok) {
      this.current = { ...this.current, incoming: null };
      this.ctx.changed();
      return r;
    }
    return ok(undefined);
  }

  private async start(kind: HandoverKind): Promise<ConsoleResult<void>> {
    const settings = this.ctx.settings.value;
    if (settings.role !== 'booth') return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'Handover is between the two consoles of a booth.');
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    if (this.current.outgoing) return fail('CONFLICT', 'A handover of this console is already waiting; cancel it first.');
    const requestId = `h-${randomBytes(6).toString('hex')}`;
    const channel = settings.channel;
    this.current = { ...this.current, outgoing: { requestId, channel, kind, requestedAt: Date.now() } };
    this.ctx.changed();
    const r = kind === 'request' ? await link.requestHandover(requestId) : await link.offerHandover(requestId).then((v) => (v.ok ? ok({ granted: false }) : v));
    const stillMine = this.current.outgoing?.requestId === requestId;
    if (!r.ok) {
      if (stillMine) this.current = { ...this.current, outgoing: null };
      this.ctx.changed();
      return r;
    }
    // Granted at once: the console on air is gone (no `handover:done` comes for that), or the hub settled it
    // with the other side's offer or request (its `handover:done` came first and cleared `outgoing`).
    if (r.value.granted && stillMine) {
      this.current = { ...this.current, outgoing: null };
      this.setOnAir(true);
      this.ctx.emit('handover:completed', { requestId, channel, outcome: 'accepted', onAir: true });
    }
    this.ctx.changed();
    return ok(undefined);
  }

  private release(): void {
    for (const hook of this.releaseHooks) {
      try {
        hook();
      } catch (err) {
        this.ctx.logger.error('release hook failed', { error: String(err) });
      }
    }
  }

  private setOnAir(onAir: boolean): void {
    const settings = this.ctx.settings.value;
    const value = settings.role === 'operator' ? true : onAir;
    if (this.current.onAir && !value) this.release();
    if (this.current.onAir !== value) this.ctx.logger.info('on-air changed', { onAir: value, channel: settings.channel });
    this.current = { ...this.current, onAir: value };
    if (this.state.value.onAir !== onAir) void this.state.update({ onAir });
    this.ctx.changed();
  }
}
