/**
 * Host mode: what the host hands out so the room can be joined and watched: the display QR code and links (for
 * room screens and phones), and the join details of the room for other consoles (hub address, room, secret, join
 * link and its QR). The secret stays hidden until the host reveals it; copying never shows it.
 */
import type { ConsoleApi, JoinInfo } from '../../../electron/common/console-api';
import type { ErrorInfo } from '../../../electron/common/result';

export type ShareApi = Pick<ConsoleApi, 'getJoinDetails'>;

/** Writes text to the clipboard (the browser's, injected so a test can pass its own). */
export type ClipboardWriter = (text: string) => Promise<void>;

export class ShareRoom {
  open = $state(false);
  details = $state.raw<JoinInfo | null>(null);
  /** The secret (and the join QR, which carries it) is on screen. */
  revealed = $state(false);
  /** What the last copy did ("Join link copied"). */
  message = $state<string | null>(null);
  error = $state.raw<ErrorInfo | null>(null);

  constructor(
    private readonly api: ShareApi,
    private readonly clipboard: ClipboardWriter = (text) => navigator.clipboard.writeText(text),
  ) {}

  /** Opens (and loads the join details) or closes the panel. */
  async toggle(open = !this.open): Promise<void> {
    this.open = open;
    this.revealed = false;
    this.message = null;
    if (open) await this.load();
  }

  async load(): Promise<void> {
    const r = await this.api.getJoinDetails();
    this.details = r.ok ? r.value : null;
    this.error = r.ok ? null : r.error;
  }

  reveal(on = !this.revealed): void {
    this.revealed = on;
  }

  /** Copies the secret or the join link. */
  async copy(what: 'secret' | 'link'): Promise<void> {
    const d = this.details;
    if (!d) return;
    try {
      await this.clipboard(what === 'secret' ? d.secret : d.link);
      this.message = what === 'secret' ? 'Room secret copied.' : 'Join link copied: paste it into the other console’s settings (Join a hub).';
    } catch {
      this.message = 'The clipboard is not available here: reveal the secret and read it out, or show the join QR code.';
    }
  }
}
