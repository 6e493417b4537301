/**
 * Handover of a booth channel between the two consoles of one booth, and whether this console is on air. The hub's
 * booth relay decides who holds a channel; this piece asks, answers, and keeps the state the page shows. An
 * operator is always on air. The on-air state is persisted, so after a hub restart the console that held the
 * channel takes it back.
 */
import { randomBytes } from 'node:crypto';
import type { HandoverState } from '../common/console-api';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import type { ConsoleContext } from './console-context';
import type { ConsoleStateFile } from './console-state-file';
import type { HubConnection } from './hub-connection';

/** Handover and on-air state of a console. */
export class BoothHandover {
  private current: HandoverState;

  constructor(
    private readonly ctx: ConsoleContext,
    private readonly connection: Pick<HubConnection, 'link' | 'subscribe'>,
    private readonly state: ConsoleStateFile,
  ) {
    this.current = { onAir: ctx.settings.value.role === 'operator' || state.value.onAir, outgoing: null, incoming: null };
    ctx.settings.watch(['role'], (after) => {
      this.current = { ...this.current, onAir: after.role === 'operator' ? true : (connection.link?.onAir ?? false) };
    });
    connection.subscribe({
      onAir: (info) => this.setOnAir(info.onAir),
      handoverAsked: (e) => {
        this.current = { ...this.current, incoming: { ...e, requestedAt: Date.now() } };
        this.ctx.emit('handover:requested', e);
        this.ctx.changed();
      },
      handoverDone: (e) => {
        const outgoing = this.current.outgoing?.requestId === e.requestId ? null : this.current.outgoing;
        const incoming = this.current.incoming?.requestId === e.requestId ? null : this.current.incoming;
        this.current = { ...this.current, outgoing, incoming };
        this.setOnAir(e.onAir);
        this.ctx.emit('handover:completed', {
          requestId: e.requestId,
          channel: e.channel,
          outcome: e.outcome === 'reclaimed' ? 'accepted' : e.outcome,
          onAir: e.onAir,
        });
      },
    });
  }

  /** What the page shows. */
  get snapshot(): HandoverState {
    return { ...this.current };
  }

  /** Whether this console may publish its booth channel now. */
  get onAir(): boolean {
    return this.current.onAir;
  }

  /** Booth: asks the on-air console of this channel for it. */
  async request(): Promise<ConsoleResult<void>> {
    const settings = this.ctx.settings.value;
    if (settings.role !== 'booth') return fail(CONSOLE_ERROR_CODES.NOT_SUPPORTED, 'Handover is between the two consoles of a booth.');
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    if (this.current.onAir) return fail('CONFLICT', 'This console is already on air.');
    const requestId = `h-${randomBytes(6).toString('hex')}`;
    const channel = settings.channel;
    this.current = { ...this.current, outgoing: { requestId, channel, requestedAt: Date.now() } };
    this.ctx.changed();
    const r = await link.requestHandover(requestId);
    if (!r.ok) {
      this.current = { ...this.current, outgoing: null };
      this.ctx.changed();
      return r;
    }
    if (r.value.granted) {
      this.current = { ...this.current, outgoing: null };
      this.setOnAir(true);
      this.ctx.emit('handover:completed', { requestId, channel, outcome: 'accepted', onAir: true });
    }
    return ok(undefined);
  }

  /** Booth on air: accepts or declines the waiting request. */
  async respond(accept: boolean): Promise<ConsoleResult<void>> {
    const incoming = this.current.incoming;
    if (!incoming) return fail(CONSOLE_ERROR_CODES.NO_PENDING, 'No handover request is waiting.');
    const link = this.connection.link;
    if (!link) return fail(CONSOLE_ERROR_CODES.NOT_CONNECTED, 'Connect to the hub first.');
    const r = await link.respondHandover(incoming.requestId, accept);
    if (!r.ok) {
      this.current = { ...this.current, incoming: null };
      this.ctx.changed();
      return r;
    }
    return ok(undefined);
  }

  private setOnAir(onAir: boolean): void {
    const settings = this.ctx.settings.value;
    const value = settings.role === 'operator' ? true : onAir;
    if (this.current.onAir !== value) this.ctx.logger.info('on-air changed', { onAir: value, channel: settings.channel });
    this.current = { ...this.current, onAir: value };
    if (this.state.value.onAir !== onAir) void this.state.update({ onAir });
    this.ctx.changed();
  }
}
