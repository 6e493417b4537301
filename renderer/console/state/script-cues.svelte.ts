/**
 * A prepared script (a speech text the interpreter received in advance), split into caption-sized cues by the
 * same line rules as the room display, pushed one cue at a time.
 */
import { splitScriptIntoCues, type ScriptCue } from '../../../electron/common/line-breaking';

export class ScriptCues {
  cues = $state.raw<ScriptCue[]>([]);
  /** Index of the cue last pushed to the channel; -1 before the first. */
  current = $state(-1);
  /** Name of the loaded file (or "pasted text"). */
  source = $state('');

  /** The cue the next push sends, or null at the end. */
  get next(): ScriptCue | null {
    return this.cues[this.current + 1] ?? null;
  }

  get atEnd(): boolean {
    return this.current + 1 >= this.cues.length;
  }

  /** Splits a text into cues for a language and resets the position. Returns the number of cues. */
  load(text: string, lang: string, source = 'pasted text'): number {
    this.cues = splitScriptIntoCues(text, { lang });
    this.current = -1;
    this.source = source;
    return this.cues.length;
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
