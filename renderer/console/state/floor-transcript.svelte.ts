/**
 * The floor transcript: speech-to-text of the floor audio, a live partial and the committed lines, for the
 * interpreter to read along (numbers, names and terms are highlighted when rendered).
 */
import { sttRunning, type SttCaption, type SttStatus } from '../../../electron/common/console-api';

/** A committed floor line. */
export interface FloorLine {
  id: string;
  text: string;
  /** Language speech-to-text decoded or detected. */
  lang: string;
  /** Seconds in the floor audio. */
  start: number;
  end: number;
  uncertain: [number, number][];
  /** When the page received it (epoch ms). */
  receivedAt: number;
}

/** Lines kept in the transcript pane. */
export const FLOOR_LINES_KEPT = 300;

export class FloorTranscript {
  lines = $state.raw<FloorLine[]>([]);
  partial = $state.raw<SttCaption | null>(null);
  status = $state.raw<SttStatus>({ source: 'floor', status: 'stopped' });

  constructor(private readonly now: () => number = Date.now) {}

  /** Applies a speech-to-text caption; captions of other sources are ignored. */
  apply(caption: SttCaption): void {
    if (caption.source !== 'floor') return;
    if (caption.state === 'partial') {
      if (this.lines.some((l) => l.id === caption.id)) return;
      this.partial = caption;
      return;
    }
    if (this.partial?.id === caption.id) this.partial = null;
    const line: FloorLine = {
      id: caption.id,
      text: caption.text,
      lang: caption.lang,
      start: caption.start,
      end: caption.end,
      uncertain: caption.uncertain ?? [],
      receivedAt: this.now(),
    };
    const existing = this.lines.findIndex((l) => l.id === caption.id);
    if (existing >= 0) {
      this.lines = this.lines.map((l, i) => (i === existing ? line : l));
      return;
    }
    const next = [...this.lines, line];
    this.lines = next.length > FLOOR_LINES_KEPT ? next.slice(next.length - FLOOR_LINES_KEPT) : next;
  }

  setStatus(status: SttStatus): void {
    if (status.source !== 'floor') return;
    this.status = status;
    if (!sttRunning(status.status)) this.partial = null;
  }

  /** Empties the pane (the transcript on screen only; nothing is sent). */
  clear(): void {
    this.lines = [];
    this.partial = null;
  }
}
