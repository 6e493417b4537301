/**
 * A prepared script (a speech text the interpreter received in advance), split into caption-sized cues by the
 * same line rules as the room display, pushed one cue at a time. The preview of a cue shows the rows the room
 * display will show for it (the display breaks the cue's text itself, by its language's line length).
 */
import { captionRows } from '../../../electron/common/caption-view';
import { splitScriptIntoCues, type ScriptCue } from '../../../electron/common/line-breaking';

export class ScriptCues {
  cues = $state.raw<ScriptCue[]>([]);
  /** Index of the cue last pushed to the channel; -1 before the first. */
  current = $state(-1);
  /** Name of the loaded file (or "pasted text"). */
  source = $state('');
  /** Language the cues were split for (the channel's). */
  private lang = 'en';

  /** The cue the next push sends, or null at the end. */
  get next(): ScriptCue | null {
    return this.cues[this.current + 1] ?? null;
  }

  get atEnd(): boolean {
    return this.current + 1 >= this.cues.length;
  }

  /** Splits a text into cues for a language and resets the position. Returns the number of cues. */
  load(text: string, lang: string, source = 'pasted text'): number {
    this.lang = lang;
    this.cues = splitScriptIntoCues(text, { lang });
    this.current = -1;
    this.source = source;
    return this.cues.length;
  }

  /** The rows a room display shows for a cue: its text broken by the display's own rule (caption-view.ts). */
  rowsOf(cue: ScriptCue): string[] {
    const line = { id: 'cue', room: '', channel: '', seq: 0, text: cue.text, state: 'final' as const, revision: 0, source: 'script' as const, startedAt: 0, updatedAt: 0 };
    return captionRows({ lines: [line], partial: null }, { lang: this.lang, maxRows: Number.POSITIVE_INFINITY }).map((row) => row.text);
  }

  /** Moves to the next cue and returns it (null at the end: nothing moves). */
  advance(): ScriptCue | null {
    const cue = this.cues[this.current + 1];
    if (!cue) return null;
    this.current += 1;
    return cue;
  }

  /** Moves the position back one cue (the next push sends the cue after it); false before the first. */
  back(): boolean {
    if (this.current < 0) return false;
    this.current -= 1;
    return true;
  }

  /** Moves to cue `index` and returns it (null when out of range). */
  jump(index: number): ScriptCue | null {
    const cue = this.cues[index];
    if (!cue) return null;
    this.current = index;
    return cue;
  }

  unload(): void {
    this.cues = [];
    this.current = -1;
    this.source = '';
  }
}
